"""limner.testing's standard tests fail a plugin that breaks their contract: each test below runs
them, through pytest, on a small provider with one defect, as a plugin author would."""

from __future__ import annotations

import pytest

MINI = """
import datetime as dt
import os
import random
import socket
from decimal import Decimal

import pytest
from pydantic import BaseModel, Field

import limner
from limner.forwarding import forward_fields
from limner.status_errors import error_for_status
from limner.testing import ProviderTests


class Options(BaseModel):
    steps: int | None = Field(None, description="denoising steps")


class Mini(limner.Provider):
    name = "mini"
    env = {"api_key": ("MINI_API_KEY",)}
    options_model = Options

    operations = ("generate",)
    declared = {}  # more capabilities, which a defect may declare

    def models(self):
        return [
            limner.ModelInfo(
                id="mini/m1",
                provider="mini",
                name="m1",
                capabilities=limner.Capabilities(
                    operations=self.operations, max_input_images=1, **self.declared
                ),
                pricing=limner.PriceSheet(
                    source="https://mini.example/pricing",
                    as_of=dt.date(2026, 1, 1),
                    per_image=(limner.ImagePrice(usd=Decimal("0.01")),),
                ),
            )
        ]

    def translate(self, call):
        body = {"prompt": getattr(call.request, "prompt", None), "steps": 30}
        if call.images:
            body["images"] = [image.b64 for image in call.images]
        forward_fields(body, call.request.forwarded)
        return limner.Translation(
            request=limner.WireRequest("POST", "https://mini.example/v1/images", json=body)
        )

    def authorize(self, request, settings, *, dry_run=False):
        key = self.api_key(settings, dry_run=dry_run)
        return request.with_headers({"authorization": f"Bearer {key}"}, secret=True)

    def parse_response(self, call, response):
        return limner.ProviderResult(images=[])

#DEFECT#

class Plugin:
    @limner.hookimpl
    def register_providers(self, register):
        register(Mini())


class TestMini(ProviderTests):
    plugin = Plugin()

    @property
    def settings(self):
        return {"api_key": "mini-key-0123456789abcdef"}

#OVERRIDE#
"""

