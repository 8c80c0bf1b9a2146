"""``import limner`` stays cheap: names load on first use, and discovery needs no I/O stack."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import limner
from limner.lazy_names import LAZY, SUBMODULES

# Imported by the first request, never by ``import limner`` or plugin discovery.
IO_MODULES = (
    "aiohttp",
    "asyncio",
    "jsonschema",
    "PIL",
    "botocore",
    "limner.client",
    "limner.engine",
    "limner.http",
)


def test_every_public_name_resolves_to_its_module() -> None:
    assert set(LAZY) == set(limner.__all__)
    for name, module in LAZY.items():
        assert getattr(limner, name) is getattr(importlib.import_module(f"limner.{module}"), name)


def test_every_submodule_is_reachable_as_an_attribute() -> None:
    found = {module.name for module in pkgutil.iter_modules(limner.__path__)}
    assert found - {"__main__"} == SUBMODULES  # (python -m limner: run, never imported)


def test_type_checkers_see_every_submodule_as_an_attribute() -> None:
    """``limner.serve_defaults.X`` after ``import limner`` works at run time (imported on first
    use) and, through the ``TYPE_CHECKING`` imports, in a type checker."""
    tree = ast.parse(Path(limner.__file__).read_text())
    seen = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module is None and node.level == 1
        for alias in node.names
    }
    assert seen == SUBMODULES


def test_dir_lists_the_public_names_and_submodules() -> None:
    listed = set(dir(limner))
    assert set(limner.__all__) | {"plugins", "errors", "gateway"} <= listed
    assert not {"Any", "TYPE_CHECKING", "importlib", "annotations"} & listed


def test_submodules_resolve_as_attributes() -> None:
    assert limner.plugins.default_registry is not None
    assert limner.errors.LimnerError is limner.LimnerError


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        limner.nothing_here  # type: ignore[attr-defined]  # noqa: B018


@pytest.mark.parametrize("name", ["", "a.b", "_LAZY_", "client.AsyncClient"])
def test_odd_names_are_attribute_errors(name: str) -> None:
    assert not hasattr(limner, name)


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


def test_limner_testing_without_pytest_is_simply_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    """pytest is no dependency of limner: introspection (dir, getmembers) must not fail."""
    for name in [name for name in sys.modules if name.startswith("limner.testing")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.delitem(vars(limner), "testing", raising=False)
    monkeypatch.setitem(sys.modules, "pytest", None)  # import pytest fails
    assert not hasattr(limner, "testing")
    assert inspect.getmembers(limner)
