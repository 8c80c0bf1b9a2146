"""Fields every Stability endpoint shares: prompt, negative prompt, seed, output format, provider
options, and the OpenAI settings Stability has no equivalent for (dropped and reported)."""

from __future__ import annotations

from collections.abc import Collection

from limner import EditRequest, GenerateRequest, InvalidRequestError
from limner.forwarding import forward_fields

from .options import StabilityOptions
from .plan import Plan, form_value

MAX_NEGATIVE_PROMPT = 10_000
"""``negative_prompt`` ``maxLength`` on every endpoint that takes it [SPEC]."""

__all__ = [
    "MAX_SEED",
    "USER_HEADER",
    "apply_options",
    "negative_prompt",
    "options_of",
    "output_format",
    "prompt",
    "seed",
    "style",
    "unsupported",
    "user_header",
]

MAX_SEED = 4_294_967_294  # [SPEC] seed: number 0 ... 4294967294, 0 = random
OPTION_PARAM = "provider_options.stabilityai"

# OpenAI settings with no Stability equivalent: reported, never sent.
_NO_EQUIVALENT = ("quality", "background", "moderation", "output_compression", "metadata")


def options_of(plan: Plan) -> StabilityOptions:
    options = plan.call.options
    return options if isinstance(options, StabilityOptions) else StabilityOptions()


def prompt(plan: Plan, request: GenerateRequest | EditRequest, *, takes: bool) -> None:
    """The prompt, where the service takes one; an edit left without one (core allows that
    only in ``edit_modes_without_prompt``) sends none."""
    if not request.prompt:
        return
    if takes:
        plan.set("prompt", request.prompt)
    else:
        plan.drop("prompt", request.prompt, f"{plan.what} takes no prompt")


def negative_prompt(plan: Plan, request: GenerateRequest | EditRequest, *, takes: bool) -> None:
    value = request.negative_prompt
    if value is None:
        return
    if len(value) > MAX_NEGATIVE_PROMPT:  # refused even where dropped, as the model's schema does
        raise InvalidRequestError(
            f"negative_prompt is {len(value)} characters; Stability takes at most "
            f"{MAX_NEGATIVE_PROMPT}. Shorten it",
            param="negative_prompt",
            code="negative_prompt_too_long",
        )
    if not takes:
        plan.drop("negative_prompt", value, f"{plan.what} takes no negative_prompt")
        return
    plan.set("negative_prompt", value)
    unguided = plan.endpoint == "generate/sd3" and plan.model_name in UNGUIDED_BY_DEFAULT
    if unguided and (options_of(plan).cfg_scale or 1) <= 1:
        # at a cfg_scale of 1 (the default of Turbo and Flash, per the spec's cfg_scale)
        # guidance, which a negative prompt steers, is off; Stability's 2024 spec said it "does
        # not work" there, the 2026 one no longer does
        plan.warn(
            "may_be_ignored",
            f"{plan.model_name}'s default cfg_scale of 1 leaves a negative prompt little to "
            "steer; it is sent anyway (provider_options.stability.cfg_scale above 1 gives it "
            "effect)",
            param="negative_prompt",
        )


UNGUIDED_BY_DEFAULT = frozenset({"sd3.5-large-turbo", "sd3.5-flash"})
"""The sd3 models whose ``cfg_scale`` defaults to 1 ("Large/Medium 4, Turbo/Flash 1")."""


def seed(plan: Plan, request: GenerateRequest | EditRequest, *, takes: bool) -> None:
    """The seed, offset by the call's index when ``n`` is split (the same seed in every call
    would make ``n`` identical images). 0 means random and is kept."""
    value = request.seed
    if value is None:
        return
    if not 0 <= value <= MAX_SEED:
        raise InvalidRequestError(
            f"seed {value} is out of range: Stability takes 0 to {MAX_SEED} (0 = random)",
            param="seed",
        )
    if not takes:
        plan.drop("seed", value, f"{plan.what} takes no seed")
        return
    # 0 asks for a random seed in every call, so it stays 0; others vary from 1 to MAX_SEED
    applied = plan.split_seed(value, plan.call.index, low=1, high=MAX_SEED) if value else value
    plan.set("seed", applied)


def output_format(
    plan: Plan, request: GenerateRequest | EditRequest, formats: tuple[str, ...]
) -> None:
    value = request.output_format
    if value is None:
        return
    if value not in formats:
        applied = formats[0]
        plan.adjust(
            "output_format",
            value,
            applied,
            f"{plan.what} returns {' or '.join(formats)} only",
        )
        value = applied
    plan.set("output_format", value)


