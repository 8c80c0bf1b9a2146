"""A loopback OpenAI-shaped image server for the benchmarks.

``python benchmarks/server.py --latency 0.2 --image-bytes 16384`` binds 127.0.0.1 on a free
port, prints ``PORT <number>`` and answers ``POST .../v1/images/generations`` with a valid
``ImagesResponse`` holding ``n`` copies of one real PNG of about ``--image-bytes`` bytes (base64
in JSON), after sleeping ``--latency`` seconds. Any path prefix before ``/v1`` is accepted;
under ``/warm/v1`` the image is 1 KB instead (for warm-up calls that must not allocate much).
Response bodies are built once per ``n`` and cached, so the server spends almost no CPU.

The server stops when its standard input is closed (the parent exiting closes it).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import random
import socket
import struct
import sys
import time
import zlib

from aiohttp import web

WARM_IMAGE_BYTES = 1024
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_WIDTH = 256


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def make_png(target_bytes: int, seed: int = 0) -> bytes:
    """A valid RGB PNG of about ``target_bytes`` bytes: random pixels, stored uncompressed."""
    row_bytes = 1 + 3 * _PNG_WIDTH
    height = max(1, round(target_bytes / row_bytes))
    rng = random.Random(seed)
    raw = b"".join(b"\x00" + rng.randbytes(3 * _PNG_WIDTH) for _ in range(height))
    header = struct.pack(">IIBBBBB", _PNG_WIDTH, height, 8, 2, 0, 0, 0)
    return (
        _PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 0))
        + _chunk(b"IEND", b"")
    )


def images_response(image: bytes, n: int) -> bytes:
    """An OpenAI ``ImagesResponse`` body with ``n`` copies of ``image``."""
    b64 = base64.b64encode(image).decode()
    body = {
        "created": int(time.time()),
        "data": [{"b64_json": b64} for _ in range(n)],
        "usage": {
            "input_tokens": 10,
            "output_tokens": 272 * n,
            "total_tokens": 10 + 272 * n,
            "input_tokens_details": {"text_tokens": 10, "image_tokens": 0},
        },
        "size": "1024x1024",
        "quality": "low",
        "output_format": "png",
        "background": "opaque",
    }
    return json.dumps(body, separators=(",", ":")).encode()


class ImageServer:
    """The request handler, with its cache of response bodies."""

    def __init__(self, latency: float, image_bytes: int) -> None:
        self.latency = latency
        self.images = {False: make_png(image_bytes), True: make_png(WARM_IMAGE_BYTES)}
        self.bodies: dict[tuple[bool, int], bytes] = {}

    def body(self, warm: bool, n: int) -> bytes:
        key = (warm, n)
        if key not in self.bodies:
            self.bodies[key] = images_response(self.images[warm], n)
        return self.bodies[key]

    async def generations(self, request: web.Request) -> web.Response:
        payload = await request.json()
        n = int(payload.get("n", 1)) if isinstance(payload, dict) else 1
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        warm = request.path.startswith("/warm/")
        return web.Response(body=self.body(warm, n), content_type="application/json")


def make_app(server: ImageServer) -> web.Application:
    app = web.Application(client_max_size=64 * 2**20)
    app.router.add_post("/v1/images/generations", server.generations)
    app.router.add_post("/{prefix}/v1/images/generations", server.generations)
    return app


async def serve(latency: float, image_bytes: int) -> None:
    runner = web.AppRunner(make_app(ImageServer(latency, image_bytes)), access_log=None)
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    site = web.SockSite(runner, sock, backlog=1024)
    await site.start()
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    try:
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.buffer.read)
    finally:
        await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before answering")
    parser.add_argument("--image-bytes", type=int, default=16 * 1024, help="decoded PNG size")
    args = parser.parse_args()
    asyncio.run(serve(args.latency, args.image_bytes))


if __name__ == "__main__":
    main()
