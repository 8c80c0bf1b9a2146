"""Each edit service's options, negative prompt and aspect limit, one by one; generation's
automatic size and URL answers (branches a mutation audit found no test for)."""

from __future__ import annotations

from typing import Any

import pytest

import limner
from limner_stability import StabilityProvider

from .conftest import MakeCall, png
from .test_stability_edits import HOLED, edit

# The options each edit service takes [SPEC-2024 /v2beta/stable-image/edit/*; style_preset
# SPEC-2026], written out here rather than read from the plugin, so a change there is caught.
OPTIONS_BY_MODE: dict[str, frozenset[str]] = {
    "inpaint": frozenset({"grow_mask", "style_preset"}),
    "outpaint": frozenset({"left", "right", "up", "down", "creativity", "style_preset"}),
    "erase": frozenset({"grow_mask"}),
    "search-and-replace": frozenset({"search_prompt", "grow_mask"}),
    "search-and-recolor": frozenset({"select_prompt", "grow_mask"}),
    "remove-background": frozenset(),
}

VALUES: dict[str, Any] = {
    "grow_mask": 5,
    "style_preset": "photographic",
    "left": 64,
    "right": 32,
    "up": 16,
    "down": 8,
    "creativity": 0.4,
    "search_prompt": "the cat",
    "select_prompt": "the cat",
}
MASKED = {"inpaint", "erase"}


def _edit(make_call: MakeCall, mode: str, **fields: Any) -> Any:
    if mode in MASKED:
        fields.setdefault("mask", HOLED)
    return edit(make_call, edit_mode=mode, **fields)


@pytest.mark.parametrize(("mode", "names"), sorted(OPTIONS_BY_MODE.items()))
def test_every_option_of_an_edit_service_is_sent(
    provider: StabilityProvider, make_call: MakeCall, mode: str, names: frozenset[str]
) -> None:
    options = {name: VALUES[name] for name in names}
    form = dict(provider.translate(_edit(make_call, mode, options=options)).request.form)
    assert {name: form.get(name) for name in names} == {
        name: str(value) for name, value in options.items()
    }


@pytest.mark.parametrize(
    ("mode", "takes"),
    [
        ("inpaint", True),
        ("search-and-replace", True),
        ("search-and-recolor", True),
        ("outpaint", False),
        ("erase", False),
        ("remove-background", False),
    ],
)
def test_the_negative_prompt_goes_where_the_service_takes_one(
    provider: StabilityProvider, make_call: MakeCall, mode: str, takes: bool
) -> None:
    needs = {name: VALUES[name] for name in OPTIONS_BY_MODE[mode] if name.endswith("_prompt")}
    if mode == "outpaint":
        needs["left"] = 64
    translation = provider.translate(
        _edit(make_call, mode, negative_prompt="fog", options=needs or None)
    )
    form = dict(translation.request.form)
    assert ("negative_prompt" in form) is takes
    dropped = [a for a in translation.adjustments if a.param == "negative_prompt"]
    assert bool(dropped) is not takes


@pytest.mark.parametrize(
    ("mode", "limited"),
    [
        ("outpaint", True),
        ("search-and-replace", True),
        ("search-and-recolor", True),
        ("inpaint", False),
    ],
)
def test_the_aspect_limit_holds_for_the_services_that_have_one(
    provider: StabilityProvider, make_call: MakeCall, mode: str, limited: bool
) -> None:
    wide = png(192, 64)  # 3:1, outside 1:2.5-2.5:1
    mask = png(192, 64, mode="RGBA", hole=True)
    options = {name: VALUES[name] for name in OPTIONS_BY_MODE[mode] if name.endswith("_prompt")}
    if mode == "outpaint":
        options["left"] = 64
    call = _edit(
        make_call,
        mode,
        images=[wide],
        mask=mask if mode == "inpaint" else None,
        options=options or None,
    )
    if limited:
        with pytest.raises(limner.InvalidRequestError) as caught:
            provider.translate(call)
        assert caught.value.param == "images[0]"
    else:
        assert provider.translate(call).request.url.endswith("/edit/inpaint")


def test_an_automatic_size_is_sent_as_the_default_aspect_ratio(
    provider: StabilityProvider, make_call: MakeCall
) -> None:
    translation = provider.translate(make_call("sd3.5-large", size="auto"))
    assert dict(translation.request.form)["aspect_ratio"] == "1:1"
    assert [(a.param, a.requested, a.applied) for a in translation.adjustments] == [
        ("size", "auto", "1:1")
    ]


def test_a_url_answer_asked_for_is_reported_as_image_data(
    provider: StabilityProvider, make_call: MakeCall
) -> None:
    translation = provider.translate(make_call("sd3.5-large", response_format="url"))
    assert "response_format" not in dict(translation.request.form)
    assert [(a.param, a.requested, a.applied) for a in translation.adjustments] == [
        ("response_format", "url", "b64_json")
    ]


async def test_the_plugins_refusals_are_named_by_core() -> None:
    """The plugin raises without naming itself or the model: core's translate step does."""
    async with limner.AsyncClient(environ={}) as client:
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.images.edit(
                model="stabilityai/sd3.5-large",
                prompt="x",
                image=png(32, 32),
                edit_mode="erase",
                dry_run=True,
            )
    assert caught.value.param == "images[0]"
    assert (caught.value.provider, caught.value.model) == ("stabilityai", "stabilityai/sd3.5-large")
