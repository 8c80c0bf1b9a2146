"""limner plugin for Acme Images: a complete provider plugin to copy and adapt.

Acme is a fictional API made up for this example (nothing answers at ``api.acme.example``):

- ``POST /v1/images`` with ``authorization: Bearer <key>`` takes the JSON body ``{"model",
  "prompt", "n", "size", "seed"?, "steps"?}``: up to ``max_images_per_call`` images, in a size
  the model lists;
- a 200 answers ``{"images": [{"b64": "<base64 PNG>"}, ...], "size": "WxH", "cost_usd"?: "0.08"}``
  (``cost_usd``: the bill, when Acme states it);
- an error answers ``{"error": {"code": "...", "message": "..."}}``; the code ``moderated`` means
  Acme refused the prompt.

``pyproject.toml`` beside it is its distribution; ``test_acme.py`` its tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

import limner
from limner.forwarding import forward_fields
from limner.requests import parse_size
from limner.sending import generic_error
from limner.sizing import nearest_size
from limner.status_errors import error_for_status
from limner.values import Integer

__all__ = ["MODELS", "AcmeOptions", "AcmeProvider", "register_providers"]

DEFAULT_BASE_URL = "https://api.acme.example"
MAX_SEED = 2**32 - 1
PRICES_SOURCE = "https://acme.example/pricing (fictional)"
PRICES_NOTES = "Acme bills each image made; a call that fails costs nothing"


def price_sheet(usd_by_size: Mapping[str, str]) -> limner.PriceSheet:
    """USD per image, one row per size: core matches a row against ``Translation.size`` and
    multiplies its price by the images returned."""
    rows = tuple(
        limner.ImagePrice(usd=Decimal(usd), size=size) for size, usd in usd_by_size.items()
    )
    return limner.PriceSheet(
        source=PRICES_SOURCE, as_of=dt.date(2026, 1, 15), per_image=rows, notes=PRICES_NOTES
    )


MODELS = (
    limner.ModelInfo(
        id="acme/paint-2",  # provider/name, with name the wire name sent as "model"
        provider="acme",
        name="paint-2",
        display_name="Acme Paint 2",
        capabilities=limner.Capabilities(  # operations: ("generate",), the default
            sizes=("1024x1024", "1536x1024", "1024x1536"),
            default_size="1024x1024",
            max_images_per_call=2,  # core splits n=5 into calls of 2, 2 and 1 images
            seed=True,
            seed_range=(0, MAX_SEED),  # core refuses a seed outside it
        ),
        lifecycle=limner.Lifecycle(status="active", source="https://acme.example/models"),
        pricing=price_sheet({"1024x1024": "0.04", "1536x1024": "0.06", "1024x1536": "0.06"}),
    ),
    limner.ModelInfo(
        id="acme/sketch-1",
        provider="acme",
        name="sketch-1",
        display_name="Acme Sketch 1",
        capabilities=limner.Capabilities(
            sizes=("512x512", "1024x1024"),
            default_size="1024x1024",
            max_images_per_call=4,
            seed=False,  # takes no seed: the translation drops one, saying so
        ),
        # calls to a deprecated model get a warning naming the replacement
        lifecycle=limner.Lifecycle(
            status="deprecated",
            deprecated_on=dt.date(2026, 3, 1),
            shutdown_on=dt.date(2027, 3, 1),
            replacement="acme/paint-2",
            source="https://acme.example/deprecations",
        ),
        pricing=price_sheet({"512x512": "0.01", "1024x1024": "0.02"}),
    ),
)


class AcmeOptions(BaseModel):
    """``provider_options={"acme": {...}}``: what only Acme takes. Core validates it and
    publishes its JSON Schema, descriptions included."""

    model_config = ConfigDict(extra="forbid")

    steps: Integer = Field(
        default=None,
        ge=1,
        le=50,
        description="Denoising steps: more is slower and finer (Acme: 20)",
    )


class AcmeProvider(limner.Provider):
    name: ClassVar[str] = "acme"
    display_name: ClassVar[str] = "Acme Images"
    # which environment variables fill which setting; core reads them, never the plugin
    env: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "api_key": ("ACME_API_KEY",),
        "base_url": ("ACME_BASE_URL",),
    }
    options_model: ClassVar[type[BaseModel] | None] = AcmeOptions

    def models(self) -> list[limner.ModelInfo]:
        return list(MODELS)

    def translate(self, call: limner.ProviderCall) -> limner.Translation:
        """Pure: the request, settings and options in ``call`` to one HTTP request."""
        request = call.request
        assert isinstance(request, limner.GenerateRequest)  # core refuses other operations
        capabilities = call.model.capabilities
        changes = limner.Changes()  # every setting is sent, changed or reported as dropped
        size = fitted_size(request.size, capabilities, changes)
        # call.n, this call's share: core splits a larger n into several calls
        body: dict[str, Any] = {
            "model": call.model.name,
            "prompt": request.prompt,
            "n": call.n,
            "size": size,
        }
        if capabilities.seed:  # each call of a split n its own seed, or they repeat images
            seed = changes.split_seed(request.seed, call.index, low=0, high=MAX_SEED)
            if seed is not None:
                body["seed"] = seed
        elif request.seed is not None:
            changes.drop("seed", request.seed, f"{call.model.id} takes no seed")
        # settings the model declares it lacks (quality, style, ...) need no code here: core
        # warns of each one set (unreported_setting)
        if isinstance(call.options, AcmeOptions) and call.options.steps is not None:
            body["steps"] = call.options.steps
        # unknown fields (extra_body) as given; one that would replace a built field is refused
        forward_fields(body, request.forwarded, instead="provider_options.acme")
        base = (call.settings.base_url or DEFAULT_BASE_URL).rstrip("/")
        wire = limner.WireRequest("POST", f"{base}/v1/images", json=body)
        # size: what was sent, which the price sheet's rows are matched against
        return limner.Translation(wire, changes.adjustments, changes.warnings, size=size)

    def authorize(
        self,
        request: limner.WireRequest,
        settings: limner.ProviderSettings,
        *,
        dry_run: bool = False,
    ) -> limner.WireRequest:
        key = self.api_key(settings, dry_run=dry_run)  # missing: the error naming ACME_API_KEY
        return request.with_headers({"authorization": f"Bearer {key}"}, secret=True)

    def parse_response(
        self, call: limner.ProviderCall, response: limner.WireResponse
    ) -> limner.ProviderResult:
        # a body of another shape raises here (KeyError): core makes that a ProviderError
        # quoting the body
        body = response.json()
        images = [limner.ImageData(b64_json=image["b64"]) for image in body["images"]]
        cost = body.get("cost_usd")  # a stated bill is the call's cost: no price sheet asked
        return limner.ProviderResult(
            images=images,
            size=body.get("size"),  # what came back, as the response shows it
            billed_usd=None if cost is None else Decimal(str(cost)),
        )

    def parse_error(
        self, call: limner.ProviderCall, response: limner.WireResponse
    ) -> limner.LimnerError:
        """Acme's own error body, read. Any other answer (a proxy's page, an empty body) gets
        core's default error by status, which names ACME_API_KEY on a 401 and asks about
        ACME_BASE_URL on a 404 that is not JSON. Core decides retries (429, 5xx), and their
        retry_after."""
        body = response.json_or_none()
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict) or not isinstance(error.get("message"), str):
            return generic_error(self, call.model, response)
        said = f"Acme: {error['message']}"
        common: dict[str, Any] = {
            "provider": self.name,
            "model": call.model.id,
            "status_code": response.status,
            "request_id": response.request_id,
            "body": response.error_body(),
        }
        code = error.get("code") if isinstance(error.get("code"), str) else None
        if code == "moderated":
            return limner.ContentPolicyError(
                f"{said} — rephrase the prompt", reason=error["message"], param="prompt", **common
            )
        if response.status == 401:  # name where the key is set, as the standard tests ask
            common["setting"] = limner.ProviderSetting(self.name, "api_key")
            said = f"{said} — check ACME_API_KEY"
        return error_for_status(response.status)(said, code=code, **common)


def fitted_size(
    requested: str | None, capabilities: limner.Capabilities, changes: limner.Changes
) -> str:
    """The listed size nearest ``requested`` (:func:`limner.sizing.nearest_size`: the closest
    shape, then the closest pixel count). A size that is not listed is changed, and the change
    reported; none (or ``auto``) is the model's default."""
    if requested is None or requested == "auto":
        return capabilities.default_size or capabilities.sizes[0]
    if requested in capabilities.sizes:
        return requested
    wanted = parse_size(requested)
    assert wanted is not None  # core has checked the WIDTHxHEIGHT form
    nearest = nearest_size(*wanted, capabilities.sizes)
    reason = f"Acme makes {', '.join(capabilities.sizes)}; {nearest} is the nearest"
    changes.adjust("size", requested, nearest, reason)
    return nearest


@limner.hookimpl
def register_providers(register: Callable[[limner.Provider], None]) -> None:
    """Register the Acme provider (the entry point in pyproject.toml names this module)."""
    register(AcmeProvider())
