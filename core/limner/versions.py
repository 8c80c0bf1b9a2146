"""The installed versions of limner and of the plugins found through its entry points, for bug
reports (``limner --version``, ``limner.__version__``)."""

from __future__ import annotations

import importlib.metadata

from .hookspecs import PROJECT

__all__ = ["core_version", "installed_versions"]

CORE_DISTRIBUTION = f"{PROJECT}-core"


def core_version() -> str:
    """The version of the core distribution (``0+unknown`` when run from a bare source tree)."""
    try:
        return importlib.metadata.version(CORE_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


def installed_versions() -> list[tuple[str, str]]:
    """``(distribution, version)`` for the core and for each distribution that provides a plugin
    through the entry-point group, sorted by name after the core."""
    plugins = {
        (entry.dist.name, entry.dist.version)
        for entry in importlib.metadata.entry_points(group=PROJECT)
        if entry.dist is not None
    }
    return [(CORE_DISTRIBUTION, core_version()), *sorted(plugins)]
