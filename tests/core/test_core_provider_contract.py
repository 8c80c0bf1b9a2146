"""Core pieces the provider plugins lean on: edit modes, blocking authorizers, which split call
failed, "no image" answers, and URLs sent exactly as built."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any, ClassVar

import pytest
from aiohttp import web
from pydantic import SecretStr

import limner
from limner.client_limits import TIMEOUT

from .fakeprovider import ALPHA, FakePlugin, FakeProvider
from .support import IMAGE, FakeServer, MakeClient, Recorded, client_kwargs, error_reply, ok_body

MODES = ALPHA.model_copy(
    update={
        "id": "fake/modes-1",
        "name": "modes-1",
        "aliases": (),
        "capabilities": ALPHA.capabilities.model_copy(
            update={"edit_modes": ("inpaint", "outpaint", "remove-background")}
        ),
    }
)


class AddModes:
    @limner.hookimpl
    def register_models(self, register: Callable[[limner.ModelInfo], None]) -> None:
        register(MODES)


async def test_edit_mode_is_checked_against_the_models_modes(
    make_client: MakeClient, server: FakeServer
) -> None:
    client = make_client(plugins=[FakePlugin(), AddModes()])
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.edit(model="fake/modes-1", prompt="p", image=IMAGE, edit_mode="sketch")
    assert info.value.param == "edit_mode"
    assert "'sketch' is not one of ['inpaint', 'outpaint', 'remove-background']" in str(info.value)
    schema = client.models.schema("fake/modes-1", "edit")
    assert schema["properties"]["edit_mode"] == {
        "enum": ["inpaint", "outpaint", "remove-background", None]
    }
    assert server.api_calls == []


async def test_edit_mode_on_a_model_without_modes_is_refused(
    make_client: MakeClient, server: FakeServer
) -> None:
    client = make_client()
    with pytest.raises(limner.UnsupportedFeatureError) as info:
        await client.images.edit(model="fake/alpha-1", prompt="p", image=IMAGE, edit_mode="erase")
    assert info.value.param == "edit_mode"
    assert server.api_calls == []


class SlowAuthProvider(FakeProvider):
    """Its authorize blocks (as a token refresh would); records the thread it ran on."""

    authorize_blocks: ClassVar[bool] = True
    threads: ClassVar[list[str]] = []

    def authorize(
        self,
        request: limner.WireRequest,
        settings: limner.ProviderSettings,
        *,
        dry_run: bool = False,
    ) -> limner.WireRequest:
        SlowAuthProvider.threads.append(threading.current_thread().name)
        return super().authorize(request, settings, dry_run=dry_run)


async def test_blocking_authorize_runs_off_the_event_loop(
    make_client: MakeClient, server: FakeServer
) -> None:
    SlowAuthProvider.threads.clear()
    client = make_client(plugins=[FakePlugin(SlowAuthProvider)])
    server.reply(error_reply(503), error_reply(503))  # two retries: authorize runs three times
    result = await client.images.generate(model="fake/alpha-1", prompt="p")
    assert len(result.data) == 1
    loop_thread = threading.current_thread().name
    assert len(SlowAuthProvider.threads) == 3
    assert all(name != loop_thread for name in SlowAuthProvider.threads)


class StuckAuthProvider(FakeProvider):
    """Its authorize waits far longer than the call's timeout (a token service that does not
    answer)."""

    authorize_blocks: ClassVar[bool] = True

    def authorize(
        self,
        request: limner.WireRequest,
        settings: limner.ProviderSettings,
        *,
        dry_run: bool = False,
    ) -> limner.WireRequest:
        if not dry_run:
            time.sleep(1.5)
        return super().authorize(request, settings, dry_run=dry_run)


async def test_a_blocking_authorize_is_bounded_by_the_calls_timeout(
    make_client: MakeClient, server: FakeServer
) -> None:
    """It was not: the call's timeout bounded each exchange with the provider only, so a
    token refresh that hung held the call as long as the plugin's own library waited."""
    client = make_client(plugins=[FakePlugin(StuckAuthProvider)], timeout=0.2)
    started = time.monotonic()
    with pytest.raises(limner.RequestTimeoutError) as caught:
        await client.images.generate(model="fake/alpha-1", prompt="p")
    assert time.monotonic() - started < 1.2
    error = caught.value
    assert error.message.startswith("fake could not authorize the request within 0.2 s")
    assert "nothing was sent" in error.message and not error.retryable
    assert (error.provider, error.model, error.limit) == ("fake", "fake/alpha-1", TIMEOUT)
    assert not error.billing_note
    assert server.requests == []


