"""``import limner`` stays cheap: names load on first use, and discovery needs no I/O stack."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import limner

# Imported by the first request, never by ``import limner`` or plugin discovery.
IO_MODULES = ("aiohttp", "asyncio", "jsonschema", "PIL", "botocore", "limner.engine", "limner.http")


def test_every_public_name_resolves() -> None:
    for name in limner.__all__:
        assert getattr(limner, name) is not None, name
    assert set(limner.__all__) <= set(dir(limner))


def test_submodules_resolve_as_attributes() -> None:
    assert limner.plugins.default_registry is not None
    assert limner.errors.LimnerError is limner.LimnerError


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        limner.nothing_here  # noqa: B018


def test_discovery_imports_no_io_stack() -> None:
    """Listing every model of every installed plugin loads no HTTP, asyncio or image code."""
    code = (
        "import json, sys, limner\n"
        "models = limner.plugins.default_registry().models()\n"
        f"print(json.dumps([len(models), [m for m in {IO_MODULES!r} if m in sys.modules]]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    count, loaded = json.loads(out.stdout)
    assert count > 0
    assert loaded == []
