"""The benchmark's probes still run, through limner and through raw aiohttp, against its own
loopback server, and figure 3's sustained rate counts what it says. Nothing here judges a
figure: the figures belong to ``benchmarks/run.py``."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return _load("limner_benchmarks_run", BENCHMARKS / "run.py")


@pytest.fixture(scope="module")
def probes() -> ModuleType:
    return _load("limner_benchmarks_probes", BENCHMARKS / "probes.py")


def test_preflight_sees_the_openai_plugin(bench: Any) -> None:
    result = bench.probe("check")
    assert result["ok"] is True and "openai" in result["providers"]


@pytest.mark.parametrize("impl", ["limner", "raw", "sdk"])
def test_cpu_and_throughput_probes_complete(bench: Any, impl: str) -> None:
    if impl == "sdk":
        pytest.importorskip("openai")
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


def test_burst_only_when_the_window_is_zero(bench: Any) -> None:
    with bench.image_server(image_bytes=1024) as url:
        result = bench.probe(
            "throughput", "raw", f"--url={url}", "--concurrency=2", "--rounds=1", "--window=0"
        )
    assert result["requests"] == 2 and "sustained_rps" not in result


def test_cycles_inside_the_window_count_whole_and_straddling_ones_by_their_share(
    probes: Any,
) -> None:
    # a worker started at 0 and returned every second; the window is 0.5-3.5
    assert probes.cycles_in_window([0.0, 1.0, 2.0, 3.0, 4.0], 0.5, 3.5) == pytest.approx(3.0)
    # the same cycles whatever the window's phase
    assert probes.cycles_in_window([0.0, 1.0, 2.0, 3.0, 4.0], 1.0, 3.0) == pytest.approx(2.0)


def test_a_stall_across_the_window_edge_is_not_hidden(probes: Any) -> None:
    # one cycle of 4 s (1 -> 5) straddles the window 2-4: half of it is inside, so the worker
    # counts 0.5 cycles in 2 s, not the 1 cycle per second of its other cycles
    assert probes.cycles_in_window([0.0, 1.0, 5.0, 6.0], 2.0, 4.0) == pytest.approx(0.5)
    assert probes.cycles_in_window([0.0, 1.0], 2.0, 4.0) == 0.0


class _SleepingCaller:
    """A caller whose every request takes ``seconds``."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    async def call(self, n: int) -> list[str]:
        await asyncio.sleep(self.seconds)
        return ["x"] * n

    async def close(self) -> None:
        return None


def test_sustained_rate_of_closed_loop_workers_is_concurrency_over_cycle_time(
    probes: Any,
) -> None:
    workers, cycle = 4, 0.05
    result = asyncio.run(probes._sustained(_SleepingCaller(cycle), workers, 0.1, 0.5))
    ideal = workers / cycle  # 80 requests per second
    # a cycle is never shorter than its sleep, and event-loop overhead is well under 15 %
    assert 0.85 * ideal <= result["sustained_rps"] <= 1.001 * ideal
    assert result["sustained_cycles"] == pytest.approx(result["sustained_rps"] * 0.5)


@pytest.mark.parametrize("impl", ["limner", "raw", "lean"])
def test_memory_probe_decodes_every_image(bench: Any, impl: str) -> None:
    with bench.image_server(image_bytes=64 * 1024) as url:
        result = bench.memory_run(impl, url, 2)
    assert result["decoded_bytes"] > 2 * 60 * 1024  # two PNGs of about 64 KiB each
    assert result["peak_bytes"] > 0
