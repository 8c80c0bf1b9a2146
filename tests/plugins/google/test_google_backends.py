"""Backends and settings: endpoints per backend, the SDK's environment conventions, secrets."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import limner
from limner_google import GoogleProvider
from limner_google.models import GEMINI_API, MODELS, VERTEX_AI
from limner_google.settings import GoogleSettings

from .conftest import FakeCredentials, MakeCall, png, settings


@pytest.mark.parametrize(
    ("values", "url"),
    [
        (
            {"vertexai": True, "project": "p"},
            "https://aiplatform.googleapis.com/v1beta1/projects/p/locations/global/publishers/google/models/",
        ),
        (
            {"vertexai": True, "project": "p", "location": "eu"},
            "https://aiplatform.eu.rep.googleapis.com/v1beta1/projects/p/locations/eu/publishers/google/models/",
        ),
        (
            {"vertexai": True, "api_key": "k"},
            "https://aiplatform.googleapis.com/v1beta1/publishers/google/models/",
        ),
        ({"api_key": "k", "base_url": "http://proxy/"}, "http://proxy/v1beta/models/"),
        (
            {"api_key": "k", "api_version": "v1"},
            "https://generativelanguage.googleapis.com/v1/models/",
        ),
    ],
)
def test_endpoints(
    provider: GoogleProvider, make_call: MakeCall, values: dict[str, Any], url: str
) -> None:
    """Imagen lists no Vertex regions, so it goes where configured (Gemini image models are
    moved to ``global``: test_google_location.py)."""
    call = make_call("imagen-4.0-generate-001", settings=settings(**values))
    assert provider.translate(call).request.url == f"{url}imagen-4.0-generate-001:predict"


def test_environment_selects_vertex_like_the_sdk(provider: GoogleProvider) -> None:
    env = {
        "GOOGLE_GENAI_USE_VERTEXAI": "true",
        "GOOGLE_CLOUD_PROJECT": "envproj",
        "GOOGLE_CLOUD_LOCATION": "europe-west4",
        "GEMINI_API_KEY": "envkey",
    }
    loaded = provider.load_settings({}, env)
    assert (loaded.vertexai, loaded.project, loaded.api_key) == (True, "envproj", None)  # type: ignore[attr-defined]
    express = provider.load_settings({"api_key": "explicit"}, env)
    assert (express.project, express.location) == (None, None)  # type: ignore[attr-defined]
    # a key given with a location keeps the environment's project, as the SDK does (the key
    # was dropped, and the call went to Application Default Credentials)
    keyed = provider.load_settings({"api_key": "explicit", "location": "us-central1"}, env)
    assert (keyed.project, keyed.location, keyed.auth) == ("envproj", "us-central1", "api_key")  # type: ignore[attr-defined]
    placed = {"GOOGLE_GENAI_USE_VERTEXAI": "true", "GOOGLE_CLOUD_LOCATION": "us-central1"}
    located = provider.load_settings({}, {**placed, "GOOGLE_API_KEY": "k"})  # no project
    assert (located.api_key, located.location, located.auth) == (None, "us-central1", "adc")  # type: ignore[attr-defined]
    gemini = provider.load_settings({}, {"GOOGLE_API_KEY": "a", "GEMINI_API_KEY": "b"})
    assert gemini.api_key is not None and gemini.api_key.get_secret_value() == "a"
    for blank in ("", "  ", "\n"):  # a blank GOOGLE_API_KEY is unset: GEMINI_API_KEY is read
        second = provider.load_settings({}, {"GOOGLE_API_KEY": blank, "GEMINI_API_KEY": "b"})
        assert second.api_key is not None and second.api_key.get_secret_value() == "b"
    assert provider.load_settings({}, {"GOOGLE_GENAI_USE_VERTEXAI": "0"}).vertexai is False  # type: ignore[attr-defined]
    base = provider.load_settings({}, {"GOOGLE_GEMINI_BASE_URL": "http://gw"})
    assert base.base_url == "http://gw"


def test_vertex_without_project_waits_for_adc_to_name_it(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    """As the SDK does, ADC names the project when none is configured; it is read before the
    first call is sent (core's ``complete_settings``), so a translation made without it holds a
    placeholder, says so, and cannot be authorized for sending."""
    call = make_call("gemini-3-pro-image", settings=settings(vertexai=True))
    translation = provider.translate(call)
    assert translation.request.url == (
        "https://aiplatform.googleapis.com/v1beta1/projects/{project}/locations/global/"
        "publishers/google/models/gemini-3-pro-image:generateContent"
    )
    codes = [w.code for w in translation.warnings]
    assert codes == ["project_from_credentials", "price_unverified"]
    assert "GOOGLE_CLOUD_PROJECT" in translation.warnings[0].message
    dry = provider.authorize(translation.request, call.settings, dry_run=True)
    assert dry.url == translation.request.url
    with pytest.raises(limner.InvalidRequestError) as caught:
        provider.authorize(translation.request, call.settings)
    assert caught.value.param == "providers.google.project"
    assert caught.value.setting == limner.ProviderSetting("google", "project")
    configured = make_call("gemini-3-pro-image", settings=settings(vertexai=True, project="p"))
    assert [w.code for w in provider.translate(configured).warnings] == ["price_unverified"]


def test_settings_repr_hides_secrets() -> None:
    credentials = FakeCredentials()
    loaded = settings(api_key="super-secret")
    assert "super-secret" not in repr(loaded)
    assert loaded.api_key is not None and loaded.api_key.get_secret_value() == "super-secret"
    vertex = settings(vertexai=True, credentials=credentials)
    assert "credentials" not in repr(vertex)
    assert isinstance(vertex, GoogleSettings) and vertex.credentials is credentials  # kept


def test_a_key_and_credentials_given_together_are_refused() -> None:
    """As the SDK: "Credentials and API key are mutually exclusive". A key from the
    environment is another matter: given credentials win over it."""
    with pytest.raises(limner.InvalidRequestError) as caught:
        settings(vertexai=True, api_key="k", credentials=FakeCredentials())
    assert caught.value.param == "providers.google.credentials"
    loaded = GoogleProvider().load_settings(
        {"vertexai": True, "credentials": FakeCredentials()}, {"GOOGLE_API_KEY": "k"}
    )
    assert (loaded.api_key, loaded.auth) == (None, "adc")  # type: ignore[attr-defined]


def test_the_enterprise_flag_picks_vertex_ai_first() -> None:
    both = {"GOOGLE_GENAI_USE_ENTERPRISE": "1", "GOOGLE_GENAI_USE_VERTEXAI": "false"}
    vertex = GoogleProvider().load_settings({}, both)
    gemini = GoogleProvider().load_settings({}, {"GOOGLE_GENAI_USE_ENTERPRISE": "false"})
    assert isinstance(vertex, GoogleSettings) and isinstance(gemini, GoogleSettings)
    assert (vertex.backend, gemini.backend) == ("vertex", "gemini")


def test_limner_models_shows_the_lifecycle(capsys: pytest.CaptureFixture[str]) -> None:
    from limner.cli.main import main

    assert main(["models"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = {line.split()[0]: line.split("  ")[1:] for line in lines}
    status = {model: next(cell.strip() for cell in row if cell) for model, row in rows.items()}
    assert status["google/imagen-4.0-generate-001"] == "shut down 2026-08-17"
    ends = "ends" if dt.date.today() < dt.date(2027, 3, 15) else "ended"
    assert status["google/gemini-2.5-flash-image"] == f"deprecated, {ends} 2027-03-15"
    assert status["google/gemini-3-pro-image-preview"] == "shut down 2026-06-25"
    assert status["google/gemini-3.1-flash-image"] == "active"


def test_regions_and_mask_format() -> None:
    """Vertex locations only where the notes give them (Gemini 3 image models at ``global``);
    Imagen's are unknown. The one mask-capable model says how Google's mask reads."""
    regions = {info.name: info.capabilities.regions for info in MODELS}
    assert regions == {
        "gemini-2.5-flash-image": (),  # regional too: it goes where configured
        "gemini-3-pro-image-preview": ("global",),
        "gemini-3-pro-image": ("global",),
        "gemini-3.1-flash-image-preview": ("global",),
        "gemini-3.1-flash-image": ("global",),
        "gemini-nano-banana-2.1": ("global",),  # as gemini-3.1-flash-image (unverified)
        "gemini-3.1-flash-lite-image": ("global",),
        "imagen-4.0-generate-001": (),
        "imagen-4.0-fast-generate-001": (),
        "imagen-4.0-ultra-generate-001": (),
        "imagen-3.0-generate-002": (),
        "imagen-3.0-capability-001": (),
    }
    masks = {info.name: info.capabilities.mask_format for info in MODELS if info.capabilities.mask}
    assert masks == {
        "imagen-3.0-capability-001": "white = edit, black = keep, same size as the image"
    }
    assert all(
        info.capabilities.mask_format is None for info in MODELS if not info.capabilities.mask
    )


@pytest.mark.parametrize(
    ("env", "prefix"),
    [
        ({"GOOGLE_GENAI_API_VERSION": "v1"}, "https://generativelanguage.googleapis.com/v1/"),
        ({"GOOGLE_GENAI_API_VERSION": "beta"}, "https://generativelanguage.googleapis.com/v1beta/"),
        (
            {
                "GOOGLE_GENAI_API_VERSION": "beta",
                "GOOGLE_GENAI_USE_VERTEXAI": "1",
                "GOOGLE_CLOUD_PROJECT": "p",
            },
            "https://aiplatform.googleapis.com/v1beta1/projects/p/",
        ),
    ],
)
def test_the_api_version_from_the_environment_as_the_sdk_reads_it(
    env: dict[str, str], prefix: str
) -> None:
    from limner_google.settings import endpoint

    loaded = GoogleProvider().load_settings(
        {"api_key": "k"} if "GOOGLE_CLOUD_PROJECT" not in env else {}, env
    )
    assert isinstance(loaded, GoogleSettings)
    assert endpoint(loaded).prefix.startswith(prefix)


def test_the_active_gemini_models_are_the_ones_google_genai_lists() -> None:
    """google-genai's model list (its Interactions API types) names every GA Gemini image model
    limner offers, gemini-nano-banana-2.1 included; the preview ids (shut down since) and Imagen
    are not there."""
    import typing

    from google.genai._gaos.types.interactions.model import Model

    listed: set[str] = set()

    def walk(annotation: object) -> None:
        for arg in typing.get_args(annotation):
            if isinstance(arg, str):
                listed.add(arg)
            else:
                walk(arg)

    walk(Model)
    gemini = [info for info in MODELS if info.name.startswith("gemini-")]
    active = {info.name for info in gemini if info.lifecycle.status not in ("preview", "shutdown")}
    previews = {info.name for info in gemini if info.name.endswith("-preview")}
    assert previews == {"gemini-3-pro-image-preview", "gemini-3.1-flash-image-preview"}
    assert not previews & listed
    assert active == {
        "gemini-2.5-flash-image",
        "gemini-3-pro-image",
        "gemini-3.1-flash-image",
        "gemini-nano-banana-2.1",
        "gemini-3.1-flash-lite-image",
    }
    assert active <= listed


# ---- what differs per backend, as data (Capabilities.per_backend) -----------------------------

BACKENDS: dict[str, dict[str, dict[str, Any]]] = {
    GEMINI_API: {"google": {"api_key": "k"}},
    VERTEX_AI: {"google": {"vertexai": True, "project": "p", "location": "global"}},
}


def _edit_input(model: limner.ModelInfo) -> dict[str, Any]:
    image = png(16, 16)
    fields: dict[str, Any] = {"image": image}
    if model.capabilities.mask:
        fields["mask"] = png(16, 16, mode="RGBA", hole=True)
    return fields


@pytest.mark.parametrize("backend", list(BACKENDS))
@pytest.mark.parametrize("model", MODELS, ids=[m.id for m in MODELS])
async def test_what_a_backend_takes_is_what_its_capabilities_say(
    model: limner.ModelInfo, backend: str
) -> None:
    """For each operation the model offers: refused where the backend serves it not; else an
    output_format and a seed are sent, or dropped with an adjustment, as for_backend says."""
    caps = model.capabilities.for_backend(backend)
    async with limner.AsyncClient(providers=BACKENDS[backend], environ={}) as client:
        for operation in ("generate", "edit"):
            if operation not in model.capabilities.operations:
                continue
            call: Any = client.images.generate if operation == "generate" else client.images.edit
            fields = _edit_input(model) if operation == "edit" else {}
            ask: dict[str, Any] = {"model": model.id, "prompt": "a fox", "output_format": "jpeg"}
            ask["seed"] = 5
            if operation not in caps.operations:
                with pytest.raises(limner.UnsupportedFeatureError):
                    await call(**ask, **fields, dry_run=True)
                continue
            plan = await call(**ask, **fields, dry_run=True)
            dropped = {a.param for a in plan.adjustments if a.applied is None}
            assert ("output_format" in dropped) == ("jpeg" not in caps.output_formats), operation
            assert ("seed" in dropped) == (not caps.seed), operation


async def test_more_input_images_than_vertex_takes_are_refused_there_as_its_data_says() -> None:
    model = "google/gemini-2.5-flash-image"
    images = [png(16, 16)] * 4
    async with limner.AsyncClient(providers=BACKENDS[VERTEX_AI], environ={}) as client:
        assert (
            client.models.retrieve(model).capabilities.for_backend(VERTEX_AI).max_input_images == 3
        )
        with pytest.raises(limner.UnsupportedFeatureError):
            await client.images.edit(model=model, prompt="a fox", image=images, dry_run=True)
    async with limner.AsyncClient(providers=BACKENDS[GEMINI_API], environ={}) as client:
        plan = await client.images.edit(model=model, prompt="a fox", image=images, dry_run=True)
        assert len(plan.requests) == 1


async def test_the_imagen_edit_models_successor_is_said_to_take_no_mask() -> None:
    """Its replacement, gemini-3.1-flash-image, edits by prompt alone: the shutdown warning
    says so, for a tool that follows replacements."""
    async with limner.AsyncClient(providers=BACKENDS[VERTEX_AI], environ={}) as client:
        plan = await client.images.edit(
            model="google/imagen-3.0-capability-001",
            prompt="a hat",
            image=png(16, 16),
            mask=png(16, 16, mode="RGBA", hole=True),
            dry_run=True,
        )
    (said,) = [w.message for w in plan.warnings if w.param == "model"]
    assert said.endswith("; use google/gemini-3.1-flash-image (which takes no mask)")


@pytest.mark.parametrize("backend", list(BACKENDS))
async def test_a_client_serves_each_model_as_its_backend_takes_it(backend: str) -> None:
    """``client.models.served``: the per_backend entry of the backend the settings name,
    applied (what the gateway lists); ``retrieve`` keeps the model as declared."""
    async with limner.AsyncClient(providers=BACKENDS[backend], environ={}) as client:
        for model in MODELS:
            served = client.models.served(model.id)
            declared = client.models.retrieve(model.id)
            assert declared.capabilities == model.capabilities
            expected = model.capabilities.for_backend(backend).model_copy(
                update={"per_backend": {}}
            )
            assert served.capabilities == expected, model.id
            assert served.id == model.id and served.pricing == model.pricing


@pytest.mark.parametrize("backend", list(BACKENDS))
async def test_the_served_schemas_say_what_the_served_capabilities_say(backend: str) -> None:
    """``schemas(model, served=True)`` (the gateway's ``?include=request_schemas``): one per
    operation the backend serves, each output format it lists and no other; worked out on one
    served object per model, however often asked."""
    async with limner.AsyncClient(providers=BACKENDS[backend], environ={}) as client:
        for model in MODELS:
            served = client.models.served(model.id)
            assert client.models.served(model.id) is served
            schemas = client.models.schemas(model.id, served=True)
            caps = served.capabilities
            assert set(schemas) == {op for op in caps.operations if op != "chat"}, model.id
            for operation in caps.operations:
                if operation == "chat":
                    continue
                formats = schemas[operation]["properties"]["output_format"].get("enum")
                listed = caps.for_operation(operation).output_formats
                assert formats == ([*listed, None] if listed else None), (model.id, operation)
                one = client.models.schema(model.id, operation, served=True)  # one at a time
                assert one == schemas[operation], (model.id, operation)


def test_settings_that_do_not_load_leave_the_model_as_declared() -> None:
    """A listing is no place to refuse the operator's settings: the calls do."""
    client = limner.Client(providers={"google": {"vertexai": "bogus"}}, environ={})
    model = "google/gemini-3-pro-image"
    assert client.models.served(model) == client.models.retrieve(model)
    with pytest.raises(limner.InvalidRequestError):
        client.images.generate(model=model, prompt="a fox", dry_run=True)


@pytest.mark.parametrize("given", ["ya29.a-token", "/keys/service-account.json", {"type": "x"}])
def test_credentials_that_are_no_credentials_object_are_refused_as_they_load(given: Any) -> None:
    """A token, a key file's path, a key's dict: the call failed as "a bug in the plugin"."""
    with pytest.raises(limner.InvalidRequestError) as caught:
        settings(vertexai=True, credentials=given)
    assert caught.value.param == "providers.google.credentials"
    assert "from_service_account_file" in caught.value.message


def test_credentials_without_vertex_ai_are_refused() -> None:
    """With GOOGLE_API_KEY set, the call went to the Gemini API on the key, the credentials
    dropped without a word; a project or location is refused so too."""
    with pytest.raises(limner.InvalidRequestError) as caught:
        GoogleProvider().load_settings({"credentials": FakeCredentials()}, {"GOOGLE_API_KEY": "k"})
    assert caught.value.param == "providers.google.credentials"
    assert "set vertexai=True" in caught.value.message
