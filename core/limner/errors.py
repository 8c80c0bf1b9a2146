"""Every error limner raises, as one tree rooted in :class:`LimnerError`.

::

    LimnerError                     any failure; renders an OpenAI error body and an HTTP status
    ├── InvalidRequestError         400  bad input, names the parameter (``param``)
    │   └── UnsupportedFeatureError 400  the model cannot do what was asked
    ├── PayloadTooLargeError        413  a request body or input image is over a limit
    ├── AuthenticationError         401  missing or rejected credentials
    │   └── MissingCredentialsError 401  no credential configured; names the env var and the setting
    ├── PermissionDeniedError       403  the credential may not use this model or feature
    ├── BillingError                402  the account has no credit or quota left
    ├── NotFoundError               404  unknown model (with close suggestions) or retired model
    ├── ContentPolicyError          400  the provider refused the prompt or an image
    ├── RateLimitError              429  too many requests; ``retry_after`` in seconds when known
    ├── ProviderError               502  the provider failed or answered something unreadable
    │   ├── ProviderUnavailableError 503  the provider is overloaded or down (5xx)
    │   └── NoImageGeneratedError   502  the provider answered without an image (``text`` kept)
    ├── RequestTimeoutError         504  no answer in time
    │   └── JobTimeoutError         504  a provider's job not done within ``poll_timeout``
    ├── ProviderConnectionError     502  the provider could not be reached
    └── PluginError                 500  a plugin is broken (fails to load, bad registration or
                                         translation, duplicate provider)

Each error carries ``provider``, ``model``, ``status_code`` (the provider's, when one answered),
``request_id`` and ``retryable``; :meth:`LimnerError.to_openai` gives the body a gateway returns.
Which error fits an HTTP status is :mod:`limner.status_errors`'s business; the base class, its
fields and its rendering are in :mod:`limner.error_base`.
An error that a provider setting would fix names it in ``setting`` (a :class:`ProviderSetting`):
``str(error)`` adds how to pass it from Python, while ``message`` keeps to what every surface
shares (the environment), so the command line and the gateway show no Python. An error that ran
into one of the client's own limits (its ``timeout``) names it in ``limit`` (a
:class:`~limner.client_limits.ClientLimit`) the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .client_limits import POLL_TIMEOUT
from .error_base import LimnerError
from .provider_settings import ProviderSetting

__all__ = [
    "AuthenticationError",
    "BillingError",
    "ContentPolicyError",
    "InvalidRequestError",
    "JobTimeoutError",
    "LimnerError",
    "MissingCredentialsError",
    "NoImageGeneratedError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "PluginError",
    "ProviderConnectionError",
    "ProviderError",
    "ProviderSetting",
    "ProviderUnavailableError",
    "RateLimitError",
    "RequestTimeoutError",
    "UnsupportedFeatureError",
]


class InvalidRequestError(LimnerError):
    """The request is invalid; ``param`` names the offending parameter. Raised before any network
    call when limner can tell, or from the provider's 400/422."""

    http_status = 400
    error_type = "invalid_request_error"


class UnsupportedFeatureError(InvalidRequestError):
    """The model cannot do what was asked (an operation, a mask, several input images...)."""

    default_code = "unsupported_feature"


class PayloadTooLargeError(LimnerError):
    """A request body, an input image or a download is over a size limit."""

    http_status = 413
    error_type = "invalid_request_error"
    default_code = "payload_too_large"


class AuthenticationError(LimnerError):
    """The provider rejected the credential (401), or none is configured."""

    http_status = 401
    error_type = "authentication_error"


class MissingCredentialsError(AuthenticationError):
    """No credential is configured for a provider. The message names the environment variable
    and the client setting that provide one."""

    default_code = "missing_credentials"


class PermissionDeniedError(LimnerError):
    """The credential is valid but may not use this model or feature (403)."""

    http_status = 403
    error_type = "permission_error"


class BillingError(LimnerError):
    """The account is out of credit or quota (402)."""

    http_status = 402
    error_type = "billing_error"
    default_code = "insufficient_quota"