class LookupProvider(FakeProvider):
    """Its key is looked up by ``complete_settings`` (as a cloud project is read from a
    machine's credentials), slowly; records each lookup's thread."""

    lookups: ClassVar[list[str]] = []

    def complete_settings(self, settings: limner.ProviderSettings) -> limner.ProviderSettings:
        time.sleep(0.05)  # concurrent first calls all arrive while this one runs
        LookupProvider.lookups.append(threading.current_thread().name)
        return settings.model_copy(update={"api_key": SecretStr("sk-looked-up")})


async def test_complete_settings_runs_once_off_the_loop_and_never_for_a_dry_run(
    make_client: MakeClient, server: FakeServer
) -> None:
    LookupProvider.lookups.clear()
    settings = {"base_url": f"{server.url}/v1"}  # no key: the lookup finds it
    client = make_client(plugins=[FakePlugin(LookupProvider)], providers={"fake": settings})
    plan = await client.images.generate(model="fake/alpha-1", prompt="p", dry_run=True)
    assert LookupProvider.lookups == []
    assert plan.requests[0]["headers"]["x-fake-key"] == "<redacted>"
    await asyncio.gather(
        *(client.images.generate(model="fake/alpha-1", prompt=f"p{i}") for i in range(3))
    )
    assert len(LookupProvider.lookups) == 1
    assert LookupProvider.lookups[0] != threading.current_thread().name
    assert [call.headers["x-fake-key"] for call in server.api_calls] == ["sk-looked-up"] * 3


class FailingLookup(FakeProvider):
    """Its lookup fails slowly, as ADC probing a metadata server would; translation refuses the
    prompt "bad"."""

    lookups: ClassVar[int] = 0
    failure: ClassVar[Exception] = limner.MissingCredentialsError("no key found", param="key")

    def complete_settings(self, settings: limner.ProviderSettings) -> limner.ProviderSettings:
        time.sleep(0.05)
        FailingLookup.lookups += 1
        raise FailingLookup.failure

    def translate(self, call: limner.ProviderCall) -> limner.Translation:
        if getattr(call.request, "prompt", None) == "bad":
            raise limner.InvalidRequestError("bad prompt", param="prompt")
        return super().translate(call)


async def test_a_failed_lookup_is_shared_by_the_calls_waiting_and_tried_again_later(
    make_client: MakeClient, server: FakeServer
) -> None:
    FailingLookup.lookups = 0
    FailingLookup.failure = limner.MissingCredentialsError("no key found", param="key")
    client = make_client(plugins=[FakePlugin(FailingLookup)])
    with pytest.raises(limner.InvalidRequestError) as invalid:  # checked before any lookup
        await client.images.generate(model="fake/alpha-1", prompt="bad")
    assert (invalid.value.param, FailingLookup.lookups) == ("prompt", 0)
    outcomes = await asyncio.gather(
        *(client.images.generate(model="fake/alpha-1", prompt="p") for _ in range(3)),
        return_exceptions=True,
    )
    assert FailingLookup.lookups == 1
    for outcome in outcomes:
        assert isinstance(outcome, limner.MissingCredentialsError)
        assert (outcome.provider, outcome.model) == ("fake", "fake/alpha-1")
    with pytest.raises(limner.MissingCredentialsError):
        await client.images.generate(model="fake/alpha-1", prompt="p")
    assert FailingLookup.lookups == 2
    assert server.api_calls == []


class Careless(FakeProvider):
    def complete_settings(self, settings: limner.ProviderSettings) -> limner.ProviderSettings:
        return None  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("broken", "said"),
    [(FailingLookup, "complete_settings"), (Careless, "Careless.complete_settings returned None")],
)
async def test_a_lookup_that_crashes_or_returns_no_settings_is_a_plugin_error(
    make_client: MakeClient, server: FakeServer, broken: type[FakeProvider], said: str
) -> None:
    FailingLookup.failure = ValueError("boom")
    client = make_client(plugins=[FakePlugin(broken)])
    with pytest.raises(limner.PluginError) as caught:
        await client.images.generate(model="fake/alpha-1", prompt="p")
    assert said in caught.value.message
    assert server.api_calls == []


