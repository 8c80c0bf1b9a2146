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

__all__ = ["POSSIBLE_TYPO", "typo_notices"]

POSSIBLE_TYPO = "possible_typo"
"""``Notice.code`` of an unknown field forwarded as given that looks like a known one."""

_CUTOFF = 0.8
"""How alike (difflib's ratio) an unknown name and a known one must be to be taken for it."""


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
        close = difflib.get_close_matches(name, known, n=1, cutoff=_CUTOFF)
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
