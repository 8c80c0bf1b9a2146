"""limner: one OpenAI-compatible image API over many image providers.

>>> import limner
>>> client = limner.Client()
>>> result = client.images.generate(model="openai/gpt-image-1.5", prompt="a lighthouse", dry_run=True)
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
from .errors import (
    AuthenticationError,
    BillingError,
    ConnectionError,
    ContentPolicyError,
    InvalidRequestError,
    LimnerError,
    MissingCredentialsError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    PluginError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitError,
    TimeoutError,
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
    "AuthenticationError",
    "BillingError",
    "Capabilities",
    "ConnectionError",
    "ContentPolicyError",
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
    "NotFoundError",
    "Notice",
    "Operation",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "PluginError",
    "PriceSheet",
    "Provider",
    "ProviderCall",
    "ProviderError",
    "ProviderResult",
    "ProviderSettings",
    "ProviderUnavailableError",
    "RateLimitError",
    "SizeRules",
    "TimeoutError",
    "TokenPrices",
    "Translation",
    "UnsupportedFeatureError",
    "Usage",
    "VariationRequest",
    "WireRequest",
    "WireResponse",
    "hookimpl",
]