DEFECTS = {
    "sends_the_requests_n": (
        """
    def translate(self, call):
        body = {"prompt": call.request.prompt, "count": call.request.n}
        return limner.Translation(
            request=limner.WireRequest("POST", "https://mini.example/v1/images", json=body)
        )
""",
        "test_each_call_sends_its_own_share_of_n",
    ),
    "sends_no_count": (
        """
    def models(self):
        caps = limner.Capabilities(operations=self.operations, max_images_per_call=4)
        return [limner.ModelInfo(id="mini/m1", provider="mini", name="m1", capabilities=caps)]
""",
        "test_each_call_sends_its_own_share_of_n",
    ),
    "passes_image_config_over": (
        """
    def models(self):
        caps = limner.Capabilities(operations=self.operations, aspect_ratios=("1:1", "16:9"))
        return [limner.ModelInfo(id="mini/m1", provider="mini", name="m1", capabilities=caps)]
""",
        "test_each_listed_size_and_image_config_reaches_the_call_or_is_reported",
    ),
    "shows_the_key_in_chat": (
        """
    operations = ("generate", "chat")

    def translate_chat(self, call):
        key = call.settings.api_key.get_secret_value() if call.settings.api_key else ""
        body = {"messages": [], "account": key}
        return limner.Translation(
            request=limner.WireRequest("POST", "https://mini.example/v1/chat", json=body)
        )

    def parse_chat_response(self, call, response):
        raise AssertionError("not called by a dry run")
""",
        "test_secrets_never_appear_in_a_chat_dry_run",
    ),
    "hides_where_the_key_comes_from": (
        """
    def parse_error(self, call, response):
        return error_for_status(response.status)(f"mini: HTTP {response.status}")
""",
        "test_parse_error_maps_answers_onto_the_error_tree",
    ),
    "shows_the_key": (
        """
    def translate(self, call):
        key = call.settings.api_key.get_secret_value() if call.settings.api_key else ""
        body = {"prompt": call.request.prompt, "account": key}
        forward_fields(body, call.request.forwarded)
        return limner.Translation(
            request=limner.WireRequest("POST", "https://mini.example/v1/images", json=body)
        )
""",
        "test_secrets_never_appear_in_a_dry_run",
    ),
    "reaches_the_network": (
        """
    def translate(self, call):
        socket.create_connection(("mini.example", 443), timeout=1)
        raise AssertionError("unreachable")
""",
        "test_a_minimal_request_translates_offline_and_the_same_way_twice",
    ),
    "swallows_a_network_failure": (
        """
    def translate(self, call):
        try:
            socket.create_connection(("mini.example", 443), timeout=1)
        except Exception:
            pass
        body = {"prompt": call.request.prompt}
        forward_fields(body, call.request.forwarded)
        return limner.Translation(
            request=limner.WireRequest("POST", "https://mini.example/v1/images", json=body)
        )
""",
        "test_a_minimal_request_translates_offline_and_the_same_way_twice",
    ),
    "reads_its_environment_variable": (
        """
    def translate(self, call):
        body = {"prompt": call.request.prompt, "key": os.environ.get("MINI_API_KEY", "")}
        forward_fields(body, call.request.forwarded)
        return limner.Translation(
            request=limner.WireRequest("POST", "https://mini.example/v1/images", json=body)
        )
""",
        "test_a_minimal_request_translates_offline_and_the_same_way_twice",
    ),
    "differs_each_time": (
        """
    def translate(self, call):
        body = {"prompt": call.request.prompt, "nonce": random.random()}
        forward_fields(body, call.request.forwarded)
        return limner.Translation(
            request=limner.WireRequest("POST", "https://mini.example/v1/images", json=body)
        )
""",
        "test_a_minimal_request_translates_offline_and_the_same_way_twice",
    ),
    "needs_a_key_to_dry_run": (
        """
    def authorize(self, request, settings, *, dry_run=False):
        key = self.api_key(settings)
        return request.with_headers({"authorization": f"Bearer {key}"}, secret=True)
""",
        "test_a_dry_run_needs_no_credentials",
    ),
    "puts_the_key_in_the_url": (
        """
    def authorize(self, request, settings, *, dry_run=False):
        key = self.api_key(settings, dry_run=dry_run)
        return limner.WireRequest(request.method, request.url + "?key=" + key, json=request.json)
""",
        "test_authorize_adds_only_headers_and_marks_credentials_secret",
    ),
    "sends_the_key_in_a_header_not_marked_secret": (
        """
    def authorize(self, request, settings, *, dry_run=False):
        key = self.api_key(settings, dry_run=dry_run)
        return request.with_headers({"x-mini-key": key})
""",
        "test_authorize_adds_only_headers_and_marks_credentials_secret",
    ),
    "keeps_a_secret_in_a_plain_string": (
        """
    settings_model = type("MiniSettings", (limner.ProviderSettings,), {
        "__annotations__": {"client_secret": str | None}, "client_secret": None})
""",
        "test_credential_settings_are_secret",
    ),
    "sends_without_a_key": (
        """
    def authorize(self, request, settings, *, dry_run=False):
        key = settings.api_key.get_secret_value() if settings.api_key else ""
        return request.with_headers({"authorization": f"Bearer {key}"}, secret=True)
""",
        "test_a_call_without_credentials_says_what_to_set_before_sending",
    ),
    "chokes_on_an_html_error": (
        """
    def parse_error(self, call, response):
        message = response.json()["error"]["message"]  # an HTML or empty body: ValueError
        return error_for_status(response.status)(message)
""",
        "test_parse_error_maps_answers_onto_the_error_tree",
    ),
    "chokes_on_an_error_that_is_text": (
        """
    def parse_error(self, call, response):
        body = response.json_or_none()
        error = body.get("error", {}) if isinstance(body, dict) else {}
        return error_for_status(response.status)(error.get("message", "failed"))
""",
        "test_parse_error_maps_answers_onto_the_error_tree",
    ),
    "calls_a_rate_limit_a_server_error": (
        """
    def parse_error(self, call, response):
        return limner.ProviderError(f"HTTP {response.status}")
""",
        "test_parse_error_maps_answers_onto_the_error_tree",
    ),
    "gives_the_rate_limit_another_wait": (
        """
    def parse_error(self, call, response):
        error = super().parse_error(call, response)
        if isinstance(error, limner.RateLimitError):
            error.retry_after = 99.0
        return error
""",
        "test_parse_error_keeps_the_wait_and_says_when_resending_cannot_help",
    ),
    "calls_a_bad_request_retryable": (
        """
    def parse_error(self, call, response):
        error = super().parse_error(call, response)
        error.retryable = True
        return error
""",
        "test_parse_error_keeps_the_wait_and_says_when_resending_cannot_help",
    ),
    "leaves_an_option_undescribed": (
        """
    options_model = type("Bare", (BaseModel,), {"__annotations__": {"steps": int | None},
                                                 "steps": None})
""",
        "test_every_option_is_described",
    ),
    "leaves_a_nested_option_undescribed": (
        """
    Lora = type("Lora", (BaseModel,), {"__annotations__": {"scale": float}})
    options_model = type("Nested", (BaseModel,), {
        "__annotations__": {"lora": Lora | None},
        "lora": Field(None, description="a LoRA to apply"),
    })
""",
        "test_every_option_is_described",
    ),
    "reads_its_base_url_from_the_environment": (
        """
    env = {"api_key": ("MINI_API_KEY",), "base_url": ("MINI_BASE_URL",)}

    def translate(self, call):
        base = os.environ.get("MINI_BASE_URL", "https://mini.example")
        body = {"prompt": call.request.prompt}
        forward_fields(body, call.request.forwarded)
        return limner.Translation(request=limner.WireRequest("POST", f"{base}/v1", json=body))
""",
        "test_a_minimal_request_translates_offline_and_the_same_way_twice",
    ),
    "raises_a_plain_authentication_error": (
        """
    def authorize(self, request, settings, *, dry_run=False):
        if settings.api_key is None and not dry_run:
            raise limner.AuthenticationError("no key")
        key = self.api_key(settings, dry_run=dry_run)
        return request.with_headers({"authorization": f"Bearer {key}"}, secret=True)
""",
        "test_a_call_without_credentials_says_what_to_set_before_sending",
    ),
    "ignores_a_free_size": (
        """
    declared = {"size_rules": limner.SizeRules(min_side=256, max_side=2048)}
""",
        "test_each_listed_size_and_image_config_reaches_the_call_or_is_reported",
    ),
    "prices_another_size_than_it_sends": (
        """
    declared = {"sizes": ("1024x1024", "1536x1024")}

    def translate(self, call):
        body = {"prompt": call.request.prompt, "size": call.request.size}
        return limner.Translation(
            request=limner.WireRequest("POST", "https://mini.example/v1/images", json=body),
            size="1024x1024",
        )
""",
        "test_each_listed_size_and_image_config_reaches_the_call_or_is_reported",
    ),
    "misspells_parse_poll": (
        """
    def parse_pol(self, call, pending, response):
        return limner.ProviderResult(images=[])
""",
        "test_no_provider_method_or_attribute_is_misspelt",
    ),
    "misspells_authorize_blocks": (
        """
    authorise_blocks = True
""",
        "test_no_provider_method_or_attribute_is_misspelt",
    ),
    "repeats_the_seed_in_each_call_of_a_split_n": (
        """
    declared = {"seed": True, "max_images_per_call": 1}

    def translate(self, call):
        body = {"prompt": call.request.prompt, "seed": call.request.seed}
        forward_fields(body, call.request.forwarded)
        return limner.Translation(
            request=limner.WireRequest("POST", "https://mini.example/v1/images", json=body)
        )
""",
        "test_each_call_sends_its_own_share_of_n",
    ),
    "drops_extra_fields": (
        """
    def translate(self, call):
        body = {"prompt": call.request.prompt}
        return limner.Translation(
            request=limner.WireRequest("POST", "https://mini.example/v1/images", json=body)
        )
""",
        "test_extra_fields_are_sent_unchanged_and_never_in_place_of_a_built_one",
    ),
    "lets_an_extra_field_replace_a_built_one": (
        """
    def translate(self, call):
        body = {"prompt": call.request.prompt, "steps": 30, **call.request.forwarded}
        return limner.Translation(
            request=limner.WireRequest("POST", "https://mini.example/v1/images", json=body)
        )
""",
        "test_extra_fields_are_sent_unchanged_and_never_in_place_of_a_built_one",
    ),
    "prices_no_minimal_request": (
        """
    def models(self):  # a price for quality="high" only, which the translation never sets
        pricing = limner.PriceSheet(
            source="https://mini.example/pricing",
            as_of=dt.date(2026, 1, 1),
            per_image=(limner.ImagePrice(usd=Decimal("0.04"), quality="high"),),
        )
        capabilities = limner.Capabilities(operations=self.operations, max_input_images=1)
        return [
            limner.ModelInfo(
                id="mini/m1",
                provider="mini",
                name="m1",
                capabilities=capabilities,
                pricing=pricing,
            )
        ]
""",
        "test_a_model_priced_per_image_estimates_a_minimal_request",
    ),
    "passes_over_a_setting_it_lists": (
        """
    declared = {"output_formats": ("png", "jpeg")}  # which translate never sends
""",
        "test_each_listed_setting_reaches_the_call_or_is_reported",
    ),
    "passes_over_its_seed": (
        """
    declared = {"seed": True, "seed_range": (0, 1)}  # (two seeds only: 0 and 1)
""",
        "test_each_listed_setting_reaches_the_call_or_is_reported",
    ),
    "refuses_every_seed": (
        """
    declared = {"seed": True}

    def translate(self, call):
        if call.request.seed is not None:
            raise limner.InvalidRequestError("no seeds after all", param="seed")
        body = {"prompt": call.request.prompt}
        forward_fields(body, call.request.forwarded)
        return limner.Translation(
            request=limner.WireRequest("POST", "https://mini.example/v1/images", json=body)
        )
""",
        "test_each_listed_setting_reaches_the_call_or_is_reported",
    ),
    "passes_over_its_negative_prompt": (
        """
    declared = {"negative_prompt": True, "max_negative_prompt_chars": 3}
""",
        "test_each_listed_setting_reaches_the_call_or_is_reported",
    ),
    "publishes_a_broken_schema": (
        """
    options_model = type("Odd", (BaseModel,), {
        "__annotations__": {"steps": int | None},
        "steps": Field(None, description="steps", json_schema_extra={"type": "integer-ish"}),
    })
""",
        "test_every_request_schema_is_valid_json_schema",
    ),
}