class SlowLookup(FakeProvider):
    """Its lookup takes longer than the tests' call timeout; counts the lookups."""

    lookups: ClassVar[int] = 0

    def complete_settings(self, settings: limner.ProviderSettings) -> limner.ProviderSettings:
        time.sleep(0.4)
        SlowLookup.lookups += 1
        return settings


def _unreachable(
    provider: type[FakeProvider], *, timeout: float
) -> tuple[limner.AsyncClient, Callable[[], Coroutine[Any, Any, str]]]:
    """A client of ``provider`` whose API nobody answers (a call that gets past its settings
    fails to connect), and a call that says how it ended: its error's code, or "made"."""
    kwargs = client_kwargs(None, plugins=[FakePlugin(provider)], timeout=timeout)
    kwargs["providers"] = {"fake": {"api_key": "k", "base_url": "http://127.0.0.1:9/v1"}}
    client = limner.AsyncClient(**kwargs)

    async def call() -> str:
        try:
            await client.images.generate(model="fake/alpha-1", prompt="p")
        except limner.LimnerError as error:
            return error.code or type(error).__name__
        return "made"

    return client, call


def test_a_lookup_that_outlasts_its_event_loop_is_kept_for_the_next_one() -> None:
    """One client, a call per asyncio.run: the loop's end cancelled the lookup's task, its
    outcome was dropped, and every run looked again and timed out again, for good."""
    SlowLookup.lookups = 0
    client, call = _unreachable(SlowLookup, timeout=0.2)
    try:
        assert asyncio.run(call()) == "settings_timeout"
        time.sleep(0.5)  # the lookup ends, its loop gone
        assert asyncio.run(call()) != "settings_timeout"  # (nothing answers: not reached)
        assert SlowLookup.lookups == 1
    finally:
        asyncio.run(client.close())


class ParentSlowLookup(FakeProvider):
    """Its lookup is slow in the process that made it only (a forked child's is quick)."""

    parent: ClassVar[int] = 0

    def complete_settings(self, settings: limner.ProviderSettings) -> limner.ProviderSettings:
        if os.getpid() == ParentSlowLookup.parent:
            time.sleep(0.5)
        return settings


