"""Files belong to the gateway key that stored them: other keys cannot list, read, delete or
edit with them; signed links still open without a key; ids sort as made."""

from __future__ import annotations

import time

import aiohttp
import openai
import pytest

from limner.gateway import GatewayConfig, files as files_module
from limner.gateway.files import FILE_ID, id_time_ns, new_file_id

from ..core.support import IMAGE
from .conftest import MakeGateway
from .support import GATEWAY_KEY, Gateway, png

OTHER_KEY = "gw-key-other-fedcba9876543210"


async def _two_keys(make_gateway: MakeGateway) -> Gateway:
    return await make_gateway(GatewayConfig(api_keys=(GATEWAY_KEY, OTHER_KEY)))


async def test_each_key_lists_only_its_own_files(make_gateway: MakeGateway) -> None:
    gateway = await _two_keys(make_gateway)
    mine, theirs = gateway.sdk(), gateway.sdk(api_key=OTHER_KEY)
    made = await mine.files.create(file=("a.png", png(2, 2), "image/png"), purpose="vision")
    other = await theirs.files.create(file=("b.png", png(2, 2), "image/png"), purpose="vision")
    assert [f.id for f in (await mine.files.list()).data] == [made.id]
    assert [f.id for f in (await theirs.files.list()).data] == [other.id]
    assert "owner" not in (await mine.files.retrieve(made.id)).model_dump()


async def test_another_keys_file_is_not_found(make_gateway: MakeGateway) -> None:
    gateway = await _two_keys(make_gateway)
    mine, theirs = gateway.sdk(), gateway.sdk(api_key=OTHER_KEY)
    made = await mine.files.create(file=("a.png", png(2, 2), "image/png"), purpose="vision")
    for attempt in (
        theirs.files.retrieve(made.id),
        theirs.files.content(made.id),
        theirs.files.delete(made.id),
    ):
        with pytest.raises(openai.NotFoundError) as caught:
            await attempt
        assert caught.value.code == "file_not_found"
    with pytest.raises(openai.NotFoundError) as caught:
        await theirs.post(
            "/images/edits",
            body={"model": "openai/gpt-image-1", "prompt": "x", "images": [{"file_id": made.id}]},
            cast_to=object,
        )
    assert caught.value.param == "images[0].file_id"
    assert (await mine.files.retrieve(made.id)).id == made.id  # still there, still the owner's
    assert (await mine.files.delete(made.id)).deleted is True


async def test_signed_links_open_without_a_key(make_gateway: MakeGateway) -> None:
    gateway = await _two_keys(make_gateway)
    result = await gateway.sdk().images.generate(
        model="openai/gpt-image-1", prompt="a fox", response_format="url"
    )
    (item,) = result.data or []
    assert item.url is not None
    async with aiohttp.ClientSession() as session, session.get(item.url) as response:
        assert response.status == 200
        assert await response.read() == IMAGE
    async with aiohttp.ClientSession() as session, session.head(item.url) as response:
        assert response.status == 200  # a HEAD, as a browser or a checker may send
        assert response.headers["Content-Length"] == str(len(IMAGE))
    listed = await gateway.sdk().files.list(purpose="assistants_output")
    assert len(listed.data) == 1  # the generated image is the requester's file
    assert (await gateway.sdk(api_key=OTHER_KEY).files.list()).data == []


def test_ids_sort_as_made_even_if_the_clock_steps_back(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter([5_000, 4_000, 4_000, 6_000])
    monkeypatch.setattr(time, "time_ns", lambda: next(clock))
    monkeypatch.setattr(files_module, "_last_ns", 0)
    ids = [new_file_id() for _ in range(4)]
    assert all(FILE_ID.match(file_id) and len(file_id) == 5 + 48 for file_id in ids)
    assert [id_time_ns(file_id) for file_id in ids] == [5_000, 5_001, 5_002, 6_000]
    assert ids == sorted(ids)
    assert len({file_id[-32:] for file_id in ids}) == 4  # 128 random bits each
    assert id_time_ns("file-" + "0" * 32) is None


def test_a_link_stays_valid_when_other_keys_come_and_go() -> None:
    """The signing key came from the whole list of keys: adding a team's key (a restart, a
    replica with the new list) broke every link handed out."""
    from limner.gateway.owners import owner_tag
    from limner.gateway.urls import UrlSigner

    expires = int(time.time()) + 60
    url = UrlSigner((GATEWAY_KEY, OTHER_KEY)).url(
        "https://gw", "file-1", expires, owner_tag(GATEWAY_KEY)
    )
    query = dict(part.split("=") for part in url.partition("?")[2].split("&"))
    assert UrlSigner((GATEWAY_KEY, OTHER_KEY, "gw-key-third-0123456789")).verify("file-1", query)
    assert UrlSigner((GATEWAY_KEY,)).verify("file-1", query)
    assert not UrlSigner((OTHER_KEY,)).verify("file-1", query)  # its key removed: not valid
    assert not UrlSigner((GATEWAY_KEY,)).verify("file-2", query)


async def test_a_link_that_no_longer_holds_says_so(make_gateway: MakeGateway) -> None:
    """It answered "Missing API key: send 'Authorization: Bearer <key>'", which means nothing
    to someone opening an image link."""
    gateway = await _two_keys(make_gateway)
    result = await gateway.sdk().images.generate(
        model="openai/gpt-image-1", prompt="a fox", response_format="url"
    )
    (item,) = result.data or []
    assert item.url is not None
    expired = item.url.replace("expires=", "expires=1")  # (a changed expiry breaks the signature)
    async with aiohttp.ClientSession() as session, session.get(expired) as response:
        status, body = response.status, await response.json()
    assert status == 401 and body["error"]["code"] == "invalid_file_link"
    assert body["error"]["message"].startswith("this file link has expired, or was signed with")


async def test_a_key_cannot_sign_a_link_to_another_keys_file(make_gateway: MakeGateway) -> None:
    """Any key's signature opened any file: the holder of one key, knowing the id of another's
    file, signed a link to it (with any expiry) and read it."""
    import hashlib
    import hmac

    gateway = await _two_keys(make_gateway)
    made = await gateway.sdk().files.create(
        file=("secret.png", png(2, 2), "image/png"), purpose="vision"
    )
    signing = hashlib.sha256(b"limner-gateway-file-url\n" + OTHER_KEY.encode()).digest()
    expires = int(time.time()) + 86400
    forged = hmac.new(signing, f"{made.id}\n{expires}".encode(), hashlib.sha256).hexdigest()
    url = f"{gateway.base_url}/files/{made.id}/content?expires={expires}&signature={forged}"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 404  # as to that key through the API: not its file
    mine = hashlib.sha256(b"limner-gateway-file-url\n" + GATEWAY_KEY.encode()).digest()
    own = hmac.new(mine, f"{made.id}\n{expires}".encode(), hashlib.sha256).hexdigest()
    url = f"{gateway.base_url}/files/{made.id}/content?expires={expires}&signature={own}"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200 and await response.read() == png(2, 2)