SOUND = 18  # the standard tests a sound one-provider, one-model, one-operation plugin runs
SKIPPED = 3  # and those it skips: the chat secrets test, for a provider without a chat model,
# the quality_map test, for a model with none, and the input image test, for a generate model


def run(pytester: pytest.Pytester, source: str) -> pytest.RunResult:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_mini=source)
    return pytester.runpytest_inprocess("-q", "-p", "no:randomly", "-p", "no:cacheprovider")


def mini(defect: str = "", override: str = "") -> str:
    return MINI.replace("#DEFECT#", defect).replace("#OVERRIDE#", override)


def failing(result: pytest.RunResult) -> list[str]:
    """The short summary's FAILED/ERROR lines, each cut to its node id.

    How much of the reason pytest prints after the id depends on the terminal's width.
    """
    return [
        line.split(" - ")[0] for line in result.outlines if line.startswith(("FAILED", "ERROR"))
    ]


def test_a_sound_plugin_passes_every_standard_test(pytester: pytest.Pytester) -> None:
    result = run(pytester, mini())
    result.assert_outcomes(passed=SOUND, skipped=SKIPPED)


def test_a_plugin_sending_a_narrow_seed_range_and_a_short_negative_prompt_passes(
    pytester: pytest.Pytester,
) -> None:
    """The values the setting test tries fit the model's limits: two seeds inside its range,
    negative prompts no longer than it takes."""
    sends = """
    declared = {
        "seed": True,
        "seed_range": (0, 1),
        "negative_prompt": True,
        "max_negative_prompt_chars": 3,
    }

    def translate(self, call):
        request = call.request
        seed = None if request.seed is None else (request.seed + call.index) % 2  # each call's
        body = {"prompt": request.prompt, "seed": seed, "avoid": request.negative_prompt}
        forward_fields(body, request.forwarded)
        return limner.Translation(
            request=limner.WireRequest("POST", "https://mini.example/v1/images", json=body)
        )
"""
    result = run(pytester, mini(sends))
    result.assert_outcomes(passed=SOUND, skipped=SKIPPED)


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_a_defect_fails_its_standard_test(pytester: pytest.Pytester, defect: str) -> None:
    code, test = DEFECTS[defect]
    result = run(pytester, mini(code))
    assert any(test in line for line in failing(result)), result.outlines[-15:]


