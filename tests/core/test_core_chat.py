"""The chat surface with a third-party plugin: a provider that serves chat through the optional
contract methods, registered like any plugin. Core knows nothing about it beyond the contract."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
from decimal import Decimal
from typing import Any, ClassVar, assert_type

import pytest
from aiohttp import web
from pydantic import BaseModel

import limner
from limner.chat import ChatCall, ChatResult
from limner.chat.messages import NO_STATE, build_chat_request, load_turns
from limner.http import RetryPolicy

from .support import IMAGE, IMAGE_B64, FakeServer, Recorded, error_reply, png

KEY = "sk-painter-SECRET-42"
URL = f"data:image/png;base64,{IMAGE_B64}"
THOUGHT = png(3, 3)
THOUGHT_URL = f"data:image/png;base64,{base64.b64encode(THOUGHT).decode()}"


def _model(name: str, operations: tuple[Any, ...]) -> limner.ModelInfo:
    return limner.ModelInfo(
        id=f"painter/{name}",
        provider="painter",
        name=name,
        capabilities=limner.Capabilities(operations=operations, max_input_images=4, max_n=3),
        pricing=limner.PriceSheet(
            source="https://painter.example/prices",
            as_of=dt.date(2026, 1, 1),
            per_million_tokens=limner.TokenPrices(text_input=Decimal(1), image_output=Decimal(50)),
        ),
    )


class PainterProvider(limner.Provider):
    """Answers ``{"text", "images": [b64], "thoughts": [b64], "turn": N, "usage": {...}}``."""

    name: ClassVar[str] = "painter"

    def models(self) -> list[limner.ModelInfo]:
        return [_model("chat-1", ("generate", "chat")), _model("flat-1", ("generate",))]

    def translate(self, call: limner.ProviderCall) -> limner.Translation:
        raise AssertionError("not used")

    def parse_response(
        self, call: limner.ProviderCall, response: limner.WireResponse
    ) -> limner.ProviderResult:
        raise AssertionError("not used")

    def translate_chat(self, call: ChatCall) -> limner.Translation:
        turns = [
            {
                "role": turn.role,
                "text": turn.text,
                "images": [len(p.image.data or b"") for p in turn.parts if p.image is not None],
                "thoughts": len(turn.thought_images),
                "state": turn.state,
            }
            for turn in call.turns
        ]
        body = {"model": call.model.name, "turns": turns, "choice": call.index}
        url = f"{call.settings.base_url}/v1/chat"
        return limner.Translation(request=limner.WireRequest("POST", url, json=body))

    def parse_chat_response(self, call: ChatCall, response: limner.WireResponse) -> ChatResult:
        body = response.json()
        usage = limner.Usage.model_validate(body["usage"])
        return ChatResult(
            text=body["text"],
            images=[f"data:image/png;base64,{b}" for b in body["images"]],
            thought_images=[f"data:image/png;base64,{b}" for b in body["thoughts"]],
            state={"turn": body["turn"]},
            usage=usage,
            billed_usd=Decimal(body["billed_usd"]) if "billed_usd" in body else None,
        )

    def authorize(
        self,
        request: limner.WireRequest,
        settings: limner.ProviderSettings,
        *,
        dry_run: bool = False,
    ) -> limner.WireRequest:
        return request.with_headers(
            {"authorization": f"Bearer {self.api_key(settings)}"}, secret=True
        )


class PainterPlugin:
    @limner.hookimpl
    def register_providers(self, register: Any) -> None:
        register(PainterProvider())


def answer(
    turn: int, text: str | None = "done", thoughts: int = 0, image: bool = True
) -> web.Response:
    usage = {
        "input_tokens": 10,
        "output_tokens": 100,
        "total_tokens": 110,
        "output_tokens_details": {"text_tokens": 0, "image_tokens": 100},
    }
    body = {
        "text": text,
        "images": [IMAGE_B64] if image else [],
        "thoughts": [base64.b64encode(THOUGHT).decode()] * thoughts,
        "turn": turn,
        "usage": usage,
    }
    return web.json_response(body)


def client(server: FakeServer) -> limner.AsyncClient:
    return limner.AsyncClient(
        providers={"painter": {"api_key": KEY, "base_url": server.url}},
        plugins=[PainterPlugin()],
        retry=RetryPolicy(max_retries=1, initial_delay=0.001),
        environ={},
    )


async def test_a_third_party_plugin_serves_chat_and_gets_its_state_back(
    server: FakeServer,
) -> None:
    server.reply(answer(1, thoughts=1), answer(2, text=None))
    async with client(server) as painter:
        first = await painter.chat.completions.create(
            model="painter/chat-1",
            messages=[
                {"role": "system", "content": "Paint."},
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "a boat"},
                        {"type": "image_url", "image_url": {"url": URL}},
                    ],
                },
            ],
        )
        # an answer's content is text, as OpenAI types it (not the request's list of parts)
        assert_type(first.choices[0].message.content, str | None)
        message = json.loads(json.dumps(first.choices[0].message.to_param()))
        second = await painter.chat.completions.create(
            model="painter/chat-1",
            messages=[
                {"role": "user", "content": "a boat"},
                message,
                {"role": "user", "content": "at night"},
            ],
        )
    calls = server.api_calls
    assert calls[0].headers["authorization"] == f"Bearer {KEY}"
    assert calls[0].json["turns"] == [
        {"role": "system", "text": "Paint.", "images": [], "thoughts": 0, "state": None},
        {"role": "user", "text": "a boat", "images": [len(IMAGE)], "thoughts": 0, "state": None},
    ]
    assert calls[1].json["turns"][1] == {
        "role": "assistant",
        "text": "done",
        "images": [len(IMAGE)],
        "thoughts": 1,
        "state": {"turn": 1},
    }
    assert message["limner"] == {
        "provider": "painter",
        "model": "painter/chat-1",
        "state": {"turn": 1},
        "thought_images": [{"type": "image_url", "image_url": {"url": THOUGHT_URL}}],
    }
    assert message["images"] == [{"type": "image_url", "image_url": {"url": URL}}]
    assert second.choices[0].message.content == URL  # no text: the first image's data URL
    assert first.cost == Decimal("0.00501")  # 10 x $1 + 100 x $50 per million
    assert first.usage is not None and first.usage.completion_tokens_details.image_tokens == 100


async def test_chat_takes_the_per_call_options_and_with_options(server: FakeServer) -> None:
    """``timeout`` and ``max_retries`` on one call, or on a client made by ``with_options``,
    as the openai SDK takes them (the client itself retries once)."""
    messages = [{"role": "user", "content": "x"}]
    async with client(server) as painter:
        server.reply(error_reply(503))
        with pytest.raises(limner.ProviderUnavailableError):
            await painter.chat.completions.create(
                model="painter/chat-1", messages=messages, max_retries=0
            )
        assert len(server.api_calls) == 1
        server.reply(error_reply(503))
        with pytest.raises(limner.ProviderUnavailableError):
            await painter.with_options(max_retries=0).chat.completions.create(
                model="painter/chat-1", messages=messages
            )
        assert len(server.api_calls) == 2
        server.reply(error_reply(503), answer(1))
        retried = await painter.chat.completions.create(model="painter/chat-1", messages=messages)
        assert len(server.api_calls) == 4 and retried.choices
        dry = await painter.chat.completions.create(
            model="painter/chat-1", messages=messages, timeout=30, dry_run=True
        )
        assert "timeout" not in dry.requests[0]["json"]
        server.reply(server.stall)
        with pytest.raises(limner.RequestTimeoutError) as info:
            await painter.chat.completions.create(
                model="painter/chat-1", messages=messages, timeout=0.2
            )
        assert "0.2 s" in info.value.message


async def test_a_chat_model_has_request_schemas_for_its_image_operations_only(
    server: FakeServer,
) -> None:
    async with client(server) as painter:
        assert list(painter.models.schemas("painter/chat-1")) == ["generate"]


async def test_image_only_model_of_the_plugin_is_refused(server: FakeServer) -> None:
    async with client(server) as painter:
        with pytest.raises(limner.InvalidRequestError, match=r"^Model\(s\) do not support"):
            await painter.chat.completions.create(
                model="painter/flat-1", messages=[{"role": "user", "content": "x"}]
            )
    assert server.requests == []


def test_a_chat_model_without_translate_chat_is_a_plugin_error() -> None:
    class Lazy(PainterProvider):
        name: ClassVar[str] = "painter"
        translate_chat = limner.Provider.translate_chat

    class LazyPlugin:
        @limner.hookimpl
        def register_providers(self, register: Any) -> None:
            register(Lazy())

    registry = limner.plugins.Registry([LazyPlugin()], entry_points=False)
    with pytest.raises(limner.PluginError, match="does not implement translate_chat"):
        registry.models()


async def test_a_chat_translation_that_crashes_is_a_plugin_error(server: FakeServer) -> None:
    class Crashing(PainterProvider):
        def translate_chat(self, call: ChatCall) -> limner.Translation:
            raise KeyError("turns")

    class CrashingPlugin:
        @limner.hookimpl
        def register_providers(self, register: Any) -> None:
            register(Crashing())

    crashing = limner.AsyncClient(
        providers={"painter": {"api_key": KEY, "base_url": server.url}},
        plugins=[CrashingPlugin()],
        environ={},
    )
    async with crashing:
        with pytest.raises(limner.PluginError) as caught:
            await crashing.chat.completions.create(
                model="painter/chat-1", messages=[{"role": "user", "content": "x"}]
            )
    assert caught.value.provider == "painter" and caught.value.model == "painter/chat-1"
    assert "failed in translate_chat (KeyError: 'turns')" in caught.value.message
    assert server.requests == []


async def test_a_chat_setting_the_model_lacks_and_the_plugin_passes_over_is_a_warning(
    server: FakeServer,
) -> None:
    """painter/chat-1 declares no seed and its plugin says nothing of one."""
    async with client(server) as painter:
        dry = await painter.chat.completions.create(
            model="painter/chat-1",
            messages=[{"role": "user", "content": "x"}],
            seed=7,
            dry_run=True,
        )
    assert [w.param for w in dry.warnings if w.code == "unreported_setting"] == ["seed"]


async def test_a_name_or_detail_hint_the_plugin_passes_over_is_a_warning(
    server: FakeServer,
) -> None:
    """Core's safety net for messages: painter's plugin says nothing of names or detail hints."""
    image = {"type": "image_url", "image_url": {"url": URL, "detail": "low"}}
    messages = [
        {"role": "system", "content": "be brief", "name": "rules"},
        {"role": "user", "content": [{"type": "text", "text": "x"}, image], "name": "ana"},
    ]
    async with client(server) as painter:
        dry = await painter.chat.completions.create(
            model="painter/chat-1", messages=messages, dry_run=True
        )
    unreported = [w for w in dry.warnings if w.code == "unreported_setting"]
    assert [w.param for w in unreported] == ["messages[0].name", "messages[1].name", "messages[1]"]
    assert "the name 'ana' was given" in unreported[1].message
    assert "detail hint" in unreported[2].message


async def test_default_chat_error_mapping_and_retries(server: FakeServer) -> None:
    busy = web.json_response({"error": "slow down"}, status=429, headers={"retry-after": "0"})
    server.reply(busy, web.json_response({"error": "slow down"}, status=429))
    async with client(server) as painter:
        with pytest.raises(limner.RateLimitError) as caught:
            await painter.chat.completions.create(
                model="painter/chat-1", messages=[{"role": "user", "content": "x"}]
            )
    assert len(server.api_calls) == 2
    assert caught.value.provider == "painter" and "slow down" in caught.value.message
    assert KEY not in caught.value.message


async def test_a_malformed_answer_is_a_provider_error(server: FakeServer) -> None:
    async def odd(recorded: Recorded) -> web.StreamResponse:
        return web.json_response({"unexpected": True})

    server.reply(odd)
    async with client(server) as painter:
        with pytest.raises(limner.ProviderError, match="could not read"):
            await painter.chat.completions.create(
                model="painter/chat-1", messages=[{"role": "user", "content": "x"}]
            )


async def test_n_fans_out_and_a_failed_choice_is_left_out_with_a_notice(
    server: FakeServer,
) -> None:
    """As on the images path: the answered choice is billed, so it is returned; the failed
    one is named in a notice."""
    server.reply(answer(1), web.json_response({"error": "bad"}, status=400))
    async with client(server) as painter:
        completion = await painter.chat.completions.create(
            model="painter/chat-1", messages=[{"role": "user", "content": "x"}], n=2
        )
    assert sorted(call.json["choice"] for call in server.api_calls) == [0, 1]
    assert [choice.index for choice in completion.choices] == [0]
    failed = [w for w in completion.warnings if w.code == "call_failed"]
    assert [w.message for w in failed] in (
        [f'call {i} of 2 failed: painter answered HTTP 400: {{"error": "bad"}}'] for i in (1, 2)
    )


async def test_a_choice_whose_call_was_resent_is_named(server: FakeServer) -> None:
    """As a split images call's is: the warning said "attempt 1" of no choice in particular."""

    async def hang_up(recorded: Recorded) -> web.StreamResponse:
        request = recorded.request
        assert request is not None and request.transport is not None
        request.transport.close()  # the request read whole, no answer
        return web.Response()

    server.reply(hang_up, answer(1), answer(1))
    async with client(server) as painter:
        completion = await painter.chat.completions.create(
            model="painter/chat-1", messages=[{"role": "user", "content": "x"}], n=2
        )
    (note,) = [w.message for w in completion.warnings if w.code == "resent"]
    assert note.startswith(("choice 0: attempt 1: ", "choice 1: attempt 1: "))
    server.reply(hang_up, answer(1, text=None, image=False))  # resent, then nothing said
    async with client(server) as painter:
        with pytest.raises(limner.NoImageGeneratedError) as caught:
            await painter.chat.completions.create(
                model="painter/chat-1", messages=[{"role": "user", "content": "x"}]
            )
    assert "attempt 1: the connection dropped" in caught.value.billing_note  # as images say


