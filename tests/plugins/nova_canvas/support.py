"""Helpers for the Nova Canvas tests: a loopback Bedrock Runtime that records raw requests and
answers scripted replies, fixed credentials, clients and a SigV4 check of received requests."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

import limner
from limner.http import RetryPolicy

DATA = Path(__file__).resolve().parent / "data"
FIXED_NOW = dt.datetime(2026, 1, 2, 3, 4, 5)
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "session-token-example"
KEYS = {"aws_access_key_id": ACCESS_KEY, "aws_secret_access_key": SECRET_KEY}
CANVAS = "amazon/amazon.nova-canvas-v1:0"
RAW_PATH = "/model/amazon.nova-canvas-v1%3A0/invoke"
PNG_B64 = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e5273fcf0000000049454e44ae426082"
    )
).decode()


@dataclass
class Received:
    method: str
    raw_path: str
    headers: dict[str, str]
    body: bytes
    host: str

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


def images_reply(count: int = 1, *, delay: float = 0.0, **extra: Any) -> Reply:
    return Reply(200, {"images": [PNG_B64] * count, **extra}, delay=delay)


def aws_error(status: int, code: str, message: str, *, delay: float = 0.0, **extra: Any) -> Reply:
    """An error as Bedrock sends it: ``{"message"}`` plus the x-amzn-ErrorType header."""
    return Reply(
        status,
        {"message": message, **extra},
        {
            "x-amzn-ErrorType": f"{code}:http://internal.amazon.com/coral/com.amazon.coral.service/",
            "x-amzn-RequestId": "11111111-2222-3333-4444-555555555555",
        },
        delay,
    )


class BedrockServer:
    """Records every request as received (raw path, headers, body bytes). Answers with ``route``
    when set (a reply chosen from the request, for concurrent split calls), else the next
    scripted reply, else one image."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.script: list[Reply] = []
        self.route: Callable[[Received], Reply] | None = None
        self.url = ""
        self._runner: web.AppRunner | None = None

    def reply(self, *replies: Reply) -> None:
        self.script.extend(replies)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        received = Received(
            request.method,
            request.raw_path,
            {k.lower(): v for k, v in request.headers.items()},
            body,
            request.host,
        )
        self.received.append(received)
        if self.route is not None:
            reply = self.route(received)
        else:
            reply = self.script.pop(0) if self.script else images_reply(1)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if isinstance(reply.body, bytes | str):
            return web.Response(status=reply.status, body=reply.body, headers=reply.headers)
        return web.json_response(reply.body, status=reply.status, headers=reply.headers)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


def client(server: BedrockServer, *, strict: bool = False, **settings: Any) -> limner.AsyncClient:
    values: dict[str, Any] = {"region": "us-east-1", "base_url": server.url, **KEYS, **settings}
    return limner.AsyncClient(
        providers={"amazon": values},
        allow_private_networks=True,
        retry=RetryPolicy(initial_delay=0.001, max_delay=0.01),
        strict=strict,
        environ={},
    )


def expected_signature(received: Received, url_base: str, region: str = "us-east-1") -> str:
    """The Authorization header botocore computes for the request exactly as the server got it
    (raw path, every header the client signed, body bytes)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    auth = received.headers["authorization"]
    signed = auth.split("SignedHeaders=", 1)[1].split(",", 1)[0].split(";")
    headers = {name: received.headers[name] for name in signed if name != "host"}
    headers["host"] = received.host
    request = AWSRequest(
        method=received.method,
        url=url_base + received.raw_path,
        data=received.body,
        headers=headers,
    )
    request.context["timestamp"] = received.headers["x-amz-date"]
    token = received.headers.get("x-amz-security-token")
    signer = SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY, token), "bedrock", region)
    canonical = signer.canonical_request(request)
    signature = signer.signature(signer.string_to_sign(request, canonical), request)
    return (
        f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/{received.headers['x-amz-date'][:8]}/"
        f"{region}/bedrock/aws4_request, SignedHeaders={';'.join(signed)}, Signature={signature}"
    )