def test_failures_name_the_model_and_operation(pytester: pytest.Pytester) -> None:
    result = run(pytester, mini(DEFECTS["shows_the_key"][0]))
    assert failing(result) == [
        "FAILED test_mini.py::TestMini::test_secrets_never_appear_in_a_dry_run[mini/m1-generate]"
    ]
    assert "AssertionError: mini/m1 generate: a secret is shown" in result.stdout.str()


@pytest.mark.parametrize(
    ("defect", "says"),
    [
        (
            "reads_its_base_url_from_the_environment",
            "AssertionError: mini/m1 generate: the translation read the provider's environment "
            "variables; settings come to it in call.settings",
        ),
        (
            "prices_another_size_than_it_sends",
            "AssertionError: mini/m1 generate: size '1536x1024' is translated to '1024x1024' "
            "(Translation.size, the size priced) and no change to it is reported",
        ),
        (
            "misspells_parse_poll",
            "AssertionError: mini: 'parse_pol' is no Provider name, so core never uses it: did "
            "you mean 'parse_poll'?",
        ),
        (
            "raises_a_plain_authentication_error",
            "AssertionError: mini/m1: a call without credentials should raise a "
            "MissingCredentialsError naming MINI_API_KEY (self.missing_credentials()), not "
            "AuthenticationError: mini/m1 generate: no key",
        ),
    ],
)
def test_a_failure_says_what_the_plugin_did_wrong(
    pytester: pytest.Pytester, defect: str, says: str
) -> None:
    """Not what went wrong further on (core's check of a URL, a bare exception)."""
    result = run(pytester, mini(DEFECTS[defect][0]))
    assert says in result.stdout.str()


