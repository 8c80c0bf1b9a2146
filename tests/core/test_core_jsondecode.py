"""limner.jsondecode: orjson where installed, read again by json where orjson refuses a body."""

from __future__ import annotations

import base64
import json
import math
from typing import Any

import pytest

from limner import jsondecode

_ANSWER = {
    "created": 1700000000,
    "data": [{"b64_json": base64.b64encode(bytes(range(256)) * 64).decode()}],
    "usage": {"input_tokens": 12, "output_tokens": 4160, "total_tokens": 4172},
    "note": 'é, 漢字, \u2028 and an escaped \\" quote',
    "ratio": 0.1,
    "seed": 4294967295,
}


@pytest.fixture(params=["orjson", "json"])
def decoder(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test runs with orjson (the dependency on CPython) and without it."""
    if request.param == "json":
        monkeypatch.setattr(jsondecode, "_fast_loads", None)
    else:
        import orjson

        assert jsondecode._fast_loads is orjson.loads
    return str(request.param)


@pytest.mark.parametrize("kind", [bytes, bytearray])
def test_answers_read_as_json_reads_them(decoder: str, kind: type[bytes]) -> None:
    data = kind(json.dumps(_ANSWER, ensure_ascii=False).encode())
    assert jsondecode.loads(data) == _ANSWER


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b'{"score": NaN}', id="NaN"),
        pytest.param(b'{"score": -Infinity}', id="Infinity"),
        pytest.param(b"[1.5e999]", id="overflowing float"),
        pytest.param(b'\xef\xbb\xbf{"data": []}', id="byte order mark"),
        pytest.param(b'{"text": "\\ud800"}', id="lone surrogate"),
    ],
)
def test_bodies_orjson_refuses_are_read_as_json_reads_them(decoder: str, data: bytes) -> None:
    expected = json.loads(data)
    got = jsondecode.loads(data)
    assert repr(got) == repr(expected)  # repr: NaN is not equal to itself
    if "NaN" in repr(expected):
        assert math.isnan(got["score"])


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"{not json", json.JSONDecodeError),
        (b"", json.JSONDecodeError),
        (b'{"a": 1} trailing', json.JSONDecodeError),
        (b'{"a": "\xff"}', UnicodeDecodeError),
        (b"\xff\xfe not utf-8", json.JSONDecodeError),  # json reads a UTF-16 mark
    ],
)
def test_what_is_not_json_raises_value_error(
    decoder: str, data: bytes, error: type[ValueError]
) -> None:
    with pytest.raises(error):
        jsondecode.loads(data)


def test_the_fast_decoder_is_tried_first(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []

    def fast(data: bytes | bytearray) -> Any:
        calls.append(data)
        return {"from": "fast"}

    monkeypatch.setattr(jsondecode, "_fast_loads", fast)
    assert jsondecode.loads(b'{"from": "json"}') == {"from": "fast"}
    assert calls == [b'{"from": "json"}']