async def test_an_empty_choice_beside_an_answered_one_is_kept_with_a_notice(
    server: FakeServer,
) -> None:
    """Both answers are billed: the empty one stays a choice, said in a no_images notice; only
    when every choice is empty is it an error, and a failed call's own error is raised first."""
    server.reply(answer(1), answer(2, text=None, image=False))
    async with client(server) as painter:
        completion = await painter.chat.completions.create(
            model="painter/chat-1", messages=[{"role": "user", "content": "x"}], n=2
        )
    assert len(completion.choices) == 2
    empty = [w for w in completion.warnings if w.code == "no_images"]
    assert [w.message for w in empty] in (
        [f"choice {i}: painter/chat-1 answered with neither text nor an image (finish reason stop)"]
        for i in (0, 1)
    )
    server.reply(answer(2, text=None, image=False), web.json_response({"error": "bad"}, status=400))
    async with client(server) as painter:
        with pytest.raises(limner.InvalidRequestError):  # not the empty answer's error
            await painter.chat.completions.create(
                model="painter/chat-1", messages=[{"role": "user", "content": "x"}], n=2
            )


async def test_an_answer_with_nothing_is_an_error_naming_the_answer(server: FakeServer) -> None:
    """It may be billed: the error has the provider's id for it, for its support."""
    empty = answer(1, text=None, image=False)
    empty.headers["x-request-id"] = "req-empty"
    server.reply(empty)
    async with client(server) as painter:
        with pytest.raises(limner.NoImageGeneratedError) as caught:
            await painter.chat.completions.create(
                model="painter/chat-1", messages=[{"role": "user", "content": "x"}]
            )
    assert caught.value.request_id == "req-empty"