def test_a_signing_date_authorize_adds_is_no_difference(pytester: pytest.Pytester) -> None:
    """Two dry runs may straddle a second: a date ``authorize`` stamps (SigV4's x-amz-date) is
    not the translation's."""
    stamping = """
    stamps = iter(range(1000))

    def authorize(self, request, settings, *, dry_run=False):
        key = self.api_key(settings, dry_run=dry_run)
        stamp = {"x-mini-date": str(next(self.stamps))}
        return request.with_headers(stamp).with_headers({"authorization": key}, secret=True)
"""
    result = run(pytester, mini(stamping))
    result.assert_outcomes(passed=SOUND, skipped=SKIPPED)


def test_an_edit_only_provider_passes(pytester: pytest.Pytester) -> None:
    result = run(pytester, mini('    operations = ("edit",)\n'))
    result.assert_outcomes(passed=SOUND + 1, skipped=SKIPPED - 1)  # (its images are sent)


_SENDS_NO_MASK = """
    operations = ("edit",)
    declared = {"mask": True}
"""

_SENDS_NO_IMAGE = """
    operations = ("edit",)

    def translate(self, call):
        body = {"prompt": call.request.prompt}
        forward_fields(body, call.request.forwarded)
        return limner.Translation(
            request=limner.WireRequest("POST", "https://mini.example/v1/images", json=body)
        )
"""


@pytest.mark.parametrize(
    ("defect", "dropped"), [(_SENDS_NO_IMAGE, "images"), (_SENDS_NO_MASK, "mask")]
)
def test_an_edit_that_drops_its_image_or_mask_fails(
    pytester: pytest.Pytester, defect: str, dropped: str
) -> None:
    """An inpainting that sends no mask repaints the whole image, in silence."""
    result = run(pytester, mini(defect))
    result.assert_outcomes(passed=SOUND, skipped=SKIPPED - 1, failed=1)
    result.stdout.fnmatch_lines([f"*mini/m1 edit: {dropped} 'a*' and 'a*' send the same request*"])