class NotFoundError(LimnerError):
    """An unknown model (``suggestions`` lists close ids), or one the provider no longer serves
    (``replacement`` names its successor when known)."""

    http_status = 404
    error_type = "not_found_error"
    default_code = "model_not_found"

    def __init__(
        self,
        message: str,
        *,
        suggestions: tuple[str, ...] = (),
        replacement: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.suggestions = suggestions
        self.replacement = replacement


class ContentPolicyError(LimnerError):
    """The provider refused the prompt or an image on safety grounds; ``reason`` holds its words.

    ``categories`` are the provider's names for what it found (``("sexual",)``) and ``stage``
    whether it refused the request (``"input"``) or its own result (``"output"``), when it says
    so. The OpenAI body carries them as ``moderation_details``, as OpenAI's image answers do, and
    ``said_type`` as its ``type`` when the provider's body is OpenAI's own
    (``image_generation_user_error``)."""

    http_status = 400
    error_type = "invalid_request_error"
    default_code = "content_policy_violation"

    def __init__(
        self,
        message: str,
        *,
        reason: str | None = None,
        categories: Sequence[str] = (),
        stage: str | None = None,
        said_type: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.reason = reason
        self.categories = tuple(categories)
        self.stage = stage
        self.said_type = said_type

    def to_openai(self) -> dict[str, Any]:
        body = super().to_openai()
        error = body["error"]
        if self.said_type is not None:
            error["type"] = self.said_type
        if self.categories or self.stage is not None:
            error["moderation_details"] = {
                "moderation_stage": self.stage,
                "categories": list(self.categories),
            }
        return body


class RateLimitError(LimnerError):
    """Too many requests (429), with the provider's ``retry_after`` when it gave one."""

    http_status = 429
    error_type = "rate_limit_error"
    default_code = "rate_limit_exceeded"

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("retryable", True)
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ProviderError(LimnerError):
    """The provider failed, or answered with something limner cannot read."""

    http_status = 502
    error_type = "api_error"
    default_code = "upstream_error"


class ProviderUnavailableError(ProviderError):
    """The provider is overloaded or down (5xx)."""

    http_status = 503
    default_code = "upstream_unavailable"


class NoImageGeneratedError(ProviderError):
    """The provider answered successfully but with no image (a text-only answer, an empty
    result). ``text`` holds whatever the model said instead."""

    default_code = "no_image_generated"

    def __init__(self, message: str, *, text: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.text = text


class RequestTimeoutError(LimnerError):
    """No answer in time: within the client's ``timeout`` (then ``limit`` says so), or the
    provider said it timed out (HTTP 408)."""

    http_status = 504
    error_type = "timeout_error"
    default_code = "timeout"


class JobTimeoutError(RequestTimeoutError):
    """A provider's job was not done within the client's ``poll_timeout`` (see
    :mod:`limner.polling`). It may still finish, and be billed: ``job`` is the provider's id for
    it, when the plugin gave one. Not retryable: sending the request again starts another job."""

    default_code = "poll_timeout"
    limit = POLL_TIMEOUT

    def __init__(self, message: str, *, job: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.job = job
        self.submitted = True


class ProviderConnectionError(LimnerError):
    """The provider could not be reached (DNS, refused connection, TLS failure)."""

    http_status = 502
    error_type = "api_connection_error"
    default_code = "connection_error"
    dropped: bool = False
    """Whether the connection was lost after the request went out (the provider may have taken
    it), rather than never made."""


class PluginError(LimnerError):
    """A plugin is broken: a hook implementation matches no specification, two plugins register the
    same provider, or a plugin returned something of the wrong type."""

    http_status = 500
    error_type = "api_error"
    default_code = "plugin_error"

    @classmethod
    def returned(cls, step: str, value: object, wanted: str, **common: Any) -> PluginError:
        """The error for a plugin's ``step`` that returned ``value`` where ``wanted`` (said
        with its article: "a ProviderResult or Pending") was due."""
        return cls(f"{step} returned {type(value).__name__}, not {wanted}", **common)

    @classmethod
    def crashed(
        cls, step: str, provider: str, model: str, exc: Exception, culprit: str = ""
    ) -> PluginError:
        """The error for a plugin's ``step`` that raised ``exc``, which is not a
        :class:`LimnerError` (raise it ``from exc`` to keep the plugin's traceback).
        ``culprit`` names the plugin(s) that may have raised it; by default the provider's."""
        culprit = culprit or f"the {provider} plugin"
        return cls(
            f"{culprit} failed in {step} ({type(exc).__name__}: {exc}); this is a bug in the "
            "plugin: report it to its authors",
            provider=provider,
            model=model,
        )
