"""``GET /v1/files`` through the SDK (order, purpose, pages, cursors, bad parameters), expired
files, and the store's periodic sweep (it runs without requests, survives a failing sweep and
stops with the app)."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from pathlib import Path
from typing import Any

import aiohttp
import openai
import pytest
from openai.types import FilePurpose

import limner
from limner.gateway import GatewayConfig, LocalFileStore, StoredFile, create_app, make_runner
from limner.gateway.app import SWEEP_TASK_NAME
from limner.gateway.files import MAX_LIST_LIMIT, FilePage, ListOrder
from limner.gateway.leftovers import LEFT_AFTER
from limner.gateway.state import STATE

from .conftest import MakeGateway
from .support import GATEWAY_KEY, Gateway, png

UNKNOWN_ID = "file-" + "0" * 32


async def _upload(gateway: Gateway, purposes: list[FilePurpose]) -> list[str]:
    """Upload one small PNG per purpose, one after another; their ids in upload order."""
    sdk = gateway.sdk()
    ids = []
    for number, purpose in enumerate(purposes):
        made = await sdk.files.create(
            file=(f"{number}.png", png(2, 2), "image/png"), purpose=purpose
        )
        ids.append(made.id)
    return ids


def _expire(store: LocalFileStore, file_id: str) -> None:
    """Make a stored file expired by rewriting its metadata (its bytes stay on disk)."""
    path = store.directory / f"{file_id}.json"
    meta = StoredFile.model_validate_json(path.read_bytes())
    path.write_text(meta.model_copy(update={"expires_at": meta.created_at - 1}).model_dump_json())


def _on_disk(store: LocalFileStore, file_id: str) -> set[str]:
    return {path.suffix for path in store.directory.glob(f"{file_id}.*")}


async def _list_json(gateway: Gateway, **params: Any) -> dict[str, Any]:
    """The raw ``GET /v1/files`` body."""
    return await gateway.sdk().get("/files", cast_to=dict[str, Any], options={"params": params})


async def test_files_list_newest_first_ascending_and_by_purpose(gateway: Gateway) -> None:
    first, second, third = await _upload(gateway, ["user_data", "vision", "user_data"])
    sdk = gateway.sdk()
    page = await sdk.files.list()
    assert [f.id for f in page.data] == [third, second, first]
    assert page.has_more is False
    assert page.data[1].purpose == "vision" and page.data[1].filename == "1.png"
    assert page.data[1].bytes == len(png(2, 2))
    ascending = await sdk.files.list(order="asc")
    assert [f.id for f in ascending.data] == [first, second, third]
    assert [f.id for f in (await sdk.files.list(purpose="user_data")).data] == [third, first]
    body = await _list_json(gateway, order="asc", purpose="user_data")
    assert [f["id"] for f in body["data"]] == [first, third]
    assert (body["object"], body["first_id"], body["last_id"], body["has_more"]) == (
        "list",
        first,
        third,
        False,
    )
    assert await _list_json(gateway, purpose="fine-tune") == {
        "object": "list",
        "data": [],
        "first_id": None,
        "last_id": None,
        "has_more": False,
    }


@pytest.mark.parametrize(
    ("form", "param", "message"),
    [
        (
            {"purpose": "x" * 100},
            "purpose",
            f"Invalid 'purpose': {'x' * 40!r}; expected one of assistants, batch, fine-tune, "
            "vision, user_data, evals",
        ),
        ({"filename": "f" * 256}, "file", "file: its filename has 256 characters; the most is 255"),
    ],
)
async def test_an_upload_keeps_no_unbounded_text(
    gateway: Gateway, form: dict[str, str], param: str, message: str
) -> None:
    """The purpose and the filename are kept beside every file and listed back, outside the
    store's byte quotas: a 20 MB purpose would fill the disk past them."""
    with pytest.raises(openai.BadRequestError) as info:
        await gateway.sdk().files.create(
            file=(form.get("filename", "a.png"), png(2, 2), "image/png"),
            purpose=form.get("purpose", "user_data"),  # type: ignore[arg-type]
        )
    assert info.value.body == {
        "message": message,
        "type": "invalid_request_error",
        "param": param,
        "code": None,
    }
    assert not list(gateway.store.directory.glob("*"))  # nothing kept