def apply_options(plan: Plan, applicable: Collection[str], handled: Collection[str] = ()) -> None:
    """Send the provider options this endpoint takes (except ``handled`` ones, which the caller
    sends itself); report the others as dropped. ``accept`` is a header, handled elsewhere."""
    options = options_of(plan)
    for name in StabilityOptions.model_fields:
        value = getattr(options, name)
        if value is None or name == "accept" or name in handled:
            continue
        if name in applicable:
            plan.set(name, value)
        else:
            plan.drop(f"{OPTION_PARAM}.{name}", value, f"{plan.what} takes no {name}")


def style(plan: Plan, request: GenerateRequest | EditRequest, *, takes: bool) -> None:
    """The request's ``style``, one of Stability's presets (the model's ``styles``), sent as
    ``style_preset``; ``provider_options.stabilityai.style_preset`` wins over it."""
    value = request.style
    if value is None:
        return
    if not takes:
        plan.drop("style", value, f"{plan.what} takes no style preset")
        return
    chosen = options_of(plan).style_preset
    if chosen is not None and chosen != value:
        plan.drop("style", value, f"{OPTION_PARAM}.style_preset ({chosen}) wins over it")
    elif chosen is None:
        plan.set("style_preset", value)


USER_HEADER = "stability-client-user-id"
"""Where Stability takes OpenAI's ``user`` or ``safety_identifier``: "a unique identifier for
your end user" [SPEC StabilityClientUserID, a header of at most 256 characters]."""
_USER_MAX = 256


def _header_safe(user: str) -> bool:
    return len(user) <= _USER_MAX and user.isascii() and user.isprintable()


def _end_user(request: GenerateRequest | EditRequest) -> str | None:
    """The end-user id sent: ``safety_identifier`` unless it is unset or empty, as at OpenAI ("A
    non-empty value takes precedence over the deprecated `user` parameter. If omitted, null, or
    empty, the API uses `user`" [SDK ImageGenerateParams.safety_identifier]), else ``user``;
    one a header can carry (else the other, if it can; else none)."""
    given = [request.safety_identifier or None, request.user]
    return next((user for user in given if user is not None and _header_safe(user)), None)


def user_header(request: GenerateRequest | EditRequest) -> dict[str, str]:
    """The end user (:func:`_end_user`) as Stability's :data:`USER_HEADER` (:func:`unsupported`
    reports the id not sent)."""
    user = _end_user(request)
    return {USER_HEADER: user} if user is not None else {}


def _unsent_end_user(plan: Plan, request: GenerateRequest | EditRequest) -> None:
    sent = _end_user(request)
    for param, user in (("safety_identifier", request.safety_identifier), ("user", request.user)):
        if user is None or user == sent:
            continue
        if not _header_safe(user):
            why = (
                f"Stability takes the end-user id in its {USER_HEADER} header, which holds at "
                f"most {_USER_MAX} printable ASCII characters"
            )
        elif param == "user" and sent is not None:
            why = (
                "safety_identifier, also set, names the end user instead (at OpenAI too it "
                "takes precedence over user)"
            )
        else:  # an empty safety_identifier: OpenAI uses user then too
            continue
        plan.drop(param, user, why)


def unsupported(plan: Plan, request: GenerateRequest | EditRequest) -> None:
    """Drop what Stability has no equivalent for."""
    for name in _NO_EQUIVALENT:
        value = getattr(request, name)
        if value is not None:
            plan.drop(name, value, f"Stability has no {name} parameter")
    if request.partial_images is not None:
        plan.drop(
            "partial_images",
            request.partial_images,
            "Stability has no partial images (OpenAI's come in streamed responses, which limner "
            "does not make)",
        )
    _unsent_end_user(plan, request)
    if isinstance(request, EditRequest) and request.input_fidelity is not None:
        plan.drop("input_fidelity", request.input_fidelity, "Stability has no input_fidelity")
    if request.response_format == "url":
        plan.adjust("response_format", "url", "b64_json", "Stability returns image data, not URLs")


def forward(plan: Plan) -> None:
    """Unknown request fields go to the form unchanged, once limner has built its own: one
    that would change a field limner sends (from the request's settings or as its default) is
    refused, since what the call reports it sent would then be wrong; one equal to it is
    already sent."""
    instead = f"the request's own fields or {OPTION_PARAM}"
    forward_fields(plan.fields, plan.call.request.forwarded, instead=instead, encode=form_value)
