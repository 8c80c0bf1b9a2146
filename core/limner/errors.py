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
Which error fits an HTTP status is :mod:`limner.status_errors`'s business.
An error that a provider setting would fix names it in ``setting`` (a :class:`ProviderSetting`):
``str(error)`` adds how to pass it from Python, while ``message`` keeps to what every surface
shares (the environment), so the command line and the gateway show no Python. An error that ran
into one of the client's own limits (its ``timeout``) names it in ``limit`` (a
:class:`~limner.client_limits.ClientLimit`) the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from .client_limits import POLL_TIMEOUT, ClientLimit
from .provider_settings import ProviderSetting

if TYPE_CHECKING:
    from .responses import Usage

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


class LimnerError(Exception):
    """Base of every limner error. ``http_status`` is the status a gateway answers with;
    ``error_type`` and ``code`` fill the OpenAI error body."""

    http_status: ClassVar[int] = 500
    error_type: ClassVar[str] = "api_error"
    default_code: ClassVar[str | None] = None
    submitted: bool = False
    """Whether the provider had taken the work (a job) before this failure: it may still finish,
    and be billed, so sending the request again would pay twice."""
    job: str | None = None
    """The provider's id for that job, when it gave one."""
    setting: ProviderSetting | None = None
    """The client setting that would fix this, when one would (``str(error)`` says how to pass
    it from Python)."""
    limit: ClientLimit | None = None
    """The client's limit this ran into, when it did: ``str(error)`` says how to raise it from
    Python, and the command line names its flag."""
    billing_note: str = ""
    """What the message says of what may be billed (a ``submitted`` job, a request sent again, a
    refusal's ``usage``), so a gateway that words the message its own way can keep it."""
    call: str = ""
    """Which call of a request whose ``n`` was split failed (``"call 2 of 3 (1 image(s))"``), as
    the message begins, so a gateway that words the message its own way can name it again."""
    retry_after: float | None = None
    """The provider's wait in seconds, when its answer (a 429, a 503...) asked for one."""
    usage: Usage | None = None
    """The usage the calls reported (a refusal, a text-only answer), priced in ``cost``."""
    cost: Decimal | None = None
    """What ``usage`` costs in USD, for a model billed by tokens: the provider may bill it."""

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        provider: str | None = None,
        model: str | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
        retryable: bool = False,
        body: Any = None,
        setting: ProviderSetting | None = None,
    ) -> None:
        super().__init__(message)
        self.setting = setting
        self.param = param
        self.code = code if code is not None else self.default_code
        self.provider = provider
        self.model = model
        self.status_code = status_code
        self.request_id = request_id
        self.retryable = retryable
        self.body = body

    @property
    def message(self) -> str:
        """What went wrong and what to do next, in words every surface shares. ``str(error)``
        adds the Python spelling of ``setting`` or ``limit``, when there is one."""
        return str(self.args[0]) if self.args else ""

    @message.setter
    def message(self, text: str) -> None:  # rewording keeps str(error) in step
        self.args = (text,)

    def __str__(self) -> str:
        if self.setting is not None:
            return f"{self.message.rstrip('.')} (or {self.setting.python()})"
        if self.limit is not None:
            return f"{self.message.rstrip('.')}; {self.limit.python()}"
        return self.message

    def rename_param(self, field: str, name: str) -> LimnerError:
        """This error, with the request field ``field`` called ``name``, as the caller spelt it
        (the gateway's multipart edits send ``image``: ``images[0]`` becomes ``image[0]``), in
        ``param`` and the message."""
        if self.param is not None and self.param.startswith(field):
            self.param = name + self.param.removeprefix(field)
            said = self.message
            if said.startswith(field):
                said = name + said.removeprefix(field)
            self.message = said.replace(f"'{field}'", f"'{name}'")
        return self

    def attribute(
        self,
        provider: str,
        model: str,
        *,
        request_id: str | None = None,
        status_code: int | None = None,
    ) -> LimnerError:
        """This error, naming the provider, the model (and a request id and status) where whoever
        raised it did not: core calls it for every error a plugin raises or returns."""
        self.provider = self.provider or provider
        self.model = self.model or model
        self.request_id = self.request_id or request_id
        self.status_code = self.status_code or status_code
        return self

    @property
    def type(self) -> str:
        """The OpenAI error body's ``type`` (as the openai SDK's errors carry it)."""
        return str(self.to_openai()["error"]["type"])

    def to_openai(self) -> dict[str, Any]:
        """The OpenAI error body: ``{"error": {"message", "type", "param", "code"}}``."""
        return {
            "error": {
                "message": self.message,
                "type": self.error_type,
                "param": self.param,
                "code": self.code,
            }
        }

    def __repr__(self) -> str:
        shown: list[tuple[str, object]] = [("param", self.param), ("code", self.code)]
        shown += [("provider", self.provider), ("status_code", self.status_code)]
        extras = "".join(f", {key}={value!r}" for key, value in shown if value is not None)
        return f"{type(self).__name__}({self.message!r}{extras})"


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