def test_a_forked_child_looks_its_settings_up_itself() -> None:
    """A lookup still running in the parent as it forked: the child's calls waited for a future
    no thread of the child would finish, and timed out, every one."""
    ParentSlowLookup.parent = os.getpid()
    client, call = _unreachable(ParentSlowLookup, timeout=0.3)
    try:
        assert asyncio.run(call()) == "settings_timeout"  # the lookup goes on, and then:
        child = os.fork()
        if child == 0:  # pragma: no cover (its exit status says how it went)
            signal.signal(signal.SIGALRM, signal.SIG_DFL)  # (not pytest-timeout's handler)
            signal.alarm(20)
            os._exit(0 if asyncio.run(call()) != "settings_timeout" else 1)
        _, status = os.waitpid(child, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
    finally:
        time.sleep(0.5)
        asyncio.run(client.close())


async def test_a_lookup_that_cannot_reach_the_network_is_a_connection_failure(
    make_client: MakeClient, server: FakeServer
) -> None:
    """As an ``authorize``'s is: it was "a bug in the plugin", a PluginError not retryable."""
    FailingLookup.failure = ConnectionError("metadata server unreachable")
    client = make_client(plugins=[FakePlugin(FailingLookup)])
    with pytest.raises(limner.ProviderConnectionError) as caught:
        await client.images.generate(model="fake/alpha-1", prompt="p")
    assert caught.value.message.startswith(
        "fake could not complete its settings (ConnectionError: metadata server unreachable"
    )
    assert caught.value.retryable and caught.value.model == "fake/alpha-1"
    assert server.api_calls == []


async def test_a_lookup_whose_only_caller_was_cancelled_is_kept(
    make_client: MakeClient, server: FakeServer
) -> None:
    LookupProvider.lookups.clear()
    settings = {"base_url": f"{server.url}/v1"}
    client = make_client(plugins=[FakePlugin(LookupProvider)], providers={"fake": settings})
    first = asyncio.ensure_future(client.images.generate(model="fake/alpha-1", prompt="p"))
    await asyncio.sleep(0.01)  # the lookup (50 ms) is running
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    await asyncio.sleep(0.1)  # it finishes with nobody waiting
    await client.images.generate(model="fake/alpha-1", prompt="p")
    assert len(LookupProvider.lookups) == 1
    assert [call.headers["x-fake-key"] for call in server.api_calls] == ["sk-looked-up"]


class GatedLookup(FakeProvider):
    """Its lookup waits until the test opens the gate (a token service slow to answer)."""

    gate: ClassVar[threading.Event] = threading.Event()

    def complete_settings(self, settings: limner.ProviderSettings) -> limner.ProviderSettings:
        GatedLookup.gate.wait(10)
        return settings.model_copy(update={"api_key": SecretStr("sk-looked-up")})


async def test_a_lookup_is_bounded_by_the_calls_timeout_and_goes_on_for_the_next_call(
    make_client: MakeClient, server: FakeServer
) -> None:
    """It was not bounded: a lookup that never returned held every call for good."""
    GatedLookup.gate.clear()
    settings = {"base_url": f"{server.url}/v1"}
    client = make_client(
        plugins=[FakePlugin(GatedLookup)], providers={"fake": settings}, timeout=0.2
    )
    try:
        with pytest.raises(limner.RequestTimeoutError) as caught:
            await client.images.generate(model="fake/alpha-1", prompt="p")
    finally:
        GatedLookup.gate.set()
    error = caught.value
    assert error.message.startswith("fake could not complete its settings within 0.2 s")
    assert "nothing was sent" in error.message and not error.retryable
    assert (error.code, error.provider, error.model) == ("settings_timeout", "fake", "fake/alpha-1")
    assert error.limit == TIMEOUT and server.requests == []
    await client.images.generate(model="fake/alpha-1", prompt="p")  # the same lookup, done
    assert [call.headers["x-fake-key"] for call in server.api_calls] == ["sk-looked-up"]


async def test_a_failed_split_call_is_named_and_the_others_images_returned(
    make_client: MakeClient, server: FakeServer
) -> None:
    client = make_client()

    async def fine(recorded: Recorded) -> web.StreamResponse:
        return web.json_response(ok_body(int((recorded.json or {}).get("n", 1))))

    server.reply(fine, error_reply(400, "bad seed"), fine)
    result = await client.images.generate(model="fake/alpha-1", prompt="p", n=5)
    # the calls that worked are billed: their images make a partial answer, said in a notice
    (notice,) = result.warnings
    assert notice.code == "call_failed"
    named = re.fullmatch(
        r"call [123] of 3 \(([12]) image\(s\)\) failed: fake: bad seed", notice.message
    )
    assert named is not None
    assert len(result.data) == 5 - int(named[1])  # which call failed depends on arrival order


@pytest.mark.parametrize(
    ("notices", "kind"),
    [
        ([], limner.NoImageGeneratedError),
        ([{"code": "content_filtered", "message": "withheld"}], limner.ContentPolicyError),
    ],
)
async def test_an_answer_without_images_is_an_error_naming_the_answer(
    make_client: MakeClient,
    server: FakeServer,
    notices: list[dict[str, str]],
    kind: type[limner.LimnerError],
) -> None:
    """The answers may be billed: the error has the provider's id for them, for its support."""
    client = make_client()

    async def empty(recorded: Recorded) -> web.StreamResponse:
        body = {"created": 1, "data": [], "notices": notices}
        return web.json_response(body, headers={"x-request-id": "req-empty"})

    server.reply(empty)
    with pytest.raises(kind) as info:
        await client.images.generate(model="fake/alpha-1", prompt="p")
    assert info.value.request_id == "req-empty"
    if kind is limner.NoImageGeneratedError:
        assert info.value.http_status == 502
        assert info.value.code == "no_image_generated"


class EncodedPathProvider(FakeProvider):
    def translate(self, call: limner.ProviderCall) -> limner.Translation:
        translation = super().translate(call)
        url = translation.request.url.replace("/images", "/model/a.b-v1%3A0/invoke")
        request = limner.WireRequest(
            method="POST", url=url, json=translation.request.json, headers={}
        )
        return limner.Translation(request=request)


async def test_urls_are_sent_exactly_as_built(make_client: MakeClient, server: FakeServer) -> None:
    client = make_client(plugins=[FakePlugin(EncodedPathProvider)])
    await client.images.generate(model="fake/alpha-1", prompt="p")
    assert [r.raw_path for r in server.requests] == ["/v1/model/a.b-v1%3A0/invoke"]


async def test_dry_run_reports_url_to_bytes_before_the_call(make_client: MakeClient) -> None:
    client = make_client()
    plan = await client.images.generate(
        model="fake/beta-2", prompt="p", response_format="url", dry_run=True
    )
    assert [(a.param, a.requested, a.applied) for a in plan.adjustments] == [
        ("response_format", "url", "b64_json")
    ]


@pytest.mark.parametrize(("share", "asked", "split"), [(2, 4, True), (4, 4, False), (1, 1, False)])
def test_a_call_knows_whether_core_split_the_request(share: int, asked: int, split: bool) -> None:
    call = limner.ProviderCall(
        operation="generate",
        model=ALPHA,
        request=limner.GenerateRequest(model="fake/alpha-1", prompt="x", n=asked),
        settings=limner.ProviderSettings(),
        n=share,
    )
    assert call.is_split is split


# ---- what a plugin returns is checked: a PluginError naming it, not core's AttributeError ------


class EmptySlot(FakeProvider):
    """Its parser keeps a slot the provider left empty (``{"b64": null}``), or puts a string
    where an image goes."""

    slot: ClassVar[object] = limner.ImageData()

    def parse_response(
        self, call: limner.ProviderCall, response: limner.WireResponse
    ) -> limner.ProviderResult:
        made = super().parse_response(call, response)
        made.images.append(EmptySlot.slot)  # type: ignore[arg-type]
        return made


@pytest.mark.parametrize(
    ("slot", "said"),
    [
        (limner.ImageData(), "the fake plugin returned an image with neither b64_json nor url"),
        ("x", "the fake plugin returned str, not an ImageData in ProviderResult.images"),
    ],
)
async def test_an_answer_with_an_empty_or_foreign_image_is_the_plugins_error(
    make_client: MakeClient, server: FakeServer, slot: object, said: str
) -> None:
    """The empty one was returned as an image, and priced; the string raised AttributeError."""
    EmptySlot.slot = slot
    client = make_client(plugins=[FakePlugin(EmptySlot)])
    with pytest.raises(limner.PluginError) as caught:
        await client.images.generate(model="fake/alpha-1", prompt="p")
    assert caught.value.message.startswith(said)
    assert caught.value.billing_note == "the provider answered, and may bill the images it made"


class OddValues(FakeProvider):
    """Its parser gives the result a value of the wrong type."""

    odd: ClassVar[dict[str, object]] = {}

    def parse_response(
        self, call: limner.ProviderCall, response: limner.WireResponse
    ) -> limner.ProviderResult:
        made = super().parse_response(call, response)
        return dataclasses.replace(made, **OddValues.odd)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("odd", "said"),
    [
        ({"request_id": 123}, "request_id cannot be one of the response's (Input should be a "
         "valid string, got int)"),
        ({"quality": ["low"]}, "quality cannot be one of the response's (Input should be a "
         "valid string, got list)"),
    ],
)  # fmt: skip
async def test_an_answer_with_values_of_the_wrong_type_is_the_plugins_error(
    make_client: MakeClient, server: FakeServer, odd: dict[str, object], said: str
) -> None:
    """It was pydantic's ValidationError, after the provider had answered, and no word of
    what it may bill."""
    OddValues.odd = odd
    client = make_client(plugins=[FakePlugin(OddValues)])
    with pytest.raises(limner.PluginError) as caught:
        await client.images.generate(model="fake/alpha-1", prompt="p")
    assert caught.value.message.startswith(
        f"the fake plugin returned a ProviderResult whose {said}"
    )
    assert "the provider answered, and may bill the images it made" in caught.value.billing_note