async def test_when_every_choice_fails_the_first_ones_error_is_raised(server: FakeServer) -> None:
    server.reply(*[web.json_response({"error": "bad"}, status=400) for _ in range(2)])
    async with client(server) as painter:
        with pytest.raises(limner.InvalidRequestError) as caught:
            await painter.chat.completions.create(
                model="painter/chat-1", messages=[{"role": "user", "content": "x"}], n=2
            )
    assert caught.value.message == (
        'call 1 of 2 failed: painter answered HTTP 400: {"error": "bad"} (1 other call(s) failed '
        "too)"
    )


async def test_an_assistant_message_kept_as_role_and_content_replays_its_image(
    server: FakeServer,
) -> None:
    """An app that stores only OpenAI's role and content keeps the image's data URL (the
    content limner gives an answer without text): it goes back as the image, not as text, with
    the no_provider_state notice."""
    server.reply(answer(1, text=None), answer(2))
    async with client(server) as painter:
        first = await painter.chat.completions.create(
            model="painter/chat-1", messages=[{"role": "user", "content": "a boat"}]
        )
        kept = {"role": "assistant", "content": first.choices[0].message.content}
        assert kept["content"] == URL
        second = await painter.chat.completions.create(
            model="painter/chat-1",
            messages=[
                {"role": "user", "content": "a boat"},
                kept,
                {"role": "user", "content": "red"},
            ],
        )
    assert server.api_calls[1].json["turns"][1] == {
        "role": "assistant",
        "text": "",
        "images": [len(IMAGE)],
        "thoughts": 0,
        "state": None,
    }
    assert [(w.code, w.param) for w in second.warnings] == [
        ("no_provider_state", "messages[1].limner")
    ]


