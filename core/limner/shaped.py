"""The openai SDK's helpers on its response objects, for limner's: ``to_dict()`` and
``to_json()``, taking the SDK's keyword arguments. Unlike the SDK's, they give JSON data by
default (``cost`` a number, so ``json.dumps`` takes it; ``model_dump()`` keeps it a ``Decimal``)
and leave out fields without a value, as an API's JSON answer does."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

__all__ = ["OpenAIShaped"]


class OpenAIShaped(BaseModel):
    """``to_dict()`` and ``to_json()`` as on the openai SDK's objects."""

    def to_dict(
        self,
        *,
        mode: Literal["json", "python"] = "json",
        use_api_names: bool = True,
        exclude_unset: bool = False,
        exclude_defaults: bool = False,
        exclude_none: bool = True,
        warnings: bool = True,
    ) -> dict[str, Any]:
        """The object as data: JSON data by default (``mode="python"`` keeps ``Decimal`` and
        other Python values), fields without a value left out (``exclude_none=False`` keeps
        them). ``use_api_names`` is accepted for the SDK's sake: limner's names are the API's."""
        dumped: dict[str, Any] = self.model_dump(
            mode=mode,
            by_alias=use_api_names,
            exclude_unset=exclude_unset,
            exclude_defaults=exclude_defaults,
            exclude_none=exclude_none,
            warnings=warnings,
        )
        return dumped

    def to_json(
        self,
        *,
        indent: int | None = 2,
        use_api_names: bool = True,
        exclude_unset: bool = False,
        exclude_defaults: bool = False,
        exclude_none: bool = True,
        warnings: bool = True,
    ) -> str:
        """The object as a JSON string (the same fields as :meth:`to_dict`)."""
        return self.model_dump_json(
            indent=indent,
            by_alias=use_api_names,
            exclude_unset=exclude_unset,
            exclude_defaults=exclude_defaults,
            exclude_none=exclude_none,
            warnings=warnings,
        )