async def test_an_answer_with_a_warning_that_is_no_notice_is_the_plugins_error(
    make_client: MakeClient, server: FakeServer
) -> None:
    """A string among ProviderResult.warnings raised TypeError in merging (notice.index)."""
    OddValues.odd = {"warnings": ["mind the fox"]}
    client = make_client(plugins=[FakePlugin(OddValues)])
    with pytest.raises(limner.PluginError) as caught:
        await client.images.generate(model="fake/alpha-1", prompt="p")
    assert caught.value.message.startswith(
        "the fake plugin returned str, not a Notice in ProviderResult.warnings"
    )
    assert caught.value.billing_note == "the provider answered, and may bill the images it made"


async def test_a_usage_given_as_a_dict_is_read_as_one_when_calls_are_summed_too(
    make_client: MakeClient, server: FakeServer
) -> None:
    """A dict usage was taken for one call, and raised TypeError ('dict' + 'dict') for two."""
    OddValues.odd = {"usage": {"input_tokens": 3, "output_tokens": 4}}
    client = make_client(plugins=[FakePlugin(OddValues)])
    one = await client.images.generate(model="fake/alpha-1", prompt="p")
    two = await client.images.generate(model="fake/alpha-1", prompt="p", n=3)  # two calls
    assert one.usage is not None and two.usage is not None
    assert (one.usage.input_tokens, two.usage.input_tokens) == (3, 6)
    OddValues.odd = {"usage": "lots"}
    with pytest.raises(limner.PluginError) as caught:
        await client.images.generate(model="fake/alpha-1", prompt="p", n=3)
    assert caught.value.message.startswith("the fake plugin returned a ProviderResult whose")
    assert "the provider answered, and may bill the images it made" in caught.value.billing_note