@pytest.mark.parametrize(
    ("content", "images"),
    [
        pytest.param([{"type": "text", "text": URL}], [len(IMAGE)], id="content as text parts"),
        pytest.param(
            URL.replace("data:image/png;", "data:image/jpg;"), [len(IMAGE)], id="a loose mime"
        ),
        pytest.param("data:image/svg+xml;base64,PHN2Zy8+", [], id="an svg data URL stays text"),
    ],
)
async def test_what_an_assistant_content_without_images_replays_as(
    server: FakeServer, content: Any, images: list[int]
) -> None:
    server.reply(answer(1))
    async with client(server) as painter:
        await painter.chat.completions.create(
            model="painter/chat-1",
            messages=[
                {"role": "user", "content": "a boat"},
                {"role": "assistant", "content": content},
                {"role": "user", "content": "red"},
            ],
        )
    turn = server.api_calls[0].json["turns"][1]
    assert turn["images"] == images
    assert turn["text"] == ("" if images else content)


async def test_a_user_message_with_more_images_than_the_model_takes_is_refused(
    server: FakeServer,
) -> None:
    """As images.edit refuses them (painter/chat-1 takes 4), before any call."""
    picture = {"type": "image_url", "image_url": {"url": URL}}
    async with client(server) as painter:
        with pytest.raises(limner.UnsupportedFeatureError) as caught:
            await painter.chat.completions.create(
                model="painter/chat-1",
                messages=[
                    {"role": "user", "content": [{"type": "text", "text": "x"}, *[picture] * 5]}
                ],
            )
    assert caught.value.param == "messages[0].content[5]"
    assert "at most 4 input image(s); messages[0] has 5" in caught.value.message
    assert server.api_calls == []


