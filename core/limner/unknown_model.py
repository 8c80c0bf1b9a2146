"""The error for a model no installed plugin serves: close names suggested, and why none may
be served (a plugin disabled, or none installed)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

from .errors import NotFoundError
from .loading import DISABLE_ENV

__all__ = ["LIST_MODELS_HINT", "NO_PLUGINS_HINT", "unknown_model"]

LIST_MODELS_HINT = "client.models.list() lists the models (on the command line: limner models)."
"""How an unknown model's error ends; the command line says it its own way."""

NO_PLUGINS_HINT = (
    "No provider plugin is installed (none registered in the entry-point group 'limner'): "
    "pip install limner installs the built-in ones."
)
"""Said where no model is found because no plugin registered any."""


def unknown_model(
    key: str,
    names: Iterable[str],
    aliases: Mapping[str, str],
    blocked: Iterable[str],
    no_plugins: bool,
) -> NotFoundError:
    """The error for ``key``, which no model of ``names`` (ids and ``aliases``, an alias to the
    id it names) is: up to three close names suggested; the plugins ``blocked`` named, or, with
    ``no_plugins``, that none is installed."""
    close = _close_names(key.lower(), list(names))
    suggestions = tuple(dict.fromkeys(aliases.get(name, name) for name in close))[:3]
    hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
    off = sorted(blocked)
    if off:  # perhaps the model of a plugin the user disabled
        which = f"plugins {', '.join(off)} are" if len(off) > 1 else f"plugin {off[0]} is"
        hint += (
            f" The {which} disabled (disable_plugins or {DISABLE_ENV}), and a disabled "
            "plugin's models are not served."
        )
    elif no_plugins:
        hint += f" {NO_PLUGINS_HINT}"
    return NotFoundError(
        f"Unknown model {key!r}.{hint} {LIST_MODELS_HINT}",
        param="model",
        model=key,
        suggestions=suggestions,
    )


def _close_names(key: str, names: list[str]) -> list[str]:
    """Names like ``key``: of the provider it names, when it names one that has models
    (``acme/pixl...``: Acme's, not another provider's look-alike); those it is part of,
    punctuation aside and shortest first (``pix4``: ``pix-4.0`` and ``pix-4.0-fast``, not
    another provider's ``pic-4``), else difflib's closest."""
    provider, slash, _ = key.partition("/")
    own = [name for name in names if name.lower().startswith(f"{provider}/")] if slash else []
    pool, cutoff = (own, 0.3) if own else (names, 0.5)
    bare = _bare(key)
    within = sorted((n for n in pool if bare in _bare(n)), key=len) if len(bare) > 2 else []
    return within or difflib.get_close_matches(key, pool, n=3, cutoff=cutoff)


def _bare(name: str) -> str:
    """``name`` in lower case without its hyphens, dots and underscores."""
    return name.lower().translate(_PUNCTUATION)


_PUNCTUATION = str.maketrans("", "", "-._")