async def test_a_providers_other_fields_are_passed_on_but_never_over_limners_own(
    make_client: MakeClient, server: FakeServer
) -> None:
    """``ProviderResult.extra`` reaches the response (the first call's when ``n`` is split); one
    named like a field of the response does not overwrite limner's value, and is said."""
    others = {"generation": {"id": 7}, "cost": "0", "provider": "x", "adjustments": None}
    OddValues.odd = {"extra": others}
    client = make_client(plugins=[FakePlugin(OddValues)])
    for n in (1, 3):  # (3: two calls, each with the same fields)
        result = await client.images.generate(model="fake/alpha-1", prompt="p", n=n)
        assert result.model_extra == {"generation": {"id": 7}}
        assert result.model_dump()["generation"] == {"id": 7}
        assert (result.provider, result.adjustments) == ("fake", [])
        assert result.cost is not None and result.cost > 0
        [kept_out] = [w for w in result.warnings if w.code == "field_kept_out"]
        assert kept_out.message == (
            "fake's answer also held 'cost', 'provider', 'adjustments', left out of the "
            "response, where limner's own fields have those names"
        )
    assert others == {"generation": {"id": 7}, "cost": "0", "provider": "x", "adjustments": None}
    OddValues.odd = {"extra": [("generation", 7)]}
    with pytest.raises(limner.PluginError) as caught:
        await client.images.generate(model="fake/alpha-1", prompt="p")
    assert caught.value.message.startswith(
        "the fake plugin returned list, not a dict in ProviderResult.extra"
    )
    assert "the provider answered, and may bill the images it made" in caught.value.billing_note


class NoErrorParsed(FakeProvider):
    """Its ``parse_error`` returns nothing for a body it does not know."""

    def parse_error(
        self, call: limner.ProviderCall, response: limner.WireResponse
    ) -> limner.LimnerError:
        return None  # type: ignore[return-value]


async def test_a_parse_error_that_returns_no_error_is_mapped_by_status(
    make_client: MakeClient, server: FakeServer
) -> None:
    """As one that raises is: it was core's AttributeError ('NoneType' ... 'attribute')."""
    client = make_client(plugins=[FakePlugin(NoErrorParsed)])
    server.reply(error_reply(403))
    with pytest.raises(limner.PermissionDeniedError) as caught:
        await client.images.generate(model="fake/alpha-1", prompt="p")
    assert (caught.value.status_code, caught.value.provider) == (403, "fake")


class NoRequestSigned(FakeProvider):
    """Its ``authorize`` forgets to return the request."""

    def authorize(
        self,
        request: limner.WireRequest,
        settings: limner.ProviderSettings,
        *,
        dry_run: bool = False,
    ) -> limner.WireRequest:
        return None  # type: ignore[return-value]


@pytest.mark.parametrize("dry_run", [False, True])
async def test_an_authorize_that_returns_no_request_is_the_plugins_error(
    make_client: MakeClient, server: FakeServer, dry_run: bool
) -> None:
    client = make_client(plugins=[FakePlugin(NoRequestSigned)])
    with pytest.raises(limner.PluginError) as caught:
        await client.images.generate(model="fake/alpha-1", prompt="p", dry_run=dry_run)
    assert caught.value.message.startswith(
        "NoRequestSigned.authorize returned NoneType, not a WireRequest"
    )
    assert (caught.value.provider, caught.value.model) == ("fake", "fake/alpha-1")
    assert server.requests == []
