"""Plugin authors type-check against limner's models with plain ``mypy --strict``, without
pydantic's mypy plugin: mypy reads a field's default only from ``Field(default=...)``, so a
positional default (``Field(None, ...)``) makes the field look required."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*(ROOT / "core").rglob("*.py"), *(ROOT / "plugins").rglob("limner_*/**/*.py")])


def positional_defaults(path: Path) -> list[int]:
    tree = ast.parse(path.read_text())
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Field" and node.args
    ]


def test_field_defaults_are_given_by_keyword() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}" for path in SOURCES for line in positional_defaults(path)
    ]
    assert found == [], f"write Field(default=...) at {', '.join(found)}"


def test_the_check_sees_a_positional_default(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("x: int | None = Field(None, description='d')\ny = Field(default=1)\n")
    assert positional_defaults(sample) == [1]
