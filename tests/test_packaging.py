"""Each distribution declares what its code imports, ships the license its metadata names, and
builds with a setuptools that reads that metadata."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DISTRIBUTIONS = {
    "core": ROOT / "core" / "limner",
    "openai": ROOT / "plugins" / "openai" / "limner_openai",
    "google": ROOT / "plugins" / "google" / "limner_google",
    "stability": ROOT / "plugins" / "stability" / "limner_stability",
    "nova_canvas": ROOT / "plugins" / "nova_canvas" / "limner_nova_canvas",
}
PROVIDED_BY = {  # import name -> the distribution that provides it
    "PIL": "pillow",
    "pydantic_core": "pydantic",  # pydantic's own core, pinned by pydantic itself
    "google": "google-auth",
    "limner": "limner-core",
}


def _imports(package: Path) -> set[str]:
    """Top-level names of the modules a package imports, outside the standard library and
    itself."""
    found: set[str] = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {package.name, "__future__"}


def _declared(project: dict[str, object]) -> set[str]:
    requirements = list(project.get("dependencies", []))  # type: ignore[call-overload]
    for extra in dict(project.get("optional-dependencies", {})).values():  # type: ignore[call-overload]
        requirements.extend(extra)
    return {re.split(r"[\[<>=!~; ]", str(r), maxsplit=1)[0].lower() for r in requirements}


@pytest.mark.parametrize("name", sorted(DISTRIBUTIONS))
def test_every_import_is_a_declared_dependency(name: str) -> None:
    package = DISTRIBUTIONS[name]
    project = tomllib.loads((package.parent / "pyproject.toml").read_text())["project"]
    needed = {
        PROVIDED_BY.get(module, module).lower().replace("_", "-") for module in _imports(package)
    }
    missing = needed - _declared(project) - {project["name"]}
    assert not missing, f"{project['name']} imports {sorted(missing)} without declaring them"


@pytest.mark.parametrize("folder", [ROOT, *(p.parent for p in DISTRIBUTIONS.values())])
def test_each_distribution_ships_the_license_its_metadata_names(folder: Path) -> None:
    pyproject = tomllib.loads((folder / "pyproject.toml").read_text())
    assert pyproject["project"]["license"] == "MIT"
    assert pyproject["project"]["license-files"] == ["LICENSE"]
    assert (folder / "LICENSE").read_text() == (ROOT / "LICENSE").read_text()
    assert "MIT License" in (folder / "LICENSE").read_text()
    # a license expression (PEP 639) is read by setuptools 77 and later only
    assert pyproject["build-system"]["requires"] == ["setuptools>=77"]
