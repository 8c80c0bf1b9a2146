"""The check of a translation a plugin returned, before anything is sent: a plugin's mistake
is a :class:`~limner.errors.PluginError`, not a crash in core."""

from __future__ import annotations

from .errors import PluginError
from .kinds import LIST_LIKE
from .provider import Translation
from .responses import Adjustment, Notice
from .unsendable import HEADER_CONTROLS
from .wire import WireRequest

__all__ = ["checked_translation", "translation_problem"]

_STR_OR_NONE = frozenset({str, type(None)})


def checked_translation(result: object, step: str) -> Translation:
    """``result`` when it is a well-formed translation; otherwise a :class:`PluginError`
    saying what ``step`` (``translate (the acme plugin)``) returned instead."""
    problem = translation_problem(result)
    if problem is not None:
        raise PluginError(
            f"{step} returned {problem}; this is a bug in the plugin: report it to its authors"
        )
    assert isinstance(result, Translation)  # translation_problem said so
    return result


def translation_problem(result: object) -> str | None:
    """What is wrong with a translation a plugin returned (``None`` when nothing is): checked
    before anything is sent, so a plugin's mistake is a :class:`PluginError`, not a crash in
    core. The JSON body is encoded here, once (sending and signing reuse it)."""
    if not isinstance(result, Translation):
        return f"{type(result).__name__}, not a Translation"
    request = result.request
    if not isinstance(request, WireRequest):
        return f"a Translation whose request is {type(request).__name__}, not a WireRequest"
    url = request.url
    if not isinstance(url, str) or url.partition("://")[0].lower() not in ("https", "http"):
        return f"a WireRequest whose url {url!r} is not an absolute http(s) URL"
    problem = _fields_problem(result)
    if problem is not None:
        return problem
    if request.json is not None:
        try:
            request.json_bytes()
        except (TypeError, ValueError) as exc:
            return f"a JSON body that cannot be encoded ({type(exc).__name__}: {exc})"
    elif request.is_multipart:
        return _form_problem(request)
    return None


def _form_problem(request: WireRequest) -> str | None:
    """What a multipart body's text fields or file names cannot be sent as (UTF-8), and a part
    name no header can carry (a control character)."""
    names = [*(name for name, _ in request.form), *(part.field for part in request.files)]
    for name in names:
        if isinstance(name, str) and HEADER_CONTROLS.search(name):
            return f"a form field name {name!r} that holds a control character"
    texts = [*(value for _, value in request.form), *(part.filename for part in request.files)]
    for text in texts:
        if not isinstance(text, str):
            return f"a form field or file name of type {type(text).__name__}, not str"
        try:
            text.encode()
        except UnicodeEncodeError as exc:
            return f"a form that cannot be encoded (UnicodeEncodeError: {exc})"
    return None


def _fields_problem(result: Translation) -> str | None:
    """The notices and priced settings of a translation, when they are not what they say."""
    # most translations change nothing: two empty tuples
    if result.adjustments != () or result.warnings != ():
        for name, kind in (("adjustments", Adjustment), ("warnings", Notice)):
            items = getattr(result, name)
            if not isinstance(items, LIST_LIKE):
                return f"{name} as {type(items).__name__}, not a tuple of {kind.__name__}"
            for item in items:  # (a loop: no comprehension's closure over kind)
                if not isinstance(item, kind):
                    return f"{name} holding {type(item).__name__}, not {kind.__name__}"
    if not _STR_OR_NONE.issuperset(
        (type(result.size), type(result.quality), type(result.edit_mode))
    ):
        for name in ("size", "quality", "edit_mode"):
            value = getattr(result, name)
            if value is not None and not isinstance(value, str):
                return f"a {name} of type {type(value).__name__}, not str"
    return None