def test_a_provider_that_needs_no_credential_skips_that_test(pytester: pytest.Pytester) -> None:
    free = """
    env = {}

    def authorize(self, request, settings, *, dry_run=False):
        return request
"""
    result = run(pytester, mini(free))
    result.assert_outcomes(passed=SOUND - 1, skipped=1 + SKIPPED)


def test_settings_of_two_providers_are_keyed_by_name(pytester: pytest.Pytester) -> None:
    source = mini().replace(
        "        register(Mini())",
        "        register(Mini())\n        register(type('Free', (Mini,), {'name': 'free', "
        "'env': {}, 'authorize': lambda self, request, settings, dry_run=False: request})())",
    )
    source = source.replace(
        'return {"api_key": "mini-key-0123456789abcdef"}',
        'return {"mini": {"api_key": "mini-key-0123456789abcdef"}}',
    )
    source = source.replace(
        'id="mini/m1",\n                provider="mini"',
        'id=f"{self.name}/m1",\n                provider=self.name',
    )
    result = run(pytester, source)
    assert not failing(result), result.outlines[-20:]


PRICES = """

class Prices:  # a third party's negotiated rates for another plugin's provider
    @limner.hookimpl(tryfirst=True)
    def price_call(self, model, images):
        if model.id != "mini/m1":
            return None
        #PRICE#


class TestPrices(ProviderTests):
    plugin = Prices()
    builds_on = (Plugin(),)

    @property
    def settings(self):
        return {"api_key": "mini-key-0123456789abcdef"}
"""


def test_a_plugin_that_prices_another_plugins_provider_runs_the_tests_on_it(
    pytester: pytest.Pytester,
) -> None:
    """A pricing plugin alone registers no provider; with ``builds_on`` the tests run on the
    provider it prices, its hook in place: a sound one passes, one whose price is not an
    amount fails the estimate test."""
    source = mini().replace("class TestMini(ProviderTests):", "class _Unused(ProviderTests):")
    sound = run(pytester, source + PRICES.replace("#PRICE#", "return Decimal('0.02') * images"))
    sound.assert_outcomes(passed=SOUND, skipped=SKIPPED)
    broken = run(pytester, source + PRICES.replace("#PRICE#", "return 'cheap'"))
    assert failing(broken) == [
        "FAILED test_mini.py::TestPrices::"
        "test_a_model_priced_per_image_estimates_a_minimal_request[mini/m1-generate]"
    ]


def test_a_price_hook_that_raises_is_quoted_by_the_estimate_test(
    pytester: pytest.Pytester,
) -> None:
    """The failure blamed the translation's size and quality ("no reason given"), where the
    dry run's warning said the hook had raised."""
    source = mini().replace("class TestMini(ProviderTests):", "class _Unused(ProviderTests):")
    result = run(pytester, source + PRICES.replace("#PRICE#", "return 1 // 0"))
    result.stdout.fnmatch_lines(["*no estimate (pricing mini/m1 failed in a plugin (ZeroDivision*"])


def test_a_plugin_that_forgets_builds_on_fails_instead_of_skipping_everything(
    pytester: pytest.Pytester,
) -> None:
    """Without ``builds_on`` a pricing plugin has no provider to test: every test was skipped
    ("got empty parameter set") and pytest said green, whatever its hooks did."""
    source = mini().replace("class TestMini(ProviderTests):", "class _Unused(ProviderTests):")
    forgot = PRICES.replace("#PRICE#", "return 'cheap'").replace(
        "    builds_on = (Plugin(),)\n", ""
    )
    result = run(pytester, source + forgot)
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*the plugin registers no provider, and builds_on names none*"])


def test_a_standard_test_overridden_without_xfail_is_caught(pytester: pytest.Pytester) -> None:
    override = """
    def test_every_option_is_described(self, provider):
        pass
"""
    result = run(pytester, mini(override=override))
    assert failing(result) == ["FAILED test_mini.py::TestMini::test_no_standard_test_is_overridden"]


