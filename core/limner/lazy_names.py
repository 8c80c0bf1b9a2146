"""Where each public name of ``limner`` is defined, and which submodules a bare ``import limner``
makes reachable as attributes: ``limner.__getattr__`` imports them on first use, so that
``import limner`` stays cheap. Type checkers read the imports in ``limner/__init__.py`` instead."""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["LAZY", "SUBMODULES", "load"]

LAZY: dict[str, str] = {  # public name -> the module that defines it
    "Adjustment": "responses",
    "AsyncClient": "client",
    "AuthenticationError": "errors",
    "BillingError": "errors",
    "BackendCapabilities": "capabilities",
    "Capabilities": "capabilities",
    "ChatCompletion": "chat.response",
    "ChatMessage": "chat.schema",
    "Changes": "changes",
    "Client": "sync_client",
    "ContentPolicyError": "errors",
    "DryRun": "dryrun",
    "EditRequest": "requests",
    "Estimate": "dryrun",
    "FieldRule": "field_rule",
    "FilePart": "wire",
    "GenerateRequest": "requests",
    "ImageConfig": "requests",
    "ImageData": "responses",
    "ImageFormatWarning": "responses",
    "ImagePrice": "capabilities",
    "ImageRef": "requests",
    "ImagesResponse": "responses",
    "InputImage": "images",
    "InvalidRequestError": "errors",
    "JobTimeoutError": "errors",
    "Lifecycle": "capabilities",
    "LimnerError": "errors",
    "MissingCredentialsError": "errors",
    "ModelInfo": "capabilities",
    "ModelList": "client_models",
    "NoImageGeneratedError": "errors",
    "NotFoundError": "errors",
    "Notice": "responses",
    "Operation": "capabilities",
    "OperationCapabilities": "capabilities",
    "PayloadTooLargeError": "errors",
    "Pending": "provider",
    "PermissionDeniedError": "errors",
    "PluginError": "errors",
    "PriceSheet": "capabilities",
    "Provider": "provider",
    "ProviderCall": "provider",
    "ProviderConnectionError": "errors",
    "ProviderError": "errors",
    "ProviderSetting": "errors",
    "ProviderResult": "provider",
    "ProviderSettings": "provider",
    "ProviderUnavailableError": "errors",
    "RateLimitError": "errors",
    "RequestTimeoutError": "errors",
    "RetryPolicy": "retry",
    "SizeRules": "size_rules",
    "TokenPrices": "capabilities",
    "Translation": "provider",
    "UnsupportedFeatureError": "errors",
    "Usage": "token_usage",
    "VariationRequest": "requests",
    "WireRequest": "wire",
    "WireResponse": "wire",
    "hookimpl": "hookspecs",
}

# Submodules reachable as attributes after a bare ``import limner`` (``limner.plugins``), as
# they were when ``import limner`` imported them all.
SUBMODULES = frozenset(
    {
        "addresses",
        "admission",
        "answer_bodies",
        "answer_costs",
        "arguments",
        "authorizing",
        "base64_text",
        "call_prices",
        "calls",
        "capabilities",
        "changes",
        "clear_credentials",
        "chat",
        "cli",
        "client",
        "client_defaults",
        "client_limits",
        "client_models",
        "client_options",
        "connections",
        "credential_notes",
        "daemon_threads",
        "declared",
        "default_hooks",
        "delivery",
        "describing",
        "download",
        "dryrun",
        "engine",
        "error_base",
        "errors",
        "estimates",
        "exchange_failures",
        "extra_headers",
        "failure_cost",
        "field_rule",
        "forwarding",
        "gateway",
        "heif",
        "hookspecs",
        "http",
        "image_header",
        "images",
        "input_errors",
        "inputs",
        "integrity",
        "interrupted",
        "kinds",
        "lazy_names",
        "lifecycle",
        "lifetime",
        "loading",
        "loop_thread",
        "masks",
        "merging",
        "money",
        "off_loop",
        "outcomes",
        "params",
        "per_model",
        "plugin_failures",
        "plugins",
        "polling",
        "price_sheet",
        "pricing",
        "provider",
        "provider_settings",
        "proxies",
        "ready_credentials",
        "redaction",
        "registered",
        "requests",
        "responses",
        "retry",
        "safe_text",
        "schema",
        "sending",
        "serve_defaults",
        "settings_store",
        "shaped",
        "signing",
        "size_rules",
        "sizing",
        "status_errors",
        "suggest",
        "sync_client",
        "testing",
        "token_usage",
        "translation_check",
        "typos",
        "unknown_model",
        "unknown_names",
        "unreported",
        "unsendable",
        "validation",
        "values",
        "versions",
        "wire",
        "writing",
    }
)


def load(package: str, name: str) -> Any:
    """The value of ``package``'s attribute ``name``, imported on first use: a public name's
    module's attribute, a submodule, or the version; ``AttributeError`` for anything else."""
    if name == "__version__":  # read from the installed metadata, on first use
        from .versions import core_version

        return core_version()
    if name in LAZY:
        return getattr(importlib.import_module(f".{LAZY[name]}", package), name)
    if name not in SUBMODULES:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    try:
        return importlib.import_module(f".{name}", package)
    except ModuleNotFoundError as exc:  # limner.testing without pytest: not there
        if exc.name is None or exc.name.startswith(package):
            raise
        raise AttributeError(
            f"module {package!r} has no attribute {name!r}: it needs {exc.name}"
        ) from exc
