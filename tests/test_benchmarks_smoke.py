"""The benchmark's probes still run, through limner and through raw aiohttp, against its own
loopback server. Nothing here is timed: the figures belong to ``benchmarks/run.py``."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

RUN = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("limner_benchmarks_run", RUN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_preflight_sees_the_openai_plugin(bench: Any) -> None:
    result = bench.probe("check")
    assert result["ok"] is True and "openai" in result["providers"]


@pytest.mark.parametrize("impl", ["limner", "raw"])
def test_cpu_and_throughput_probes_complete(bench: Any, impl: str) -> None:
    with bench.image_server(image_bytes=1024) as url:
        cpu = bench.probe("cpu", impl, f"--url={url}", "--requests=3", "--warmup=1")
        throughput = bench.probe(
            "throughput",
            impl,
            f"--url={url}",
            "--concurrency=2",
            "--rounds=1",
            "--ramp=0.05",
            "--window=0.3",
        )
    assert cpu["requests"] == 3 and cpu["cpu_s"] > 0
    assert throughput["requests"] == 2 and throughput["wall_s"] > 0
    # without server latency, two workers complete many requests inside 0.3 s
    assert throughput["sustained_cycles"] >= 4 and throughput["sustained_rps"] > 0


@pytest.mark.parametrize("impl", ["limner", "raw", "lean"])
def test_memory_probe_decodes_every_image(bench: Any, impl: str) -> None:
    with bench.image_server(image_bytes=64 * 1024) as url:
        result = bench.memory_run(impl, url, 2)
    assert result["decoded_bytes"] > 2 * 60 * 1024  # two PNGs of about 64 KiB each
    assert result["peak_bytes"] > 0
