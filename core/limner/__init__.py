"""limner: one OpenAI-compatible image API over many image providers.

>>> import limner
>>> client = limner.Client()
>>> plan = client.images.generate(model="provider/model", prompt="a fox", dry_run=True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .lazy_names import SUBMODULES as _SUBMODULES
from .lazy_names import load as _load

if TYPE_CHECKING:
    __version__: str  # read from the installed metadata on first use
    from . import (  # the submodules, as attributes (``limner.gateway``): for type checkers
        addresses as addresses,
    )
    from . import (
        admission as admission,
    )
    from . import (
        answer_costs as answer_costs,
    )
    from . import (
        arguments as arguments,
    )
    from . import (
        authorizing as authorizing,
    )
    from . import (
        call_prices as call_prices,
    )
    from . import (
        calls as calls,
    )
    from . import (
        capabilities as capabilities,
    )
    from . import (
        changes as changes,
    )
    from . import (
        chat as chat,
    )
    from . import (
        cli as cli,
    )
    from . import (
        client as client,
    )
    from . import (
        client_defaults as client_defaults,
    )
    from . import (
        client_limits as client_limits,
    )
    from . import (
        client_options as client_options,
    )
    from . import (
        connections as connections,
    )
    from . import (
        declared as declared,
    )
    from . import (
        default_hooks as default_hooks,
    )
    from . import (
        delivery as delivery,
    )
    from . import (
        download as download,
    )
    from . import (
        dryrun as dryrun,
    )
    from . import (
        engine as engine,
    )
    from . import (
        error_base as error_base,
    )
    from . import (
        errors as errors,
    )
    from . import (
        estimates as estimates,
    )
    from . import (
        exchange_failures as exchange_failures,
    )
    from . import (
        failure_cost as failure_cost,
    )
    from . import (
        forwarding as forwarding,
    )
    from . import (
        gateway as gateway,
    )
    from . import (
        heif as heif,
    )
    from . import (
        hookspecs as hookspecs,
    )
    from . import (
        http as http,
    )
    from . import (
        image_header as image_header,
    )
    from . import (
        images as images,
    )
    from . import (
        input_errors as input_errors,
    )
    from . import (
        inputs as inputs,
    )
    from . import (
        integrity as integrity,
    )
    from . import (
        interrupted as interrupted,
    )
    from . import (
        lazy_names as lazy_names,
    )
    from . import (
        lifecycle as lifecycle,
    )
    from . import (
        lifetime as lifetime,
    )
    from . import (
        loading as loading,
    )
    from . import (
        merging as merging,
    )
    from . import (
        money as money,
    )
    from . import (
        outcomes as outcomes,
    )
    from . import (
        params as params,
    )
    from . import (
        per_model as per_model,
    )
    from . import (
        plugin_failures as plugin_failures,
    )
    from . import (
        plugins as plugins,
    )
    from . import (
        polling as polling,
    )
    from . import (
        price_sheet as price_sheet,
    )
    from . import (
        pricing as pricing,
    )
    from . import (
        provider as provider,
    )
    from . import (
        provider_settings as provider_settings,
    )
    from . import (
        proxies as proxies,
    )
    from . import (
        redaction as redaction,
    )
    from . import (
        registered as registered,
    )
    from . import (
        requests as requests,
    )
    from . import (
        responses as responses,
    )
    from . import (
        retry as retry,
    )
    from . import (
        safe_text as safe_text,
    )
    from . import (
        schema as schema,
    )
    from . import (
        sending as sending,
    )
    from . import (
        serve_defaults as serve_defaults,
    )
    from . import (
        settings_store as settings_store,
    )
    from . import (
        shaped as shaped,
    )
    from . import (
        sizing as sizing,
    )
    from . import (
        status_errors as status_errors,
    )
    from . import (
        suggest as suggest,
    )
    from . import (
        sync_client as sync_client,
    )
    from . import (
        testing as testing,
    )
    from . import (
        translation_check as translation_check,
    )
    from . import (
        typos as typos,
    )
    from . import (
        unknown_names as unknown_names,
    )
    from . import (
        unreported as unreported,
    )
    from . import (
        unsendable as unsendable,
    )
    from . import (
        validation as validation,
    )
    from . import (
        values as values,
    )
    from . import (
        versions as versions,
    )
    from . import (
        wire as wire,
    )
    from .capabilities import (
        BackendCapabilities,
        Capabilities,
        FieldRule,
        ImagePrice,
        Lifecycle,
        ModelInfo,
        Operation,
        OperationCapabilities,
        PriceSheet,
        SizeRules,
        TokenPrices,
    )
    from .changes import Changes
    from .chat.response import ChatCompletion
    from .chat.schema import ChatMessage
    from .client import AsyncClient, ModelList
    from .dryrun import DryRun, Estimate
    from .errors import (
        AuthenticationError,
        BillingError,
        ContentPolicyError,
        InvalidRequestError,
        JobTimeoutError,
        LimnerError,
        MissingCredentialsError,
        NoImageGeneratedError,
        NotFoundError,
        PayloadTooLargeError,
        PermissionDeniedError,
        PluginError,
        ProviderConnectionError,
        ProviderError,
        ProviderSetting,
        ProviderUnavailableError,
        RateLimitError,
        RequestTimeoutError,
        UnsupportedFeatureError,
    )
    from .hookspecs import hookimpl
    from .images import InputImage
    from .provider import (
        Pending,
        Provider,
        ProviderCall,
        ProviderResult,
        ProviderSettings,
        Translation,
    )
    from .requests import EditRequest, GenerateRequest, ImageConfig, ImageRef, VariationRequest
    from .responses import (
        Adjustment,
        ImageData,
        ImageFormatWarning,
        ImagesResponse,
        Notice,
        Usage,
    )
    from .retry import RetryPolicy
    from .sync_client import Client
    from .wire import FilePart, WireRequest, WireResponse

__all__ = [
    "Adjustment",
    "AsyncClient",
    "AuthenticationError",
    "BackendCapabilities",
    "BillingError",
    "Capabilities",
    "Changes",
    "ChatCompletion",
    "ChatMessage",
    "Client",
    "ContentPolicyError",
    "DryRun",
    "EditRequest",
    "Estimate",
    "FieldRule",
    "FilePart",
    "GenerateRequest",
    "ImageConfig",
    "ImageData",
    "ImageFormatWarning",
    "ImagePrice",
    "ImageRef",
    "ImagesResponse",
    "InputImage",
    "InvalidRequestError",
    "JobTimeoutError",
    "Lifecycle",
    "LimnerError",
    "MissingCredentialsError",
    "ModelInfo",
    "ModelList",
    "NoImageGeneratedError",
    "NotFoundError",
    "Notice",
    "Operation",
    "OperationCapabilities",
    "PayloadTooLargeError",
    "Pending",
    "PermissionDeniedError",
    "PluginError",
    "PriceSheet",
    "Provider",
    "ProviderCall",
    "ProviderConnectionError",
    "ProviderError",
    "ProviderResult",
    "ProviderSetting",
    "ProviderSettings",
    "ProviderUnavailableError",
    "RateLimitError",
    "RequestTimeoutError",
    "RetryPolicy",
    "SizeRules",
    "TokenPrices",
    "Translation",
    "UnsupportedFeatureError",
    "Usage",
    "VariationRequest",
    "WireRequest",
    "WireResponse",
    "hookimpl",
]


if not TYPE_CHECKING:  # type checkers see the imports above, and flag misspelled names

    def __getattr__(name: str) -> Any:
        """Import a public name's module on first use, so ``import limner`` stays cheap."""
        value = _load(__name__, name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted(
        {*__all__, *_SUBMODULES, "__version__", *(name for name in globals() if name[:2] == "__")}
    )