async def test_secrets_stay_out_of_reprs(server: FakeServer) -> None:
    async with client(server) as painter:
        plan = await painter.chat.completions.create(
            model="painter/chat-1",
            messages=[{"role": "user", "content": "x"}],
            extra_headers={"x-trace": "t"},
            dry_run=True,
        )
    assert plan.requests[0]["headers"]["authorization"] == "<redacted>"
    assert plan.requests[0]["headers"]["x-trace"] == "t"
    assert KEY not in repr(plan) and KEY not in json.dumps(plan.model_dump(mode="json"))


async def test_the_images_of_a_conversation_download_side_by_side() -> None:
    """Each fake download lets the loop turn a while before it answers, so downloads made one
    after another are never two in flight at once. The later ones answer first, and the turns
    still keep the messages' order."""
    sizes = {"a": 1, "b": 2, "d": 3, "c": 4}  # in message order
    files = {f"https://img.example/{name}.png": png(size, size) for name, size in sizes.items()}
    turns_before_answer = {url: 40 - 10 * i for i, url in enumerate(files)}
    asked: dict[str, str] = {}
    in_flight = peak = 0

    async def fetch(url: str, param: str) -> bytes:
        nonlocal in_flight, peak
        asked[url] = param
        in_flight += 1
        peak = max(peak, in_flight)
        for _ in range(turns_before_answer[url]):
            await asyncio.sleep(0)  # a yield, no duration: other downloads may start meanwhile
        in_flight -= 1
        return files[url]

    def image(name: str) -> dict[str, Any]:
        return {"type": "image_url", "image_url": {"url": f"https://img.example/{name}.png"}}

    def text(value: str) -> dict[str, Any]:
        return {"type": "text", "text": value}

    request = build_chat_request(
        {
            "model": "painter/chat-1",
            "messages": [
                {"role": "system", "content": "be brief"},
                {"role": "user", "content": [text("merge"), image("a"), text("and"), image("b")]},
                {"role": "assistant", "content": None, "images": [image("d")]},
                {"role": "user", "content": [image("c")]},
            ],
        }
    )
    model = _model("chat-1", ("generate", "chat"))
    turns, notices = await load_turns(request, model, "painter", fetch, max_bytes=1 << 20)

    assert peak == len(files)  # one after another: 1
    assert asked == {
        "https://img.example/a.png": "messages[1].content[1].image_url.url",
        "https://img.example/b.png": "messages[1].content[3].image_url.url",
        "https://img.example/d.png": "messages[2].images[0].image_url.url",
        "https://img.example/c.png": "messages[3].content[0].image_url.url",
    }
    assert [(turn.role, turn.index) for turn in turns] == [
        ("system", 0),
        ("user", 1),
        ("assistant", 2),
        ("user", 3),
    ]
    parts = [(p.text, p.image and p.image.width) for turn in turns for p in turn.parts]
    assert parts == [
        ("be brief", None),
        ("merge", None),
        (None, 1),
        ("and", None),
        (None, 2),
        (None, 3),
        (None, 4),
    ]
    assert [picture.width for picture in turns[2].images] == [3]
    assert [(n.code, n.param) for n in notices] == [(NO_STATE, "messages[2].limner")]


