"""A small provider used by the core tests: JSON generate, multipart edit, OpenAI-shaped answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

import limner
from limner.forwarding import forward_fields
from limner.status_errors import error_for_status

API_KEY = "sk-fake-SECRET-0123456789abcdef"

ALPHA_PRICES = limner.PriceSheet(
    source="https://fake.example/pricing",
    as_of=dt.date(2026, 1, 1),
    per_image=(
        limner.ImagePrice(usd=Decimal("0.011"), quality="low"),
        limner.ImagePrice(usd=Decimal("0.042"), quality="high"),
        limner.ImagePrice(usd=Decimal("0.02")),
    ),
)

ALPHA = limner.ModelInfo(
    id="fake/alpha-1",
    provider="fake",
    name="alpha-1",
    aliases=("alpha",),
    capabilities=limner.Capabilities(
        operations=("generate", "edit", "variation"),
        sizes=("512x512", "1024x1024"),
        default_size="1024x1024",
        qualities=("low", "high"),
        max_images_per_call=2,
        max_n=8,
        max_prompt_chars=200,
        max_input_images=2,
        mask=True,
        remote_image_urls=False,
        response_formats=("b64_json", "url"),
        output_formats=("png", "jpeg"),
    ),
    pricing=ALPHA_PRICES,
)

BETA = limner.ModelInfo(
    id="fake/beta-2",
    provider="fake",
    name="beta-2",
    capabilities=limner.Capabilities(
        operations=("generate", "edit"),
        max_images_per_call=1,
        max_input_images=1,
        mask=False,
        response_formats=("b64_json",),
    ),
    pricing=limner.PriceSheet(
        source="https://fake.example/pricing",
        as_of=dt.date(2026, 1, 1),
        per_million_tokens=limner.TokenPrices(
            text_input=Decimal("5"), image_input=Decimal("8"), image_output=Decimal("40")
        ),
    ),
)

OLD = limner.ModelInfo(
    id="fake/old-0",
    provider="fake",
    name="old-0",
    capabilities=limner.Capabilities(
        max_images_per_call=1,
        seed=True,
        seed_range=(0, 1000),
        negative_prompt=True,
        max_negative_prompt_chars=50,
    ),
    lifecycle=limner.Lifecycle(
        status="deprecated",
        deprecated_on=dt.date(2019, 6, 1),
        shutdown_on=dt.date(2020, 1, 1),
        replacement="fake/alpha-1",
    ),
    pricing=ALPHA_PRICES,
)

MODELS = [ALPHA, BETA, OLD]


class FakeOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    steps: int = Field(20, ge=1, le=50, description="denoising steps")
    preset: str | None = Field(None, description="a named style")


_QUALITY_MAP = {"standard": "low", "medium": "high", "hd": "high"}


class FakeProvider(limner.Provider):
    name = "fake"
    display_name = "Fake Images"
    aliases: ClassVar[tuple[str, ...]] = ("fk",)
    env: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "api_key": ("FAKE_API_KEY",),
        "base_url": ("FAKE_BASE_URL",),
    }
    options_model: ClassVar[type[BaseModel] | None] = FakeOptions
    credential_headers = frozenset({"x-fake-key"})

    def models(self) -> list[limner.ModelInfo]:
        return list(MODELS)

    def translate(self, call: limner.ProviderCall) -> limner.Translation:
        request = call.request
        caps = call.model.capabilities
        base = (call.settings.base_url or "https://fake.example/v1").rstrip("/")
        adjustments: list[limner.Adjustment] = []
        size = getattr(request, "size", None)
        if size is not None and caps.sizes and size not in caps.sizes:
            adjustments.append(
                limner.Adjustment(
                    param="size", requested=size, applied=caps.default_size, reason="snapped"
                )
            )
            size = caps.default_size
        quality = getattr(request, "quality", None)
        if quality is not None and caps.qualities and quality not in caps.qualities:
            mapped = _QUALITY_MAP.get(quality)
            adjustments.append(
                limner.Adjustment(
                    param="quality", requested=quality, applied=mapped, reason="mapped"
                )
            )
            quality = mapped
        seed = getattr(request, "seed", None)
        if seed is not None and not caps.seed:
            adjustments.append(limner.Adjustment(param="seed", requested=seed, reason="no seeds"))
            seed = None
        output_format = getattr(request, "output_format", None)
        negative = getattr(request, "negative_prompt", None) if caps.negative_prompt else None
        body: dict[str, Any] = {"model": call.model.name, "n": call.n}
        for key, value in (
            ("size", size),
            ("quality", quality),
            ("output_format", output_format),
            ("seed", seed),
            ("negative_prompt", negative),
        ):
            if value is not None:
                body[key] = value
        if getattr(request, "prompt", None) is not None:
            body["prompt"] = request.prompt  # type: ignore[union-attr]
        if request.response_format == "url":
            body["response_format"] = "url"
        if isinstance(call.options, FakeOptions):
            body["steps"] = call.options.steps
        forward_fields(body, request.forwarded)
        headers = {"x-call-index": str(call.index)}
        if call.operation == "generate":
            wire = limner.WireRequest(
                method="POST", url=f"{base}/images", headers=headers, json=body
            )
        else:
            files = [
                limner.FilePart("image", image.filename, image.mime or "", image.data or b"")
                for image in call.images
            ]
            if call.mask is not None:
                mask = call.mask
                files.append(limner.FilePart("mask", "mask.png", "image/png", mask.data or b""))
            wire = limner.WireRequest(
                method="POST",
                url=f"{base}/images/{'edits' if call.operation == 'edit' else 'variations'}",
                headers=headers,
                form=tuple((key, str(value)) for key, value in body.items()),
                files=tuple(files),
            )
        return limner.Translation(
            request=wire, adjustments=tuple(adjustments), size=size, quality=quality
        )

    def authorize(
        self,
        request: limner.WireRequest,
        settings: limner.ProviderSettings,
        *,
        dry_run: bool = False,
    ) -> limner.WireRequest:
        key = settings.api_key.get_secret_value() if settings.api_key else None
        if key is None:
            if not dry_run:
                raise self.missing_credentials()
            key = "placeholder"
        return request.with_headers(
            {"Authorization": f"Bearer {key}", "X-Fake-Key": key}, secret=True
        )

    def parse_response(
        self, call: limner.ProviderCall, response: limner.WireResponse
    ) -> limner.ProviderResult:
        body = response.json()  # deliberately naive: core must cope with a malformed body
        images = [limner.ImageData(**item) for item in body["data"]]
        usage = limner.Usage.model_validate(body["usage"]) if body.get("usage") else None
        notices = [limner.Notice(**notice) for notice in body.get("notices", [])]
        return limner.ProviderResult(
            images=images,
            usage=usage,
            output_format=body.get("output_format"),
            size=body.get("size"),
            quality=body.get("quality"),
            warnings=notices,
            billed_usd=Decimal(body["billed_usd"]) if "billed_usd" in body else None,
        )

    def parse_error(
        self, call: limner.ProviderCall, response: limner.WireResponse
    ) -> limner.LimnerError:
        body = response.json_or_none() or {}
        error = body.get("error", {}) if isinstance(body, dict) else {}
        error = error if isinstance(error, dict) else {"message": str(error)}
        message = f"fake: {error.get('message', response.text_excerpt())}"
        common: dict[str, Any] = {
            "provider": self.name,
            "model": call.model.id,
            "status_code": response.status,
            "request_id": response.request_id,
            "body": response.error_body(),
        }
        if response.status == 400 and error.get("code") == "content_policy":
            return limner.ContentPolicyError(message, reason=error.get("message"), **common)
        if response.status == 429:
            return limner.RateLimitError(message, retry_after=response.retry_after, **common)
        if response.status == 401:  # where the key comes from, as the standard tests ask
            common["setting"] = limner.ProviderSetting(self.name, "api_key")
        return error_for_status(response.status)(message, param=error.get("param"), **common)


class FakePlugin:
    """Registers :class:`FakeProvider`."""

    def __init__(self, provider: type[limner.Provider] = FakeProvider) -> None:
        self.provider = provider

    @limner.hookimpl
    def register_providers(self, register: Callable[[limner.Provider], None]) -> None:
        register(self.provider())
