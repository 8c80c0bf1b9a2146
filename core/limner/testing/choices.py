"""The standard tests of the choices a request makes: ``n``, as core splits it over calls, and
each size, aspect ratio and resolution class a model lists. Core cannot see from outside
whether a translation sends them: a plugin that read ``request.n`` for ``call.n``, or passed
``image_config`` over, would make the wrong number of images, or another shape, in silence."""

from __future__ import annotations

import io
from typing import Any

import pytest

from ..engine import split_n
from ..errors import InvalidRequestError, UnsupportedFeatureError
from ..size_rules import SizeRules
from .harness import Case, Harness, held

__all__ = ["ChoiceTests"]

_MOST_N = 10
"""The largest ``n`` a request takes."""


class ChoiceTests(Harness):
    """The choice tests of :class:`~limner.testing.ProviderTests`."""

    def test_each_call_sends_its_own_share_of_n(
        self, case: Case, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Core splits ``n`` into calls of at most ``max_images_per_call`` images
        (``ProviderCall.n`` each): the first call must be the one a request for its share alone
        makes (later ones may differ from theirs: a seed offset, so they do not repeat the
        first's images). A model that makes several per call sends the count: ``n=2`` differs
        from ``n=1``."""
        _, model, operation = case
        most = model.capabilities.max_images_per_call
        one = self._sent(case, monkeypatch, n=1)
        if one is None:
            pytest.skip(f"{model.id} {operation}: n is not taken")
        if most >= 2:
            two = self._sent(case, monkeypatch, n=2)
            if two is not None:
                assert two != one, (
                    f"{model.id} {operation}: n=2 sends what n=1 sends, so one image comes back "
                    "where two were asked for: send ProviderCall.n"
                )
        if most + 1 > _MOST_N:
            return
        split = self._sent(case, monkeypatch, n=most + 1)
        alone = self._sent(case, monkeypatch, n=most)
        if split is None or alone is None:
            return
        counts = split_n(most + 1, most)
        assert len(split) == len(counts) and split[0] == alone[0], (
            f"{model.id} {operation}: n={most + 1} is split into calls of {counts} images, but "
            f"the first is not what a request for n={most} sends: a translation sends "
            "ProviderCall.n (its share), never the request's n"
        )
        caps = model.capabilities.for_operation(operation)
        seeds = _two_seeds(caps.seed_range) if caps.seed else ()
        if seeds and 2 * most <= _MOST_N:
            changes: list[dict[str, Any]] = []
            twice = self._sent(case, monkeypatch, changes, n=2 * most, seed=seeds[0])
            dropped = any(_about(change.get("param"), "seed") for change in changes)
            assert dropped or twice is None or len(twice) != 2 or twice[0] != twice[1], (
                f"{model.id} {operation}: with a seed, both calls of n={2 * most} send the same "
                "request, so the second makes the first's images again: give each call its own "
                "seed (Changes.split_seed, reported), or report the seed dropped"
            )

    def test_each_listed_size_and_image_config_reaches_the_call_or_is_reported(
        self, case: Case, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Two values a model lists for ``size``, ``image_config.aspect_ratio`` or
        ``image_config.image_size`` may not send the same request unless the translation
        reports changing one (an adjustment or a warning): a value passed over is a setting
        dropped in silence. Nor may a listed size be translated to another (``Translation.size``,
        the size priced) unless a change to it is reported."""
        _, model, operation = case
        caps = model.capabilities.for_operation(operation)
        sizes = [v for v in caps.sizes if v != "auto"]
        sizes += [v for v in _free_sizes(caps.size_rules) if v not in sizes]
        listed: list[tuple[str, list[tuple[Any, dict[str, Any]]]]] = [
            ("size", [(v, {"size": v}) for v in sizes]),
        ]
        if operation != "variation":  # (a variation takes no image_config)
            listed += [
                (
                    "image_config.aspect_ratio",
                    [(v, {"image_config": {"aspect_ratio": v}}) for v in caps.aspect_ratios],
                ),
                (
                    "image_config.image_size",
                    [(v, {"image_config": {"image_size": v}}) for v in caps.image_sizes],
                ),
            ]
        self._each_sent_or_reported(case, monkeypatch, listed)

    def test_each_listed_setting_reaches_the_call_or_is_reported(
        self, case: Case, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The same for the other settings a model declares it takes: two values it lists for
        ``quality``, ``style``, ``background``, ``output_format``, ``moderation`` or (edits)
        ``input_fidelity``, and two seeds, negative prompts or output compressions where it
        takes them, may not send the same request unless the translation reports changing one.
        Core warns of a setting a model declares it lacks; one it declares it takes, passed
        over, only this test can see."""
        _, model, operation = case
        caps = model.capabilities.for_operation(operation)
        listed: list[tuple[str, list[tuple[Any, dict[str, Any]]]]] = [
            (name, [(v, {name: v}) for v in values])
            for name, values in (
                ("quality", caps.qualities),
                ("style", caps.styles),
                ("background", caps.backgrounds),
                ("output_format", caps.output_formats),
                ("moderation", caps.moderation),
                ("input_fidelity", caps.input_fidelity if operation == "edit" else ()),
            )
        ]
        if caps.seed:
            seeds = _two_seeds(caps.seed_range)
            listed.append(("seed", [(v, {"seed": v}) for v in seeds]))
        if caps.negative_prompt:
            most = caps.max_negative_prompt_chars
            words = [word[:most] for word in ("blurry", "text")]
            listed.append(("negative_prompt", [(v, {"negative_prompt": v}) for v in words]))
        if caps.output_compression:
            lossy = [f for f in caps.output_formats if f in ("jpeg", "webp")][:1]
            fields = {"output_format": lossy[0]} if lossy else {}
            listed.append(
                (
                    "output_compression",
                    [(v, {**fields, "output_compression": v}) for v in (50, 90)],
                )
            )
        self._each_sent_or_reported(case, monkeypatch, listed)

    def test_each_input_image_and_mask_reaches_the_call_or_is_reported(
        self, case: Case, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """An edit or a variation of two different images (of the minimal request's size), and
        an edit with two different masks where the model takes one, may not send the same
        request unless the translation reports changing them: an image or a mask passed over
        would have the provider make something else than asked, in silence."""
        _, model, operation = case
        fields = self.request_fields(model, operation)
        given = fields.get("image")
        first = given[0] if isinstance(given, list) and given else given
        if not isinstance(first, bytes):
            pytest.skip(f"{model.id} {operation}: the minimal request has no image as bytes")
        width, height = _size_of(first)
        rest = given[1:] if isinstance(given, list) else None

        def images(colour: tuple[int, int, int]) -> dict[str, Any]:
            image = self.png(width, height, colour=colour)
            return {"image": [image, *rest] if rest is not None else image}

        listed: list[tuple[str, list[tuple[Any, dict[str, Any]]]]] = [
            ("images", [(f"an image in {c}", images(c)) for c in ((200, 40, 40), (40, 40, 200))])
        ]
        caps = model.capabilities.for_operation(operation)
        if operation == "edit" and caps.mask:
            masks = [
                (f"a mask open on the {side}", {"mask": self.png(width, height, mask=side)})
                for side in ("left", "right")
            ]
            listed.append(("mask", masks))
        self._each_sent_or_reported(case, monkeypatch, listed)

    # ---- helpers (not to be overridden) ------------------------------------------------------

    def _each_sent_or_reported(
        self,
        case: Case,
        monkeypatch: pytest.MonkeyPatch,
        listed: list[tuple[str, list[tuple[Any, dict[str, Any]]]]],
    ) -> None:
        """For each ``(param, [(value, request fields), ...])``: no two values whose dry runs
        report no change to ``param`` send the same request."""
        _, model, operation = case
        for param, values in listed:
            unreported: dict[str, list[Any]] = {}
            refused_all = len(values) > 1
            for value, fields in values:
                changes: list[dict[str, Any]] = []
                sizes: list[str | None] = []
                try:
                    sent = self._sent(case, monkeypatch, changes, sizes, **fields)
                except (InvalidRequestError, UnsupportedFeatureError) as refused:
                    if _about(refused.param, param):  # refused, naming it: not passed over
                        continue
                    raise
                refused_all = False
                if any(_about(change.get("param"), param) for change in changes):
                    continue
                other = next((s for s in sizes if s is not None and s != value), None)
                assert param != "size" or other is None, (
                    f"{model.id} {operation}: size {value!r} is translated to {other!r} "
                    "(Translation.size, the size priced) and no change to it is reported: send "
                    "the size asked for, or report (plan.adjust or a warning) the one sent"
                )
                unreported.setdefault(repr(sent), []).append(value)
            assert not refused_all, (
                f"{model.id} {operation}: every value tried for {param} is refused, though the "
                "model declares it takes them: declare what it takes, or send them"
            )
            alike = [values for values in unreported.values() if len(values) > 1]
            assert not alike, (
                f"{model.id} {operation}: {param} {' and '.join(map(repr, alike[0]))} send the "
                "same request, and neither is reported as changed: send each value the model "
                "lists, or report (plan.adjust or a warning) the one sent instead"
            )

    def _sent(
        self,
        case: Case,
        monkeypatch: pytest.MonkeyPatch,
        changes: list[dict[str, Any]] | None = None,
        sizes: list[str | None] | None = None,
        **fields: Any,
    ) -> list[tuple[Any, ...]] | None:
        """What the translations of a dry run with ``fields`` hold, call by call (the requests
        as translated: no signature, every body as built, raw bytes included), or ``None`` when
        the model refuses the ``n`` asked for, naming ``n``. ``changes`` gets the dry run's
        adjustments and warnings, ``sizes`` each translation's ``size``."""
        provider, model, operation = case
        with self._translating(provider, model, monkeypatch) as (client, sent):
            try:
                plan = self._call(client, model, operation, dry_run=True, **fields)
            except (InvalidRequestError, UnsupportedFeatureError) as error:
                if "n" in fields and error.param == "n":
                    return None
                raise
        if changes is not None:
            dumped = plan.model_dump(mode="json")
            changes.extend([*dumped["adjustments"], *dumped["warnings"]])
        if sizes is not None:
            sizes.extend(translation.size for translation in sent)
        return [held(translation.request) for translation in sent]


def _two_seeds(seed_range: tuple[int, int] | None) -> tuple[int, ...]:
    """Two seeds inside ``seed_range`` (past its lowest, which may mean "random"), or none
    when it holds fewer than two."""
    low, high = seed_range or (0, 2**31 - 1)
    start = max(low, 0) + 1 if max(low, 0) + 2 <= high else low
    return (start, start + 1) if start + 1 <= high else ()


def _free_sizes(rules: SizeRules | None) -> list[str]:
    """Two sizes of different shapes a model's ``size_rules`` take (a model that lists few
    sizes or none, and takes any size the rules allow), or none."""
    if rules is None:
        return []
    candidates = [(1024, 1024), (1536, 1024), (1280, 720), (768, 512), (512, 512), (2048, 1152)]
    fitting = [(w, h) for w, h in candidates if not rules.violations(w, h)]
    square = [f"{w}x{h}" for w, h in fitting if w == h][:1]
    wide = [f"{w}x{h}" for w, h in fitting if w != h][:1]
    return square + wide if square and wide else []


def _size_of(image: bytes) -> tuple[int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(image)) as opened:
        return opened.size


def _about(said: object, param: str) -> bool:
    """Whether a change reported on ``said`` speaks of ``param`` (``size`` and
    ``image_config`` stand for each other: one is computed from the other; ``images`` stands
    for each image, ``images[0]``, and ``image``)."""
    if not isinstance(said, str):
        return False
    if said == param or said.startswith((f"{param}.", f"{param}[")):
        return True
    if param == "images" and said == "image":
        return True
    shapes = param in ("size", "image_config") or param.startswith("image_config.")
    return shapes and (said in ("size", "image_config") or said.startswith("image_config."))
