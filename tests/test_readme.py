"""The README's offline examples run as written (no key, no network)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
OFFLINE = [b for b in BLOCKS if b.startswith("import limner\n") and "limner.Client()" in b]


def test_readme_has_offline_examples() -> None:
    assert len(OFFLINE) >= 2


@pytest.mark.parametrize("block", OFFLINE, ids=[f"block{i}" for i in range(len(OFFLINE))])
def test_offline_example_runs(
    block: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    namespace: dict[str, object] = {}
    exec(compile(block, str(README), "exec"), namespace)
    client = namespace.get("client")
    close = getattr(client, "close", None)
    if callable(close):
        close()
    assert capsys.readouterr().out.strip()


def test_sizing_example_prints_what_its_comments_say(capsys: pytest.CaptureFixture[str]) -> None:
    (block,) = [b for b in BLOCKS if "from limner.sizing import" in b]
    exec(compile(block, str(README), "exec"), {})
    promised = [line.split("# ")[1] for line in block.splitlines() if line.startswith("print(")]
    assert capsys.readouterr().out.splitlines() == promised
