"""limner: one OpenAI-compatible image API over many image providers.

>>> import limner
>>> client = limner.Client()
>>> plan = client.images.generate(model="provider/model", prompt="a fox", dry_run=True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .lazy_names import SUBMODULES as _SUBMODULES, load as _load

if TYPE_CHECKING:
    __version__: str  # read from the installed metadata on first use
    from . import (  # the submodules, as attributes (``limner.gateway``): for type checkers
        addresses as addresses,
        admission as admission,
        answer_bodies as answer_bodies,
        answer_costs as answer_costs,
        arguments as arguments,
        authorizing as authorizing,
        base64_text as base64_text,
        call_prices as call_prices,
        calls as calls,
        capabilities as capabilities,
        changes as changes,
        chat as chat,
        clear_credentials as clear_credentials,
        cli as cli,
        client as client,
        client_defaults as client_defaults,
        client_limits as client_limits,
        client_models as client_models,
        client_options as client_options,
        connections as connections,
        credential_notes as credential_notes,
        daemon_threads as daemon_threads,
        declared as declared,
        default_hooks as default_hooks,
        delivery as delivery,
        describing as describing,
        download as download,
        dryrun as dryrun,
        engine as engine,
        error_base as error_base,
        errors as errors,
        estimates as estimates,
        exchange_failures as exchange_failures,
        extra_headers as extra_headers,
        failure_cost as failure_cost,
        field_rule as field_rule,
        forwarding as forwarding,
        gateway as gateway,
        heif as heif,
        hookspecs as hookspecs,
        http as http,
        image_header as image_header,
        images as images,
        input_errors as input_errors,
        inputs as inputs,
        integrity as integrity,
        interrupted as interrupted,
        kinds as kinds,
        lazy_names as lazy_names,
        lifecycle as lifecycle,
        lifetime as lifetime,
        loading as loading,
        loop_thread as loop_thread,
        masks as masks,
        merging as merging,
        money as money,
        off_loop as off_loop,
        outcomes as outcomes,
        params as params,
        per_model as per_model,
        plugin_failures as plugin_failures,
        plugins as plugins,
        polling as polling,
        price_sheet as price_sheet,
        pricing as pricing,
        provider as provider,
        provider_settings as provider_settings,
        proxies as proxies,
        ready_credentials as ready_credentials,
        redaction as redaction,
        registered as registered,
        requests as requests,
        responses as responses,
        retry as retry,
        safe_text as safe_text,
        schema as schema,
        sending as sending,
        serve_defaults as serve_defaults,
        settings_store as settings_store,
        shaped as shaped,
        signing as signing,
        size_rules as size_rules,
        sizing as sizing,
        status_errors as status_errors,
        suggest as suggest,
        sync_client as sync_client,
        testing as testing,
        token_usage as token_usage,
        translation_check as translation_check,
        typos as typos,
        unknown_model as unknown_model,
        unknown_names as unknown_names,
        unreported as unreported,
        unsendable as unsendable,
        validation as validation,
        values as values,
        versions as versions,
        wire as wire,
        writing as writing,
    )
    from .capabilities import (
        BackendCapabilities,
        Capabilities,
        ImagePrice,
        Lifecycle,
        ModelInfo,
        Operation,
        OperationCapabilities,
        PriceSheet,
        TokenPrices,
    )
    from .changes import Changes
    from .chat.response import ChatCompletion
    from .chat.schema import ChatMessage
    from .client import AsyncClient
    from .client_models import ModelList
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
    from .field_rule import FieldRule
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
    )
    from .retry import RetryPolicy
    from .size_rules import SizeRules
    from .sync_client import Client
    from .token_usage import Usage
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
