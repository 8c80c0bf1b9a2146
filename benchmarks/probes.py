"""The workloads ``run.py`` starts, each in a fresh process; each prints one JSON object.

``python benchmarks/probes.py cpu limner --url http://127.0.0.1:PORT/v1 --requests 1000``

Every workload exists twice: through limner (``AsyncClient`` and the OpenAI plugin) and through
raw aiohttp posting the same JSON body and reading the answer with ``json.loads``. Only the
measured section is timed; process start, imports and warm-up calls are not.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import cProfile
import gc
import itertools
import json
import os
import resource
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

import aiohttp

MODEL = "gpt-image-2"
API_KEY = "sk-bench"
PARAMS: dict[str, Any] = {"prompt": "x", "size": "1024x1024", "quality": "low"}

Result = dict[str, Any]


class Caller(Protocol):
    """One way of asking the server for ``n`` images; returns their base64 strings."""

    async def call(self, n: int) -> list[str]: ...

    async def close(self) -> None: ...


class LimnerCaller:
    """``limner.AsyncClient`` pointed at the loopback server."""

    def __init__(self, base_url: str, model: str) -> None:
        import limner  # imported here so raw-aiohttp processes never load limner

        self.model = f"openai/{model}"
        self.client = limner.AsyncClient(
            providers={"openai": {"api_key": API_KEY, "base_url": base_url}},
            allow_private_networks=True,
        )

    async def call(self, n: int) -> list[str]:
        extra: dict[str, Any] = {"n": n} if n != 1 else {}
        result = await self.client.images.generate(model=self.model, **PARAMS, **extra)
        return [item.b64_json for item in result.data if item.b64_json is not None]

    async def close(self) -> None:
        await self.client.close()


class RawCaller:
    """Raw aiohttp: the same POST, ``json.loads`` of the body, the ``data`` items read."""

    def __init__(self, base_url: str, model: str) -> None:
        self.url = f"{base_url}/images/generations"
        self.model = model
        self.headers = {"authorization": f"Bearer {API_KEY}"}
        self.session: aiohttp.ClientSession | None = None

    async def call(self, n: int) -> list[str]:
        if self.session is None:
            self.session = aiohttp.ClientSession()
        payload: dict[str, Any] = {"model": self.model, **PARAMS}
        if n != 1:
            payload["n"] = n
        async with self.session.post(self.url, json=payload, headers=self.headers) as response:
            raw = await response.read()
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}: {raw[:200]!r}")
        body = json.loads(raw)
        return [item["b64_json"] for item in body["data"]]

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()


class LeanCaller(RawCaller):
    """Raw aiohttp holding one copy of the body at a time: chunks, then bytes, then text, then
    the parsed JSON (the reference for figure 4: what limner's transport could do)."""

    async def call(self, n: int) -> list[str]:
        if self.session is None:
            self.session = aiohttp.ClientSession()
        payload: dict[str, Any] = {"model": self.model, **PARAMS, "n": n}
        async with self.session.post(self.url, json=payload, headers=self.headers) as response:
            chunks = [chunk async for chunk in response.content.iter_any()]
        raw = b"".join(chunks)
        del chunks
        text = raw.decode()
        del raw
        body = json.loads(text)
        del text
        return [item["b64_json"] for item in body["data"]]


class SdkCaller:
    """The official ``openai`` SDK (``AsyncOpenAI``), no retries: a calibration row for figure 3,
    whose target quotes the SDK's figure."""

    def __init__(self, base_url: str, model: str) -> None:
        from openai import AsyncOpenAI  # only in processes that run this caller

        self.model = model
        self.client = AsyncOpenAI(api_key=API_KEY, base_url=base_url, max_retries=0)

    async def call(self, n: int) -> list[str]:
        extra: dict[str, Any] = {"n": n} if n != 1 else {}
        result = await self.client.images.generate(model=self.model, **PARAMS, **extra)
        return [item.b64_json for item in result.data or [] if item.b64_json is not None]

    async def close(self) -> None:
        await self.client.close()


CALLERS: dict[str, Callable[[str, str], Caller]] = {
    "limner": LimnerCaller,
    "raw": RawCaller,
    "lean": LeanCaller,
    "sdk": SdkCaller,
}


def open_caller(impl: str, base_url: str, model: str = MODEL) -> Caller:
    return CALLERS[impl](base_url, model)


# ---- figure 2: CPU time per request ----------------------------------------------------------


async def _sequential(caller: Caller, count: int) -> None:
    for _ in range(count):
        await caller.call(1)


async def cpu(args: argparse.Namespace) -> Result:
    caller = open_caller(args.impl, args.url)
    await _sequential(caller, args.warmup)
    gc.collect()
    profiler = cProfile.Profile() if args.profile else None
    cpu0, wall0 = time.process_time(), time.perf_counter()
    if profiler is not None:
        profiler.enable()
    await _sequential(caller, args.requests)
    if profiler is not None:
        profiler.disable()
    cpu1, wall1 = time.process_time(), time.perf_counter()
    await caller.close()
    if profiler is not None:
        profiler.dump_stats(args.profile)
    return {"cpu_s": cpu1 - cpu0, "wall_s": wall1 - wall0, "requests": args.requests}


# ---- figure 2w: limner's own work, warm and between requests ---------------------------------


async def _timed_per_call(count: int, job: Callable[[], Awaitable[Any]]) -> float:
    """CPU seconds per ``job()`` over ``count`` sequential calls."""
    start = time.process_time()
    for _ in range(count):
        await job()
    return (time.process_time() - start) / count


async def warmth(args: argparse.Namespace) -> Result:
    """limner's own work on figure 2's request, without its I/O: a dry run (validation,
    translation, estimate), timed back to back and timed between raw aiohttp requests as in
    figure 2, where the request's I/O and the server run between one call and the next."""
    import limner

    client = limner.AsyncClient(
        providers={"openai": {"api_key": API_KEY, "base_url": args.url}},
        allow_private_networks=True,
    )
    raw = RawCaller(args.url, MODEL)

    async def dry_run() -> None:
        await client.images.generate(model=f"openai/{MODEL}", **PARAMS, dry_run=True)

    async def request() -> None:
        await raw.call(1)

    async def request_then_dry_run() -> None:
        await raw.call(1)
        await dry_run()

    for job in (dry_run, request, request_then_dry_run):
        await _timed_per_call(args.warmup, job)
    gc.collect()
    back_to_back = await _timed_per_call(args.requests, dry_run)
    alone = await _timed_per_call(args.requests, request)
    between = await _timed_per_call(args.requests, request_then_dry_run) - alone
    await raw.close()
    await client.close()
    return {"dry_run_s": back_to_back, "dry_run_between_s": between, "raw_request_s": alone}


# ---- figure 3: throughput under latency -------------------------------------------------------


async def _gather(count: int, job: Callable[[], Awaitable[Any]]) -> list[Any]:
    return list(await asyncio.gather(*(job() for _ in range(count))))


async def _worker_stamps(caller: Caller, until: float) -> list[float]:
    """One closed-loop worker: a request, then the next as soon as it returns, until one returns
    at or after ``until``. The time it started, then the time each request returned."""
    stamps = [time.perf_counter()]
    while stamps[-1] < until:
        await caller.call(1)
        stamps.append(time.perf_counter())
    return stamps


def cycles_in_window(stamps: Sequence[float], opened: float, closed: float) -> float:
    """How many of a worker's cycles (start or last return to the next return) fall inside
    ``[opened, closed]``. A cycle that straddles an edge counts by the share of it inside, so the
    count neither depends on where the edges fall within a cycle nor hides a stall at an edge."""
    count = 0.0
    for begin, end in itertools.pairwise(stamps):
        inside = min(end, closed) - max(begin, opened)
        if inside > 0:
            count += inside / (end - begin)
    return count


async def _sustained(caller: Caller, concurrency: int, ramp: float, window: float) -> Result:
    """Sustained throughput: ``concurrency`` closed-loop workers start together and run past
    ``ramp + window`` seconds; the cycles inside the window (after the ramp) over its length."""
    opened = time.perf_counter() + ramp
    closed = opened + window
    per_worker = await _gather(concurrency, lambda: _worker_stamps(caller, closed))
    cycles = sum(cycles_in_window(stamps, opened, closed) for stamps in per_worker)
    return {"sustained_rps": cycles / window, "sustained_cycles": cycles}


async def throughput(args: argparse.Namespace) -> Result:
    """After a warm-up round that opens the pooled connections: a burst (every worker starts at
    once and sends ``rounds`` requests; the wall time until the last returns), then, when
    ``window`` > 0, new workers on the same connection pool for the sustained rate."""
    caller = open_caller(args.impl, args.url)
    try:
        await _gather(args.concurrency, lambda: caller.call(1))
        start = time.perf_counter()
        await _gather(args.concurrency, lambda: _sequential(caller, args.rounds))
        wall = time.perf_counter() - start
        result: Result = {"wall_s": wall, "requests": args.concurrency * args.rounds}
        if args.window > 0:
            result.update(await _sustained(caller, args.concurrency, args.ramp, args.window))
    finally:
        await caller.close()
    return result


# ---- figure 4: peak memory receiving large images ---------------------------------------------


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _max_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


async def memory(args: argparse.Namespace) -> Result:
    warm = open_caller(args.impl, args.warm_url, args.model)
    await warm.call(args.n)  # same code path with 1 KB images: imports, caches, first use
    await warm.close()
    caller = open_caller(args.impl, args.url, args.model)
    gc.collect()
    rss0 = _rss_bytes()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    b64s = await caller.call(args.n)
    receive_peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.reset_peak()
    images = [base64.b64decode(b64) for b64 in b64s]
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    await caller.close()
    return {
        "decoded_bytes": sum(len(image) for image in images),
        "images": len(images),
        "receive_peak_bytes": receive_peak,
        "peak_bytes": max(receive_peak, peak - base),
        "retained_bytes": current - base,
        "rss_increase_bytes": max(0, _max_rss_bytes() - rss0),
    }


# ---- preflight --------------------------------------------------------------------------------


def check(args: argparse.Namespace) -> Result:
    """Whether limner sees the OpenAI plugin and the benchmark's models."""
    import limner.plugins

    registry = limner.plugins.Registry()
    providers = sorted(registry.providers)
    if "openai" not in providers:
        import limner_openai

        where = getattr(limner_openai, "__file__", None) or list(limner_openai.__path__)
        return {"ok": False, "providers": providers, "limner_openai": str(where)}
    for model in (MODEL, args.model):
        registry.resolve(f"openai/{model}")
    return {"ok": True, "providers": providers}


# ---- command line -----------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workload", choices=("check", "cpu", "warmth", "throughput", "memory"))
    parser.add_argument("impl", nargs="?", default="limner", choices=tuple(CALLERS))
    parser.add_argument("--url", default="", help="the server's base URL, ending in /v1")
    parser.add_argument("--warm-url", default="", help="memory: base URL serving 1 KB images")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--profile", default="", help="cpu: write cProfile stats to this file")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=4, help="throughput: burst requests")
    parser.add_argument("--ramp", type=float, default=1.0, help="throughput: seconds not counted")
    parser.add_argument(
        "--window", type=float, default=2.0, help="throughput: seconds counted (0: burst only)"
    )
    parser.add_argument("--n", type=int, default=4)
    parser.add_argument("--model", default="gpt-image-2")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.workload == "check":
        result = check(args)
    else:
        workloads = {"cpu": cpu, "warmth": warmth, "throughput": throughput, "memory": memory}
        workload = workloads[args.workload]
        result = asyncio.run(workload(args))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