async def test_a_conversation_may_not_make_limner_download_without_bound() -> None:
    """The model takes 4 input images: 3 URLs in each of 2 user messages and 1 in an assistant
    message are 7 downloads, refused before any, naming the fifth. data: URLs cost none."""
    fetched: list[str] = []

    async def fetch(url: str, param: str) -> bytes:
        fetched.append(url)
        return png(2, 2)

    def image(url: str) -> dict[str, Any]:
        return {"type": "image_url", "image_url": {"url": url}}

    urls = [f"https://img.example/{n}.png" for n in range(7)]
    data = "data:image/png;base64," + base64.b64encode(png(2, 2)).decode()
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": [image(u) for u in urls[:3]]},
        {"role": "assistant", "content": None, "images": [image(urls[3]), image(data)]},
        {"role": "user", "content": [image(u) for u in urls[4:]]},
    ]
    model = _model("chat-1", ("generate", "chat"))
    request = build_chat_request({"model": "painter/chat-1", "messages": messages})
    with pytest.raises(limner.InvalidRequestError) as caught:
        await load_turns(request, model, "painter", fetch, max_bytes=1 << 20)
    assert (caught.value.param, caught.value.code) == (
        "messages[2].content[0].image_url.url",
        "too_many_image_urls",
    )
    assert caught.value.message.startswith(
        "the messages hold 7 image URLs to download; painter/chat-1 takes 4 input image(s)"
    )
    assert fetched == []
    messages[2]["content"] = [image(data)] * 3  # four URLs in all: fetched
    request = build_chat_request({"model": "painter/chat-1", "messages": messages})
    await load_turns(request, model, "painter", fetch, max_bytes=1 << 20)
    assert sorted(fetched) == urls[:4]