async def test_images_stored_for_url_answers_are_listed_as_assistants_output(
    gateway: Gateway,
) -> None:
    """OpenAI's file object lists a few purposes; of them, assistants_output is the one of a
    file its API made, and an upload may not take it: the gateway's images are told apart."""
    (uploaded,) = await _upload(gateway, ["user_data"])
    result = await gateway.sdk().images.generate(
        model="openai/gpt-image-1", prompt="a fox", response_format="url"
    )
    (item,) = result.data or []
    assert item.url is not None
    body = await _list_json(gateway, order="asc")
    listed = [(f["id"], f["purpose"], f["filename"]) for f in body["data"]]
    assert listed == [
        (uploaded, "user_data", "0.png"),
        (body["last_id"], "assistants_output", "image-1.png"),
    ]
    assert body["last_id"] in item.url
    made = await _list_json(gateway, purpose="assistants_output")
    assert [f["id"] for f in made["data"]] == [body["last_id"]]
    with pytest.raises(openai.BadRequestError) as info:
        await gateway.sdk().files.create(
            file=("a.png", png(2, 2), "image/png"),
            purpose="assistants_output",  # type: ignore[arg-type]
        )
    assert info.value.body == {
        "message": "Invalid 'purpose': 'assistants_output'; expected one of assistants, batch, "
        "fine-tune, vision, user_data, evals",
        "type": "invalid_request_error",
        "param": "purpose",
        "code": None,
    }


async def test_files_list_pages_with_limit_and_after(gateway: Gateway) -> None:
    ids = await _upload(gateway, ["user_data"] * 5)
    newest = ids[::-1]
    sdk = gateway.sdk()
    page1 = await sdk.files.list(limit=2)
    page2 = await sdk.files.list(limit=2, after=page1.data[-1].id)
    page3 = await sdk.files.list(limit=2, after=page2.data[-1].id)
    pages = [([f.id for f in page.data], page.has_more) for page in (page1, page2, page3)]
    assert pages == [(newest[0:2], True), (newest[2:4], True), (newest[4:], False)]
    oldest = await sdk.files.list(limit=3, order="asc", after=ids[0])
    assert ([f.id for f in oldest.data], oldest.has_more) == (ids[1:4], True)
    body = await _list_json(gateway, limit=2, after=newest[1])
    assert (body["first_id"], body["last_id"], body["has_more"]) == (newest[2], newest[3], True)
    collected = [f.id async for f in sdk.files.list(limit=2)]  # the SDK follows has_more
    assert collected == newest
    assert [f.id async for f in sdk.files.list(limit=2, order="asc")] == ids


async def test_files_list_after_another_purpose_or_an_unknown_id(gateway: Gateway) -> None:
    first, vision, third = await _upload(gateway, ["user_data", "vision", "user_data"])
    sdk = gateway.sdk()
    page = await sdk.files.list(purpose="user_data", after=vision)
    assert [f.id for f in page.data] == [first]  # the cursor's place counts, not its purpose
    unknown = await sdk.files.list(after=UNKNOWN_ID)
    assert (unknown.data, unknown.has_more) == ([], False)
    assert [f.id for f in (await sdk.files.list(after=first)).data] == []
    assert [f.id for f in (await sdk.files.list(order="asc", after=first)).data] == [vision, third]


