"""``client.models``: the models the installed plugins provide, with capabilities and prices;
no I/O, so not awaited on an ``AsyncClient`` either."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from .capabilities import ModelInfo, Operation
from .errors import LimnerError
from .plugins import Registry
from .schema import request_schema

if TYPE_CHECKING:
    from .settings_store import SettingsStore

__all__ = ["AsyncModels", "ModelList"]


class ModelList(list[ModelInfo]):
    """What ``client.models.list()`` returns: a list of :class:`~limner.ModelInfo`, which also
    reads like the OpenAI SDK's page of models (``.data``, ``.object``)."""

    object: Literal["list"] = "list"

    @property
    def data(self) -> list[ModelInfo]:
        """The models, as the OpenAI SDK's ``client.models.list().data`` gives them."""
        return self


class AsyncModels:
    """``client.models``: the models installed plugins provide, with capabilities and prices."""

    def __init__(self, registry: Registry, settings: SettingsStore | None = None) -> None:
        self._registry = registry
        self._settings = settings
        self._served: dict[
            str, tuple[ModelInfo, str, ModelInfo]
        ] = {}  # id: (model, backend, served)

    def list(self) -> ModelList:
        """Every model, sorted by id: iterate over it, or read ``.data`` as with the OpenAI
        SDK."""
        return ModelList(self._registry.models())

    def retrieve(self, model: str) -> ModelInfo:
        """A model by id or alias; :class:`~limner.NotFoundError` with suggestions otherwise."""
        return self._registry.resolve(model)

    def served(self, model: str) -> ModelInfo:
        """:meth:`retrieve`, with the capabilities the model has as this client reaches it:
        its ``per_backend`` entry for the backend the provider's settings name
        (:meth:`~limner.Provider.backend`) applied, and no ``per_backend`` left to read. The
        gateway lists models so."""
        info = self._registry.resolve(model)
        if not info.capabilities.per_backend or self._settings is None:
            return info
        provider = self._registry.provider_for(info)
        try:
            backend = provider.backend(self._settings.loaded(provider))
        except LimnerError:  # settings that do not load: said by the calls, not a listing
            return info
        if backend is None:
            return info
        kept = self._served.get(info.id)  # (one object per model: its schemas are worked out once)
        if kept is not None and kept[0] is info and kept[1] == backend:
            return kept[2]
        caps = info.capabilities.for_backend(backend).model_copy(update={"per_backend": {}})
        served = info.model_copy(update={"capabilities": caps})
        self._served[info.id] = (info, backend, served)
        return served

    def schema(
        self, model: str, operation: Operation = "generate", *, served: bool = False
    ) -> dict[str, Any]:
        """The JSON Schema of requests ``model`` accepts for ``operation``. An operation the
        model does not offer (some models only edit), or ``chat``, raises
        :class:`~limner.UnsupportedFeatureError` naming ``operation``. ``provider_options``
        describes the model's provider's own options. With ``served``, for the model as this
        client reaches it (:meth:`served`), as :meth:`schemas` gives it."""
        info = self.served(model) if served else self._registry.resolve(model)
        return request_schema(info, operation, self._registry.provider_for(info))

    def schemas(self, model: str, *, served: bool = False) -> dict[str, dict[str, Any]]:
        """:meth:`schema` for each image operation ``model`` offers, by operation (chat has
        none): what ``limner models MODEL --json`` shows. With ``served``, for the model as
        this client reaches it (:meth:`served`), as the gateway's ``?include=request_schemas``
        gives them."""
        info = self.served(model) if served else self._registry.resolve(model)
        provider = self._registry.provider_for(info)
        return {
            operation: request_schema(info, operation, provider)
            for operation in info.capabilities.operations
            if operation != "chat"
        }