def test_a_standard_test_may_be_marked_strict_xfail_only(pytester: pytest.Pytester) -> None:
    strict = """
    @pytest.mark.xfail(reason="mini publishes no options", strict=True)
    def test_every_option_is_described(self, provider):
        raise AssertionError("not applicable")
"""
    result = run(pytester, mini(override=strict))
    result.assert_outcomes(passed=SOUND - 1, xfailed=1, skipped=SKIPPED)
    lax = strict.replace(", strict=True", "")
    result = run(pytester, mini(override=lax))
    assert any("test_no_standard_test_is_overridden" in line for line in failing(result))


def test_a_helper_overridden_is_caught(pytester: pytest.Pytester) -> None:
    override = """
    def _cases(self):
        return iter(())
"""
    result = run(pytester, mini(override=override))
    assert any("test_no_standard_test_is_overridden" in line for line in failing(result))


RAW_BODY = """
    def models(self):
        caps = limner.Capabilities(
            operations=self.operations, max_images_per_call=4, aspect_ratios=("1:1", "16:9")
        )
        return [limner.ModelInfo(id="mini/m1", provider="mini", name="m1", capabilities=caps)]

    def translate(self, call):
        config = getattr(call.request, "image_config", None)
        aspect = config.aspect_ratio if config is not None else None
        body = {"prompt": call.request.prompt, "count": #COUNT#, "aspect": aspect}
        forward_fields(body, call.request.forwarded)
        content = json.dumps(body).encode()  # a raw body, as a signed one is sent
        return limner.Translation(
            request=limner.WireRequest(
                "POST", "https://mini.example/v1/images", content=content,
                headers={"content-type": "application/json"},
            )
        )
"""


def test_a_plugin_sending_a_raw_body_is_judged_by_what_it_holds(
    pytester: pytest.Pytester,
) -> None:
    """The choice tests read the translation itself: a dry run shows a raw body's length only."""
    source = mini(RAW_BODY.replace("#COUNT#", "call.n")).replace(
        "import os\n", "import json\nimport os\n"
    )
    sound = run(pytester, source)
    assert not failing(sound), failing(sound)  # its extra fields are read from its bytes too
    broken = run(pytester, source.replace('"count": call.n', '"count": call.request.n'))
    assert any("test_each_call_sends_its_own_share_of_n" in line for line in failing(broken))
    nonce = run(
        pytester, source.replace('"count": call.n', '"count": call.n, "nonce": random.random()')
    )
    assert any("same_way_twice" in line for line in failing(nonce))


WRAPS = """

class Wraps:  # translates mini's calls through mini's own translation, then adds a count
    @limner.hookimpl(tryfirst=True)
    def translate_request(self, provider, call):
        done = provider.translate(call)
        body = {**done.request.json, "count": #COUNT#}
        return limner.Translation(request=limner.WireRequest("POST", done.request.url, json=body))


class TestWraps(ProviderTests):
    plugin = Wraps()
    builds_on = (Plugin(),)

    @property
    def settings(self):
        return {"api_key": "mini-key-0123456789abcdef"}
"""


def test_a_translate_request_hook_is_judged_by_what_it_returns(pytester: pytest.Pytester) -> None:
    """Not by the provider's translation it starts from."""
    source = mini().replace("class TestMini(ProviderTests):", "class _Unused(ProviderTests):")
    sound = run(pytester, source + WRAPS.replace("#COUNT#", "call.n"))
    assert not failing(sound), failing(sound)
    broken = run(pytester, source + WRAPS.replace("#COUNT#", "call.request.n"))
    assert any("test_each_call_sends_its_own_share_of_n" in line for line in failing(broken))


def test_the_way_the_tests_are_parametrized_cannot_be_overridden(
    pytester: pytest.Pytester,
) -> None:
    """Overriding ``pytest_generate_tests`` could give every test no case to run on."""
    override = """
    def pytest_generate_tests(self, metafunc):
        for name in ("case", "provider"):
            if name in metafunc.fixturenames:
                metafunc.parametrize(name, [])
"""
    result = run(pytester, mini(override=override))
    assert any("test_no_standard_test_is_overridden" in line for line in failing(result))
    assert "pytest_generate_tests is part of how the standard tests run" in result.stdout.str()


