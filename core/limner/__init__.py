"""limner: one OpenAI-compatible image API over many image providers.

>>> import limner
>>> client = limner.Client()
>>> plan = client.images.generate(model="provider/model", prompt="a fox", dry_run=True)
"""

from __future__ import annotations

from .capabilities import (
    Capabilities,
    ImagePrice,
    Lifecycle,
    ModelInfo,
    Operation,
    PriceSheet,
    SizeRules,
    TokenPrices,
)
from .client import AsyncClient, Client
from .dryrun import DryRun
from .errors import (
    AuthenticationError,
    BillingError,
    ContentPolicyError,
    InvalidRequestError,
    LimnerError,
    MissingCredentialsError,
    NoImageGeneratedError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    PluginError,
    ProviderConnectionError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitError,
    RequestTimeoutError,
    UnsupportedFeatureError,
)
from .hookspecs import hookimpl
from .images import InputImage
from .provider import Provider, ProviderCall, ProviderResult, ProviderSettings, Translation
from .requests import EditRequest, GenerateRequest, ImageConfig, ImageRef, VariationRequest
from .responses import Adjustment, ImageData, ImagesResponse, Notice, Usage
from .wire import FilePart, WireRequest, WireResponse

__all__ = [
    "Adjustment",
    "AsyncClient",
    "AuthenticationError",
    "BillingError",
    "Capabilities",
    "Client",
    "ContentPolicyError",
    "DryRun",
    "EditRequest",
    "FilePart",
    "GenerateRequest",
    "ImageConfig",
    "ImageData",
    "ImagePrice",
    "ImageRef",
    "ImagesResponse",
    "InputImage",
    "InvalidRequestError",
    "Lifecycle",
    "LimnerError",
    "MissingCredentialsError",
    "ModelInfo",
    "NoImageGeneratedError",
    "NotFoundError",
    "Notice",
    "Operation",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "PluginError",
    "PriceSheet",
    "Provider",
    "ProviderCall",
    "ProviderConnectionError",
    "ProviderError",
    "ProviderResult",
    "ProviderSettings",
    "ProviderUnavailableError",
    "RateLimitError",
    "RequestTimeoutError",
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