@pytest.mark.parametrize(
    ("message", "param", "wording"),
    [
        (
            {"role": "system", "content": [{"type": "image_url", "image_url": {"url": URL}}]},
            "messages[0].content[0].type",
            "Input should be 'text'",
        ),
        (
            {"role": "user", "content": [{"type": "input_audio", "input_audio": {}}]},
            "messages[0].content[0]",
            "type 'input_audio' is not one limner takes: 'text', 'image_url'",
        ),
        ({"role": "user", "content": 5}, "messages[0].content", "Input should be a valid string"),
        (
            {"role": "user", "content": [{"type": "text", "text": 5}]},
            "messages[0].content[0].text",
            "Input should be a valid string",
        ),
        (
            {"role": "user", "content": [{"type": "image_url", "image_url": {"url": 5}}]},
            "messages[0].content[0].image_url.url",
            "Input should be a valid string",
        ),
        (
            {"role": "user", "content": [{"type": "text", "text": "x", "foo": 1}]},
            "messages[0].content[0].foo",
            "Extra inputs are not permitted",
        ),
        (  # an assistant's refusal part, named as a text part is
            {"role": "assistant", "content": [{"type": "refusal"}]},
            "messages[0].content[0].refusal",
            "Field required",
        ),
        (  # the first bad part, not the one with the longest path
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": 5},
                    {"type": "image_url", "image_url": {"url": 5}},
                ],
            },
            "messages[0].content[0].text",
            "Input should be a valid string",
        ),
    ],
)
async def test_a_malformed_message_is_named_by_its_part_not_by_a_type(
    server: FakeServer, message: dict[str, Any], param: str, wording: str
) -> None:
    """content takes a string or a list of parts: the list's complaint about its bad part is
    the useful one, and pydantic's type names (str, list[...]) are no parameter."""
    async with client(server) as painter:
        with pytest.raises(limner.InvalidRequestError) as caught:
            await painter.chat.completions.create(model="painter/chat-1", messages=[message])
    assert caught.value.param == param
    assert wording in caught.value.message


async def test_a_text_only_dry_run_has_no_estimate_rather_than_zero(server: FakeServer) -> None:
    """Tokens are not known before the call: the estimate is unknown, and a notice says why."""
    async with client(server) as painter:
        plan = await painter.chat.completions.create(
            model="painter/chat-1",
            messages=[{"role": "user", "content": "describe a boat"}],
            modalities=["text"],
            n=2,
            dry_run=True,
        )
    assert plan.estimated_cost_usd is None
    assert [(w.code, w.message) for w in plan.warnings] == [
        (
            "price_unknown",
            "a text-only answer from painter/chat-1 is billed by its tokens, which are not "
            "known before the call",
        )
    ]
    assert server.api_calls == []