async def test_expired_files_are_not_listed(gateway: Gateway) -> None:
    kept, expired = await _upload(gateway, ["user_data", "user_data"])
    _expire(gateway.store, expired)
    assert _on_disk(gateway.store, expired) == {".json", ".bin"}  # expired, not yet swept
    sdk = gateway.sdk()
    assert [f.id for f in (await sdk.files.list()).data] == [kept]
    assert [f.id for f in (await sdk.files.list(purpose="user_data", order="asc")).data] == [kept]


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": str(MAX_LIST_LIMIT + 1)}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "1.5"}, "limit"),
        ({"order": "newest"}, "order"),
        ({"order": ""}, "order"),
    ],
)
async def test_files_list_rejects_a_bad_limit_or_order(
    gateway: Gateway, query: dict[str, str], param: str
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        await gateway.sdk().files.list(extra_query=query)
    assert caught.value.status_code == 400
    assert caught.value.param == param
    assert caught.value.type == "invalid_request_error"
    assert repr(next(iter(query.values()))) in caught.value.message


async def test_files_list_takes_the_largest_limit(gateway: Gateway) -> None:
    (made,) = await _upload(gateway, ["user_data"])
    page = await gateway.sdk().files.list(limit=MAX_LIST_LIMIT)
    assert [f.id for f in page.data] == [made]


async def test_store_list_places_an_expired_cursor_and_sweep_counts(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path / "files")
    assert await store.list() == FilePage(files=[], has_more=False)  # no directory yet
    assert await store.sweep() == 0
    made = [
        await store.put(b"abc", filename=f"{n}.txt", purpose="p", content_type="text/plain")
        for n in range(3)
    ]
    first, middle, last = (meta.id for meta in made)
    _expire(store, middle)

    async def ids(order: ListOrder = "desc", after: str | None = None) -> list[str]:
        return [meta.id for meta in (await store.list(order=order, after=after)).files]

    assert await ids() == [last, first]
    assert await ids("asc", after=middle) == [last]  # a client paging on keeps its place
    assert await ids("desc", after=middle) == [first]
    assert await store.sweep() == 1
    assert await store.sweep() == 0
    assert _on_disk(store, middle) == set()
    assert _on_disk(store, first) == _on_disk(store, last) == {".json", ".bin"}
    # Swept: the cursor file is gone, but its id carries when it was made, so paging goes on.
    assert await ids("asc", after=middle) == [last]
    assert await ids("desc", after=middle) == [first]
    assert await ids("asc", after=UNKNOWN_ID) == []  # an older, random-only id: no place to keep


async def test_sweep_removes_what_a_crash_left_once_it_is_old(tmp_path: Path) -> None:
    """A write killed before its rename leaves a ``.part``; one killed between the content and
    the metadata leaves a ``.bin`` alone. Neither is listed or counted: only a sweep removes
    them, once older than any write in progress."""
    store = LocalFileStore(tmp_path / "files")
    kept = await store.put(b"abc", filename="a.txt", purpose="p", content_type="text/plain")
    directory = store.directory
    old = time.time() - LEFT_AFTER - 60
    crashed, writing, orphan, coming = (f"file-{str(n) * 32}" for n in range(1, 5))
    left = {
        f".{crashed}.json.k3j2.part": old,  # old: a crash's
        f".{writing}.bin.p0q1.part": time.time(),  # being written now, by another instance maybe
        f"{orphan}.bin": old,  # content whose metadata never came
        f"{coming}.bin": time.time(),  # its metadata is on its way
        ".thesis.docx.part": old,  # not the store's: the directory's owner's own files
        "file-backup.bin": old,
    }
    for name, when in left.items():
        (directory / name).write_bytes(b"x")
        os.utime(directory / name, (when, when))
    os.utime(directory / f"{kept.id}.bin", (old, old))  # an old file with its metadata
    assert await store.sweep() == 0  # (the count is of expired files)
    names = {path.name for path in directory.iterdir()} - {".lock"}  # (the writers' lock)
    fresh = {f".{writing}.bin.p0q1.part", f"{coming}.bin"}
    assert names == {*fresh, ".thesis.docx.part", "file-backup.bin", *_names(kept.id)}
    assert await store.read(kept.id) == (kept, b"abc")


def _names(file_id: str) -> list[str]:
    return [f"{file_id}.bin", f"{file_id}.json"]


async def test_periodic_sweep_removes_expired_files_without_requests(
    make_gateway: MakeGateway,
) -> None:
    gateway = await make_gateway(GatewayConfig(api_keys=(GATEWAY_KEY,), sweep_interval=0.02))
    kept, expired = await _upload(gateway, ["user_data", "user_data"])
    assert _on_disk(gateway.store, expired) == {".json", ".bin"}
    _expire(gateway.store, expired)
    deadline = time.monotonic() + 5.0
    while _on_disk(gateway.store, expired) and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    assert _on_disk(gateway.store, expired) == set()
    assert _on_disk(gateway.store, kept) == {".json", ".bin"}


class _FlakyStore(LocalFileStore):
    """A store whose first sweep fails."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.sweeps = 0
        self.recovered = asyncio.Event()

    async def sweep(self) -> int:
        self.sweeps += 1
        if self.sweeps == 1:
            raise OSError("the disk went away")
        self.recovered.set()
        return await super().sweep()


def _sweep_tasks() -> list[asyncio.Task[Any]]:
    return [task for task in asyncio.all_tasks() if task.get_name() == SWEEP_TASK_NAME]


async def test_a_failing_sweep_is_logged_and_the_task_stops_with_the_app(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="limner.gateway")
    store = _FlakyStore(tmp_path)
    client = limner.AsyncClient(environ={})
    runner = make_runner(create_app(client, store, GatewayConfig(sweep_interval=0.01)))
    await runner.setup()
    try:
        (task,) = _sweep_tasks()
        await asyncio.wait_for(store.recovered.wait(), 5.0)
    finally:
        await runner.cleanup()
        await client.close()
    assert task.done() and task.cancelled()
    assert _sweep_tasks() == []
    (record,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.name == "limner.gateway.app"
    assert record.getMessage().startswith("file store sweep failed")
    assert record.exc_info is not None and isinstance(record.exc_info[1], OSError)


class _StoreWithoutSweep:
    """A third-party store: the ``FileStore`` methods and no ``sweep``."""

    async def put(
        self,
        data: bytes,
        *,
        filename: str,
        purpose: str,
        content_type: str,
        owner: str | None = None,
    ) -> StoredFile:
        raise NotImplementedError

    async def get(self, file_id: str) -> StoredFile | None:
        return None

    async def read(self, file_id: str) -> tuple[StoredFile, bytes] | None:
        return None

    async def delete(self, file_id: str) -> bool:
        return False

    async def list(
        self,
        *,
        owner: str | None = None,
        purpose: str | None = None,
        limit: int = MAX_LIST_LIMIT,
        order: ListOrder = "desc",
        after: str | None = None,
    ) -> FilePage:
        return FilePage(files=[], has_more=False)


@pytest.mark.parametrize("case", ["store without sweep", "interval off"])
async def test_no_sweep_task_without_a_sweep_method_or_interval(tmp_path: Path, case: str) -> None:
    client = limner.AsyncClient(environ={})
    if case == "store without sweep":
        app = create_app(client, _StoreWithoutSweep(), GatewayConfig(sweep_interval=0.01))
    else:
        app = create_app(client, LocalFileStore(tmp_path), GatewayConfig(sweep_interval=None))
    runner = make_runner(app)
    await runner.setup()
    try:
        await asyncio.sleep(0.05)
        assert _sweep_tasks() == []
    finally:
        await runner.cleanup()
        await client.close()


class _StoreWithoutList(LocalFileStore):
    """A store written before ``list`` was part of ``FileStore``."""

    list = None  # type: ignore[assignment]


async def test_a_store_without_list_answers_501(make_gateway: MakeGateway, tmp_path: Path) -> None:
    gateway = await make_gateway(GatewayConfig(api_keys=(GATEWAY_KEY,)))
    old_store: Any = _StoreWithoutList(tmp_path / "old")  # breaks the protocol on purpose
    gateway.runner.app[STATE].store = old_store
    with pytest.raises(openai.APIStatusError) as caught:
        await gateway.sdk().files.list()
    assert caught.value.status_code == 501
    assert "_StoreWithoutList" in caught.value.message and "list()" in caught.value.message


async def test_one_owner_may_not_fill_the_store_for_the_others(tmp_path: Path) -> None:
    """With a share per owner (limner serve gives each of several keys half the store), one
    key's uploads stop at its share while another key's still go in."""
    from limner.gateway.files import StoreFullError
    from limner.gateway.local_store import FILE_OVERHEAD as O

    store = LocalFileStore(tmp_path / "files", max_total_bytes=3 * O + 100, max_owner_bytes=O + 50)

    async def put(owner: str, size: int) -> None:
        await store.put(b"x" * size, filename="f.bin", purpose="p", content_type="x/y", owner=owner)

    await put("a", 40)
    with pytest.raises(StoreFullError) as caught:
        await put("a", 20)
    said = f"this key's files hold {O + 40} bytes of the {O + 50} one key may keep"
    assert said in caught.value.message
    await put("b", 50)  # the other key's share is whole
    with pytest.raises(StoreFullError) as full:
        await put("c", 20)  # the store itself: 2 O + 90 of 3 O + 100
    assert full.value.message == "the gateway's file store is full; try again later"


async def test_empty_files_count_against_the_share(tmp_path: Path) -> None:
    """Each file takes room besides its bytes (its metadata, its blocks): thousands of empty
    files were stored free of any share."""
    from limner.gateway.files import StoreFullError
    from limner.gateway.local_store import FILE_OVERHEAD

    store = LocalFileStore(tmp_path / "files", max_owner_bytes=3 * FILE_OVERHEAD)
    for _ in range(3):
        await store.put(b"", filename="f", purpose="p", content_type="x/y", owner="a")
    with pytest.raises(StoreFullError):
        await store.put(b"", filename="f", purpose="p", content_type="x/y", owner="a")


async def test_an_empty_upload_is_refused(gateway: Gateway) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        await gateway.sdk().files.create(file=("empty.png", b""), purpose="vision")
    assert caught.value.param == "file"
    assert caught.value.message.endswith("file is empty: upload a file with content")


@pytest.mark.parametrize(
    ("keys", "share", "warned"), [(2, None, True), (2, 50, False), (1, None, False)]
)
async def test_several_keys_sharing_a_store_without_a_share_are_warned_of(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, keys: int, share: int | None, warned: bool
) -> None:
    """limner serve gives each of several keys half the store; create_app takes the store it
    is given, and says when one key could fill it for the others."""
    store = LocalFileStore(tmp_path / "files", max_total_bytes=100, max_owner_bytes=share)
    config = GatewayConfig(api_keys=tuple(f"key-{i}-0123456789abcdef" for i in range(keys)))
    async with limner.AsyncClient(environ={}) as client:
        with caplog.at_level(logging.WARNING, logger="limner.gateway"):
            create_app(client, store, config)
    said = [r.getMessage() for r in caplog.records if "no room set per key" in r.getMessage()]
    assert said == (
        [
            "2 gateway keys share a file store with no room set per key: one key's files can "
            "fill it for the others; give LocalFileStore(max_owner_bytes=...) a share (limner "
            "serve gives each key half the store)"
        ]
        if warned
        else []
    )


async def test_an_upload_named_in_latin_1_is_kept_without_the_undecodable_bytes(
    gateway: Gateway,
) -> None:
    """Its name was kept as lone surrogates, which the file's record could not be written
    with: a 500, and the content left on disk, never listed, swept or counted."""
    body = (
        b'--BND\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nuser_data\r\n'
        b'--BND\r\nContent-Disposition: form-data; name="file"; filename="\xe9t\xe9.png"\r\n'
        b"Content-Type: image/png\r\n\r\n" + png(2, 2) + b"\r\n--BND--\r\n"
    )
    headers = {
        "authorization": f"Bearer {GATEWAY_KEY}",
        "content-type": "multipart/form-data; boundary=BND",
    }
    url = f"{gateway.base_url}/files"
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=headers) as got,
    ):
        assert got.status == 200, await got.text()
        stored = await got.json()
    assert stored["filename"] == "t.png"
    kept = sorted(path.suffix for path in gateway.store.directory.glob("file-*"))
    assert kept == [".bin", ".json"]


async def test_a_record_that_cannot_be_written_leaves_no_content_behind(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path / "files")
    with pytest.raises(ValueError):  # (pydantic's serialization error is one)
        await store.put(b"x", filename="\udce9.png", purpose="p", content_type="x/y")
    assert list((tmp_path / "files").glob("file-*")) == []  # (its .lock aside)


@pytest.mark.parametrize(("seconds", "kept"), [(3600, True), (7200, False), (60, False)])
async def test_expires_after_is_kept_as_asked_or_refused(
    gateway: Gateway, seconds: int, kept: bool
) -> None:
    """The store keeps every file one time (an hour here): less, or more, than a client asks is
    refused, not done silently (a client may rely on a file's deletion, or its keeping)."""
    upload = gateway.sdk().files.create(
        file=("a.png", png(2, 2), "image/png"),
        purpose="user_data",
        expires_after={"anchor": "created_at", "seconds": seconds},
    )
    if kept:
        stored = await upload
        assert stored.expires_at == stored.created_at + 3600
        return
    with pytest.raises(openai.BadRequestError) as info:
        await upload
    assert info.value.body == {
        "message": "expires_after: this gateway keeps every file 3600 s after its upload; ask "
        "for that, or leave out expires_after",
        "type": "invalid_request_error",
        "param": "expires_after",
        "code": None,
    }


async def test_an_upload_field_the_files_api_has_not_is_refused(gateway: Gateway) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        await gateway.sdk().files.create(
            file=("a.png", png(2, 2), "image/png"),
            purpose="user_data",
            extra_body={"keep_forever": "yes"},
        )
    assert info.value.body is not None
    assert info.value.body["param"] == "keep_forever"  # type: ignore[index]


@pytest.mark.parametrize("ttl", [3600.0, 2_592_000.0])
def test_expires_after_matching_a_long_store_time_is_kept(ttl: float) -> None:
    """30 days, OpenAI's own longest, was compared as text (2.592e+06) and refused."""
    from limner.gateway.routes import _check_upload_fields

    asked = {"expires_after": {"anchor": "created_at", "seconds": str(int(ttl))}}
    _check_upload_fields(asked, ttl)  # no refusal
    longer = {"expires_after": {"anchor": "created_at", "seconds": str(int(ttl) + 1)}}
    with pytest.raises(limner.InvalidRequestError) as caught:
        _check_upload_fields(longer, ttl)
    assert f"keeps every file {int(ttl)} s after its upload" in caught.value.message


async def test_the_store_parses_each_files_metadata_once_and_again_when_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every upload counted the store's room by parsing every file's metadata (123 ms per
    upload with 10,000 files); a file another instance rewrites or removes is still seen."""
    import limner.gateway.local_store as local_store

    parsed: list[str] = []
    load = local_store._load

    def counted(path: Path) -> Any:
        parsed.append(path.name)
        return load(path)

    monkeypatch.setattr(local_store, "_load", counted)
    store = LocalFileStore(tmp_path)
    made = [
        await store.put(b"x" * 10, filename=f"{i}.png", purpose="vision", content_type="image/png")
        for i in range(5)
    ]
    assert parsed == []  # each put counts from the last count and its own files since
    assert len((await store.list()).files) == 5 and len(parsed) == 5
    parsed.clear()
    assert len((await store.list()).files) == 5 and parsed == []
    first = tmp_path / f"{made[0].id}.json"
    renamed = made[0].model_copy(update={"filename": "renamed.png"})
    first.write_text(renamed.model_dump_json() + " ")  # another instance rewrote it
    (tmp_path / f"{made[1].id}.json").unlink()  # and removed another
    listed = {f.id: f.filename for f in (await store.list()).files}
    assert parsed == [first.name]
    assert made[1].id not in listed and listed[made[0].id] == "renamed.png"


async def test_the_room_is_counted_again_when_another_instance_or_time_changes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counted from the last count, an upload stats no file (each upload took longer as the
    store filled: 80 ms at 10,000 files); another instance's files, and files that expired,
    are counted all the same."""
    from limner.gateway.files import StoreFullError
    from limner.gateway.local_store import charged

    scans: list[int] = []
    scan = LocalFileStore._scan

    def counted(self: LocalFileStore) -> Any:
        scans.append(1)
        return scan(self)

    monkeypatch.setattr(LocalFileStore, "_scan", counted)
    room = 3 * charged(10)
    mine = LocalFileStore(tmp_path, max_total_bytes=room)
    other = LocalFileStore(tmp_path, max_total_bytes=room)  # another instance, same directory

    async def put(store: LocalFileStore) -> Any:
        return await store.put(b"x" * 10, filename="a.png", purpose="p", content_type="x/y")

    await put(mine)
    await put(mine)
    assert len(scans) == 1  # the first count only
    await put(other)  # the third: the store is full now, also for this instance
    with pytest.raises(StoreFullError):
        await put(mine)
    clock = time.time() + 3601  # every file expired: swept, and the room free again
    monkeypatch.setattr(time, "time", lambda: clock)  # (the store reads time.time())
    await put(mine)
    assert len(list(tmp_path.glob("file-*.json"))) == 1


@pytest.mark.parametrize("meanwhile", ["another instance uploads", "a delete"])
async def test_what_another_writer_does_during_an_upload_is_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, meanwhile: str
) -> None:
    """The room an upload carries past its own write missed a file another instance wrote, or
    one a DELETE removed, at the same time (stores sharing a directory filled past their room;
    a key refused as full for an hour): the directory's writers now take turns."""
    import threading

    import limner.gateway.local_store as local_store
    from limner.gateway.files import StoreFullError
    from limner.gateway.local_store import charged

    room = 3 * charged(10)
    mine = LocalFileStore(tmp_path, max_total_bytes=room)
    other = LocalFileStore(tmp_path, max_total_bytes=room)  # another process, same directory

    async def put(store: LocalFileStore) -> Any:
        return await store.put(b"x" * 10, filename="a.png", purpose="p", content_type="x/y")

    first = await put(mine)
    real = local_store._write_atomically
    racers: list[threading.Thread] = []

    def racing(path: Path, payload: bytes) -> None:
        real(path, payload)
        if path.suffix == ".bin" and not racers:  # as this upload writes, the other acts
            if meanwhile == "a delete":
                racer = threading.Thread(target=mine._delete, args=(first.id,))
            else:
                racer = threading.Thread(target=lambda: asyncio.run(put(other)))
            racers.append(racer)
            racer.start()
            racer.join(0.3)  # (it waits for this upload to end, unless nothing keeps it out)

    monkeypatch.setattr(local_store, "_write_atomically", racing)
    await put(mine)
    monkeypatch.setattr(local_store, "_write_atomically", real)
    racers[0].join(5)
    if meanwhile == "a delete":  # 1 file left: room for 2 more
        await put(mine)
        await put(mine)
    with pytest.raises(StoreFullError):  # 3 files: the store is full
        await put(mine)
    assert len(list(tmp_path.glob("file-*.json"))) == 3


async def test_a_file_system_without_locks_still_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a file system that takes no flock (NFS without its lock manager: ENOLCK) every
    upload, delete and sweep raised, after the images were paid for."""
    import errno

    import limner.gateway.dir_lock as dir_lock
    from limner.gateway.files import StoreFullError
    from limner.gateway.local_store import charged

    def no_locks(handle: Any, *, locked: bool) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(dir_lock, "_flock", no_locks)
    store = LocalFileStore(tmp_path, max_total_bytes=2 * charged(1))
    made = await store.put(b"x", filename="a", purpose="p", content_type="x/y")
    await store.put(b"x", filename="a", purpose="p", content_type="x/y")
    with pytest.raises(StoreFullError):  # (counted on every upload, as without locks)
        await store.put(b"x", filename="a", purpose="p", content_type="x/y")
    assert await store.delete(made.id)
    assert await store.sweep() == 0
    await store.put(b"x", filename="a", purpose="p", content_type="x/y")
