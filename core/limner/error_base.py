"""The base of limner's error tree (see :mod:`limner.errors`): :class:`LimnerError`, the fields
every error carries (who failed, what may be billed, what would fix it), and how it renders: its
message, ``str(error)`` with the Python spelling of a setting or limit, and the OpenAI error
body a gateway returns."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from .client_limits import ClientLimit
from .provider_settings import ProviderSetting

if TYPE_CHECKING:
    from .responses import Usage

__all__ = ["LimnerError", "renamed_param"]


def renamed_param(param: str | None, field: str, name: str) -> str | None:
    """``param`` with the request field ``field`` called ``name`` (``images[0]`` as
    ``image[0]``), as the caller spelt it; another param as it is."""
    if param is None or not param.startswith(field):
        return param
    return name + param.removeprefix(field)


class LimnerError(Exception):
    """Base of every limner error. ``http_status`` is the status a gateway answers with;
    ``error_type`` and ``code`` fill the OpenAI error body. ``body`` is the provider's answer
    to a failed call as the OpenAI SDK's ``APIStatusError.body`` holds it: the JSON's
    ``error`` member when the JSON is an object that has one (``body["code"]``), else the
    JSON, else the answer's text; ``None`` for an error no answer said (secrets redacted)."""

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
        if self.setting is not None:  # (before what may be billed, which stays last)
            head, tail = self._billed_apart()
            return f"{head.rstrip('.')} (or {self.setting.python()}){tail}"
        if self.limit is not None:
            return self.with_advice(self.limit.python())
        return self.message

    def with_advice(self, advice: str) -> str:
        """The message with ``advice`` (what to do next) said before what may be billed, which
        stays last."""
        head, tail = self._billed_apart()
        return f"{head.rstrip('.')}; {advice}{tail}"

    def _billed_apart(self) -> tuple[str, str]:
        """The message, cut where the first of its billing notes it says begins (``("...",
        "")`` when it says none: some, an earlier attempt sent again, are in the note only)."""
        text = self.message.rstrip(".")
        cuts = [text.find(f"; {said}") for said in self.billing_note.split("; ") if said]
        at = min((cut for cut in cuts if cut >= 0), default=-1)
        return (text[:at], text[at:]) if at >= 0 else (text, "")

    def add_billing_note(self, note: str) -> None:
        """Say ``note`` (what may be billed) at the end of the message and in ``billing_note``."""
        self.message = f"{self.message.rstrip('.')}; {note}"
        self.billing_note = f"{self.billing_note}; {note}" if self.billing_note else note

    def rename_param(self, field: str, name: str) -> LimnerError:
        """This error, with the request field ``field`` called ``name``, as the caller spelt it
        (the gateway's multipart edits send ``image``: ``images[0]`` becomes ``image[0]``), in
        ``param`` and the message."""
        if self.param is not None and self.param.startswith(field):
            self.param = renamed_param(self.param, field, name)
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