async def test_a_chat_over_plain_http_to_another_host_warns_of_the_credential_once() -> None:
    painter = limner.AsyncClient(
        providers={"painter": {"api_key": KEY, "base_url": "http://painter.internal:8080"}},
        plugins=[PainterPlugin()],
        environ={},
    )
    async with painter:
        plan = await painter.chat.completions.create(
            model="painter/chat-1",
            messages=[{"role": "user", "content": "a boat"}],
            n=2,
            dry_run=True,
        )
    assert len(plan.requests) == 2
    said = [w for w in plan.warnings if w.code != "price_unknown"]  # (tokens: said too)
    assert [(w.code, w.message, w.param) for w in said] == [
        (
            "credentials_in_clear",
            "the painter credential goes unencrypted to painter.internal:8080 (its base URL is "
            "http://): anyone on the network in between can read and reuse it; use an https:// "
            "base URL (providers.painter.base_url)",
            "providers.painter.base_url",
        )
    ]


def test_image_bytes_reads_the_image_content_stands_in_for() -> None:
    """A message kept as just role and content, whose content is the only image's data URL."""
    picture = png(3, 3)
    url = "data:image/png;base64," + base64.b64encode(picture).decode()
    message = limner.ChatMessage.model_validate({"role": "assistant", "content": url})
    assert len(message.image_parts) == 1
    assert message.image_bytes() == [picture]
    assert message.text is None


def test_content_standing_in_for_an_image_may_spell_svg_in_its_base64() -> None:
    """Only the media type says SVG: an image whose base64 held "svg" near its start (about one
    PNG answer in 1,500) was taken for text, and sent back to the model as a huge text part."""
    data = b"\x89PNG\r\n\x1a\n\x00" + base64.b64decode("SvGa") + png(3, 3)
    url = "data:image/png;base64," + base64.b64encode(data).decode()
    assert "svg" in url[:40].lower()
    message = limner.ChatMessage.model_validate({"role": "assistant", "content": url})
    assert message.image_bytes() == [data]
    assert message.text is None
    svg = "data:image/svg+xml;base64," + base64.b64encode(b"<svg/>").decode()
    as_text = limner.ChatMessage.model_validate({"role": "assistant", "content": svg})
    assert (as_text.image_parts, as_text.text) == ([], svg)


class StepsOptions(BaseModel):
    steps: int | None = None


class AliasedPainter(PainterProvider):
    """Also called "paint", with a ``steps`` option: more than 10 refused before the call; the
    service's 400 names the option too."""

    aliases: ClassVar[tuple[str, ...]] = ("paint",)
    options_model: ClassVar[type[BaseModel] | None] = StepsOptions

    def translate_chat(self, call: ChatCall) -> limner.Translation:
        options = call.options
        if isinstance(options, StepsOptions) and (options.steps or 0) > 10:
            raise limner.InvalidRequestError("too many steps", param=STEPS)
        return super().translate_chat(call)

    def parse_chat_error(self, call: ChatCall, response: limner.WireResponse) -> limner.LimnerError:
        return limner.InvalidRequestError("the service refused the steps", param=STEPS)


STEPS = "provider_options.painter.steps"


class AliasedPainterPlugin:
    @limner.hookimpl
    def register_providers(self, register: Any) -> None:
        register(AliasedPainter())


@pytest.mark.parametrize("steps", [11, 5])
async def test_chat_errors_name_the_options_as_the_caller_spelt_them(
    server: FakeServer, steps: int
) -> None:
    """Refused before the call (11) or by the service (5): both named the provider's own
    name, though the caller wrote "paint"."""
    server.reply(web.json_response({"error": "bad steps"}, status=400))
    async with limner.AsyncClient(
        providers={"painter": {"api_key": KEY, "base_url": server.url}},
        plugins=[AliasedPainterPlugin()],
        environ={},
    ) as painter:
        with pytest.raises(limner.InvalidRequestError) as caught:
            await painter.chat.completions.create(
                model="painter/chat-1",
                messages=[{"role": "user", "content": "x"}],
                provider_options={"paint": {"steps": steps}},
            )
    assert caught.value.param == "provider_options.paint.steps"
    assert len(server.api_calls) == (0 if steps > 10 else 1)
