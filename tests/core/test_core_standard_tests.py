"""limner.testing's standard tests fail a plugin that breaks their contract: each test below runs
them, through pytest, on a small provider with one defect, as a plugin author would."""

from __future__ import annotations

import pytest

MINI = """
import datetime as dt
import random
import socket
from decimal import Decimal

import pytest
from pydantic import BaseModel, Field

import limner
from limner.errors import error_for_status
from limner.testing import ProviderTests


class Options(BaseModel):
    steps: int | None = Field(None, description="denoising steps")


class Mini(limner.Provider):
    name = "mini"
    env = {"api_key": ("MINI_API_KEY",)}
    options_model = Options

    def models(self):
        return [
            limner.ModelInfo(
                id="mini/m1",
                provider="mini",
                name="m1",
                capabilities=limner.Capabilities(operations=("generate",)),
                pricing=limner.PriceSheet(
                    source="https://mini.example/pricing",
                    as_of=dt.date(2026, 1, 1),
                    per_image=(limner.ImagePrice(usd=Decimal("0.01")),),
                ),
            )
        ]

    def translate(self, call):
        body = {"prompt": call.request.prompt}
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
    "shows_the_key": (
        """
    def translate(self, call):
        key = call.settings.api_key.get_secret_value() if call.settings.api_key else ""
        body = {"prompt": call.request.prompt, "account": key}
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
        "test_a_minimal_request_translates_without_io_and_the_same_way_twice",
    ),
    "differs_each_time": (
        """
    def translate(self, call):
        body = {"prompt": call.request.prompt, "nonce": random.random()}
        return limner.Translation(
            request=limner.WireRequest("POST", "https://mini.example/v1/images", json=body)
        )
""",
        "test_a_minimal_request_translates_without_io_and_the_same_way_twice",
    ),
    "needs_a_key_to_dry_run": (
        """
    def authorize(self, request, settings, *, dry_run=False):
        key = self.api_key(settings)
        return request.with_headers({"authorization": f"Bearer {key}"}, secret=True)
""",
        "test_a_dry_run_needs_no_credentials",
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
    "calls_a_rate_limit_a_server_error": (
        """
    def parse_error(self, call, response):
        return limner.ProviderError(f"HTTP {response.status}")
""",
        "test_parse_error_maps_answers_onto_the_error_tree",
    ),
    "leaves_an_option_undescribed": (
        """
    options_model = type("Bare", (BaseModel,), {"__annotations__": {"steps": int | None},
                                                 "steps": None})
""",
        "test_every_option_is_described",
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


def run(pytester: pytest.Pytester, source: str) -> pytest.RunResult:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_mini=source)
    return pytester.runpytest_inprocess("-q", "-p", "no:randomly", "-p", "no:cacheprovider")


def test_a_sound_plugin_passes_every_standard_test(pytester: pytest.Pytester) -> None:
    result = run(pytester, MINI.replace("#DEFECT#", "").replace("#OVERRIDE#", ""))
    result.assert_outcomes(passed=9)


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_a_defect_fails_its_standard_test(pytester: pytest.Pytester, defect: str) -> None:
    code, failing = DEFECTS[defect]
    result = run(pytester, MINI.replace("#DEFECT#", code).replace("#OVERRIDE#", ""))
    failed = [line for line in result.outlines if line.startswith("FAILED")]
    assert any(failing in line for line in failed), result.outlines[-15:]


def test_a_standard_test_overridden_without_xfail_is_caught(pytester: pytest.Pytester) -> None:
    override = """
    def test_every_option_is_described(self):
        pass
"""
    result = run(pytester, MINI.replace("#DEFECT#", "").replace("#OVERRIDE#", override))
    result.assert_outcomes(passed=8, failed=1)
    assert any(
        "test_no_standard_test_is_overridden" in line and line.startswith("FAILED")
        for line in result.outlines
    )


def test_a_standard_test_may_be_marked_xfail(pytester: pytest.Pytester) -> None:
    override = """
    @pytest.mark.xfail(reason="mini publishes no options")
    def test_every_option_is_described(self):
        raise AssertionError("not applicable")
"""
    result = run(pytester, MINI.replace("#DEFECT#", "").replace("#OVERRIDE#", override))
    result.assert_outcomes(passed=8, xfailed=1)