ADDED = """

class Added:  # adds a model to another plugin's provider, with a price row no call matches
    @limner.hookimpl
    def register_models(self, register):
        model = Mini().models()[0]
        row = limner.ImagePrice(usd=Decimal("0.05"), size="1x1")
        pricing = model.pricing.model_copy(update={"per_image": (row,)})
        register(model.model_copy(update={"id": "mini/m2", "name": "m2", "pricing": pricing}))


class TestAdded(ProviderTests):
    plugin = Added()
    builds_on = (Plugin(),)

    @property
    def settings(self):
        return {"api_key": "mini-key-0123456789abcdef"}
"""


def test_a_model_added_to_another_plugins_provider_is_tested(pytester: pytest.Pytester) -> None:
    source = mini().replace("class TestMini(ProviderTests):", "class _Unused(ProviderTests):")
    result = run(pytester, source + ADDED)
    assert failing(result) == [
        "FAILED test_mini.py::TestAdded::"
        "test_a_model_priced_per_image_estimates_a_minimal_request[mini/m2-generate]"
    ]


def test_a_loopback_connection_is_not_the_network(pytester: pytest.Pytester) -> None:
    """On some systems the event loop makes its socket pair through a loopback connection."""
    loopback = """
    def test_loopback(self):
        with socket.create_server(("127.0.0.1", 0)) as server:
            socket.create_connection(server.getsockname(), timeout=1).close()
"""
    result = run(pytester, mini(override=loopback))
    result.assert_outcomes(passed=SOUND + 1, skipped=SKIPPED)


def test_settings_that_name_no_credential_may_be_plain_strings(pytester: pytest.Pytester) -> None:
    settings = """
    settings_model = type("MiniSettings", (limner.ProviderSettings,), {
        "__annotations__": {"token_url": str | None, "access_key_id": str | None},
        "token_url": None, "access_key_id": None})
"""
    result = run(pytester, mini(settings))
    result.assert_outcomes(passed=SOUND, skipped=SKIPPED)


def test_the_guard_itself_cannot_be_overridden(pytester: pytest.Pytester) -> None:
    override = """
    def test_no_standard_test_is_overridden(self):
        pass
"""
    result = run(pytester, mini(override=override))
    assert result.ret != 0
    assert "overrides test_no_standard_test_is_overridden" in result.stdout.str()
    assert not any(line.startswith("PASSED") for line in result.outlines)


@pytest.mark.parametrize("operations", ['("edit",)', '("variation",)'])
def test_a_provider_without_generate_passes(pytester: pytest.Pytester, operations: str) -> None:
    result = run(pytester, mini(f"    operations = {operations}\n"))
    result.assert_outcomes(passed=SOUND + 1, skipped=SKIPPED - 1)  # (its images are sent)


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("api_key", True),
        ("client_secret", True),
        ("password", True),
        ("session_token", True),
        ("bearer", True),
        ("service_credential", True),
        ("token_url", False),
        ("token_endpoint", False),
        ("access_key_id", False),
        ("key_file", False),
    ],
)
def test_credential_names(name: str, secret: bool) -> None:
    """Which settings the standard tests require to be SecretStr: a URL or endpoint of a token
    service is not a credential."""
    from limner.testing.checks import credential_name

    assert credential_name(name) is secret


def test_a_key_too_short_to_be_hidden_fails_the_secrets_test(pytester: pytest.Pytester) -> None:
    """limner hides no value under 8 characters (it would hide ordinary text): a test key that
    short would let the secrets test pass without checking anything."""
    short = """
    @property
    def settings(self):
        return {"api_key": "k-12345"}
"""
    result = run(pytester, mini(override=short))
    assert failing(result) == [
        "FAILED test_mini.py::TestMini::test_secrets_never_appear_in_a_dry_run[mini/m1-generate]"
    ]
    assert "shorter than 8 characters" in result.stdout.str()
