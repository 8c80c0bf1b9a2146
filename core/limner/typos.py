"""Unknown request fields that look like a known one misspelt or misplaced.

Unknown top-level fields are forwarded to the provider unchanged, which is how a provider's own
settings reach it. A misspelt known field (``negative_promt``) goes the same way, and a provider
that ignores fields it does not know would then drop it without a word: such a field is still
forwarded, with a ``possible_typo`` warning naming the field meant, unless the provider declares
the name its own (``Provider.own_fields``)."""

from __future__ import annotations

import difflib
import functools

from .requests import ImageConfig, ImageRequest, known_request_fields
from .responses import Notice

__all__ = [
    "CLIENT_SETTINGS",
    "POSSIBLE_TYPO",
    "one_slip",
    "one_slip_apart",
    "typo_notices",
]

POSSIBLE_TYPO = "possible_typo"
"""``Notice.code`` of an unknown field forwarded as given that looks like a known one."""

CLIENT_SETTINGS = frozenset(
    {
        "connect_timeout",
        "poll_timeout",
        "retry",
        "strict",
        "allow_private_networks",
        "max_download_bytes",
    }
)
"""The client's settings (``limner.client_options.ClientOptions``) that a call does not take as
its own (``timeout`` and ``max_retries`` it does, as the openai SDK's calls do): given to a call,
they are request fields, forwarded, and said to be the client's."""

_CUTOFF = 0.8
"""How alike (difflib's ratio) an unknown name and a known one must be to be taken for it."""
_SHORTEST = 4
"""The shortest name that one slip (see :func:`one_slip_apart`) is enough to take for a known
one: short names fall below ``_CUTOFF`` after one slip (``sise`` for ``size`` is 0.75)."""


@functools.cache
def _known() -> dict[str, str]:
    """Known field names, and the nested ones by their own name (what they are called in the
    request): ``aspect_ratio`` is ``image_config.aspect_ratio``."""
    names = {name: name for name in known_request_fields()}
    names.update({name: f"image_config.{name}" for name in ImageConfig.model_fields})
    return names


def typo_notices(request: ImageRequest, own: frozenset[str] = frozenset()) -> list[Notice]:
    """A warning for each forwarded field whose name is close to a known one's, except the
    provider's ``own`` fields (:attr:`limner.Provider.own_fields`)."""
    known = _known()
    notices = []
    for name in request.forwarded:
        if name in own:
            continue
        if name in CLIENT_SETTINGS:
            notices.append(_client_setting(name))
            continue
        close = difflib.get_close_matches(name, known, n=1, cutoff=_CUTOFF) or [
            field for field in known if one_slip_apart(name, field)
        ]
        if close:
            meant = known[close[0]]
            notices.append(
                Notice(
                    code=POSSIBLE_TYPO,
                    message=f"{name} is not a field limner knows: it is forwarded to the "
                    f"provider as given (a provider that does not know it ignores or refuses "
                    f"it); did you mean {meant}?",
                    param=name,
                )
            )
    return notices


def _client_setting(name: str) -> Notice:
    return Notice(
        code=POSSIBLE_TYPO,
        message=f"{name} is a setting of limner's client, not a request field: it is forwarded "
        "to the provider as given (a provider that does not know it ignores or refuses it); set "
        f"it on the client (limner.Client({name}=...), or client.with_options({name}=...); a "
        "gateway's client is its operator's)",
        param=name,
    )


def one_slip_apart(typed: str, field: str) -> bool:
    """Whether ``typed`` is ``field`` with one letter changed, added, dropped, or two neighbours
    swapped, for names of at least ``_SHORTEST`` letters."""
    if min(len(typed), len(field)) < _SHORTEST or typed == field:
        return False
    if len(typed) == len(field):
        differ = [i for i, (a, b) in enumerate(zip(typed, field, strict=True)) if a != b]
        if len(differ) == 1:
            return True
        first = differ[0]
        return (
            differ == [first, first + 1]
            and typed[first] == field[first + 1]
            and (typed[first + 1] == field[first])
        )
    shorter, longer = sorted((typed, field), key=len)
    if len(longer) - len(shorter) != 1:
        return False
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def one_slip(name: str, close: list[str]) -> bool:
    """Whether ``name`` is one slip of the keyboard from its closest known name (``close[0]``):
    two neighbours swapped (``opneai`` for ``openai``), or one letter missing or wrong
    (``opnai``, ``openia`` aside). A longer name (``openai2``, ``openai_pro``) may be another
    provider's."""
    return bool(close) and len(name) <= len(close[0]) and one_slip_apart(name, close[0])
