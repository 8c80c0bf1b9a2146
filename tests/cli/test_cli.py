"""The ``limner`` command, run in-process, against the installed OpenAI plugin and a loopback
server standing in for the API."""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

import limner
from limner.cli.main import main
from limner.cli.render import dollars

from .support import FakeOpenAI, fill_disk, outpaint_dry_run, png, run


def test_models_table_lists_every_openai_model(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "models")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split() == ["MODEL", "STATUS", "OPERATIONS", "SIZES", "N/CALL", "PRICE/IMAGE"]
    ids = {line.split()[0] for line in lines[1:]}
    assert {"openai/gpt-image-1.5", "openai/dall-e-3", "openai/dall-e-2"} <= ids
    price = {line.split()[0]: line.split()[-1] for line in lines[1:]}
    # generation's price: Stability's edit services (remove-background, $0.02) cost otherwise
    assert price["stabilityai/sd3.5-flash"] == "$0.025"
    assert price["stabilityai/sd3.5-medium"] == "$0.035"
    assert price["openai/dall-e-3"] == "$0.04-0.12"
    rows = {line.split()[0]: line for line in lines[1:]}
    assert "  auto, 3 sizes  " in rows["openai/gpt-image-1"]  # the list is limner models MODEL's
    assert "  3 sizes  " in rows["openai/dall-e-3"]
    assert "  480-3840px /16  " in rows["openai/gpt-image-2"]


def test_version_lists_the_core_and_each_installed_plugin(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import importlib.metadata

    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    lines = capsys.readouterr().out.splitlines()
    expected = {
        name: importlib.metadata.version(name)
        for name in ("limner-core", "limner-openai", "limner-google", "limner-stability")
    }
    assert lines[0] == f"limner-core {expected['limner-core']}"
    assert {f"{name} {version}" for name, version in expected.items()} <= set(lines)
    assert limner.__version__ == expected["limner-core"]
    assert "__version__" in dir(limner)


def test_models_json_uses_full_ids(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "models", "--json")
    assert status == 0
    models = json.loads(out)
    assert all(model["id"] == f"{model['provider']}/{model['name']}" for model in models)
    assert {"openai/gpt-image-1.5", "openai/dall-e-3"} <= {model["id"] for model in models}
    dalle3 = next(model for model in models if model["id"] == "openai/dall-e-3")
    assert dalle3["capabilities"]["max_images_per_call"] == 1


def test_model_details_show_every_key_of_a_price_row(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "models", "amazon/amazon.nova-canvas-v1:0")
    assert status == 0
    assert "    standard up to 1024x1024: $0.04" in out.splitlines()
    assert "    premium up to 2048x2048: $0.08" in out.splitlines()
    status, out, _ = run(capsys, "models", "stabilityai/sd3.5-large")
    assert status == 0
    assert "    edit remove-background: $0.05" in out.splitlines()
    status, out, _ = run(capsys, "models", "openai/gpt-image-1")  # rows matched in order
    lines = out.splitlines()
    assert "    low 1024x1024: $0.011" in lines
    assert "    low up to 1024x1536: $0.016" in lines
    assert "    auto auto: $0.25" in lines
    status, out, _ = run(capsys, "models", "google/gemini-3-pro-image")  # a size alone
    assert "    4K: $0.24" in out.splitlines()
    assert "    other sizes: $0.134" in out.splitlines()
    status, out, _ = run(capsys, "models", "google/gemini-2.5-flash-image")  # one for all
    assert "    any: $0.039" in out.splitlines()


def test_price_rows_matched_in_order_name_their_fall_backs() -> None:
    """A row leaving out a key that earlier rows name is a fall-back for the other values."""
    import datetime as dt
    from decimal import Decimal

    from limner.cli.render import _price_lines

    def row(usd: str, **keys: str) -> limner.ImagePrice:
        return limner.ImagePrice(usd=Decimal(usd), **keys)

    sheet = limner.PriceSheet(
        source="https://prices.example",
        as_of=dt.date(2026, 1, 1),
        per_image=(
            row("0.01", quality="low", size="1024x1024"),
            row("0.02", quality="low"),
            row("0.03", size="1024x1024"),
            row("0.04"),
        ),
    )
    assert _price_lines(sheet)[1:] == [
        "    low 1024x1024: $0.01",
        "    low, other sizes: $0.02",
        "    1024x1024, other qualities: $0.03",
        "    other qualities and sizes: $0.04",
    ]


def test_model_details_json_has_schemas_prices_and_lifecycle(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "models", "dall-e-2", "--json")
    assert status == 0
    model = json.loads(out)
    assert model["id"] == "openai/dall-e-2"
    assert set(model["request_schemas"]) == {"generate", "edit", "variation"}
    assert model["request_schemas"]["generate"]["properties"]["prompt"]["maxLength"] == 1000
    assert model["pricing"]["per_image"]
    assert model["lifecycle"]["status"]


def test_model_details_text(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "models", "openai/gpt-image-1.5")
    assert status == 0
    assert out.startswith("openai/gpt-image-1.5")
    assert "lifecycle:" in out and "per 1M tokens" in out and "generate request schema" in out
    assert "  rule: with output_format jpeg, background is opaque or auto (JPEG has no " in out
    assert "  quality_map: standard=medium, hd=high" in out.splitlines()
    status, out, _ = run(capsys, "models", "stabilityai/sd3.5-large")  # no qualities: no map
    assert "quality_map" not in out.split("request schema")[0]
    status, out, _ = run(capsys, "models", "amazon/amazon.nova-canvas-v1:0")
    lines = out.splitlines()
    assert "  for edit: styles none" in lines and "  for variation: styles none" in lines
    status, out, _ = run(capsys, "models", "google/gemini-2.5-flash-image")
    lines = out.splitlines()
    assert "  on gemini: output_formats none; output_compression False" in lines
    assert "  on vertex: max_input_images 3" in lines


def test_model_details_list_the_providers_options(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "models", "amazon/amazon.nova-canvas-v1:0")
    assert status == 0
    section = out[
        out.index("provider_options (amazon or nova_canvas):") : out.index("request schema")
    ]
    lines = section.splitlines()
    assert "  cfg_scale: number 1.1 to 10.0; prompt adherence (cfgScale, default 6.5)" in lines
    assert (
        "  outpainting_mode: one of DEFAULT, PRECISE; outpaint: DEFAULT or PRECISE "
        + ("(outPaintingMode)")
        in lines
    )
    assert any(line.startswith("  colors: list of string; ") for line in lines)
    assert any(line.startswith("  condition_image: string; ") for line in lines)
    status, out, _ = run(capsys, "models", "google/imagen-4.0-generate-001")
    assert "  base_steps: integer 1 to 75; Imagen edits" in out
    assert "  response_modalities: list of TEXT, IMAGE; " in out


def test_dry_run_json_is_one_object_with_every_call(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys,
        "generate",
        "a fox",
        "-m",
        "openai/dall-e-3",
        "-n",
        "3",
        "--size",
        "1024x1024",
        "--option",
        "style=natural",
        "--dry-run",
        "--json",
    )
    assert status == 0, err
    plan = json.loads(out)
    assert set(plan) == {
        "model",
        "provider",
        "requests",
        "estimated_cost_usd",
        "estimates",
        "adjustments",
        "warnings",
    }
    assert plan["model"] == "openai/dall-e-3" and plan["provider"] == "openai"
    assert len(plan["requests"]) == 3
    first = plan["requests"][0]
    assert first["method"] == "POST"
    assert first["url"] == "https://api.openai.com/v1/images/generations"
    assert first["headers"]["authorization"] == "<redacted>"
    assert all(name == name.lower() for name in first["headers"])
    assert first["json"]["n"] == 1 and first["json"]["style"] == "natural"
    assert plan["estimated_cost_usd"] == pytest.approx(0.12)
    assert (
        plan["estimates"]
        == [  # one per call, with the price sheet row each comes from
            {
                "operation": "generate",
                "images": 1,
                "quality": "standard",
                "size": "1024x1024",
                "edit_mode": None,
                "usd": 0.04,
                "basis": "per_image row (operation=generate, quality=standard, size=1024x1024): "
                "$0.040 per image",
                "row": {
                    "usd": 0.04,
                    "operation": "generate",
                    "edit_mode": None,
                    "quality": "standard",
                    "size": "1024x1024",
                    "max_size": None,
                    "note": None,
                },
                "output_only": False,  # DALL·E bills per image
            }
        ]
        * 3
    )


def test_dry_run_needs_no_key_and_never_shows_one(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-very-secret-value")
    status, out, _ = run(capsys, "generate", "a fox", "-m", "gpt-image-1.5", "--dry-run", "--json")
    assert status == 0
    assert "sk-very-secret-value" not in out
    assert json.loads(out)["requests"][0]["headers"]["authorization"] == "<redacted>"


@pytest.mark.parametrize(
    ("argv", "param"),
    [
        (["-n", "11"], "n"),
        (["-n", "0"], "n"),
        (["--size", "big"], "size"),
        (["--option", "nonsense"], "KEY=VALUE"),
        (["--option", "prompt=a cat"], "PROMPT"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], param: str
) -> None:
    assert param in refused(capsys, argv)


def refused(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """The one-line error of a ``generate`` refused as bad input (exit 2, nothing on stdout)."""
    status, out, err = run(capsys, "generate", "a fox", "-m", "openai/gpt-image-1.5", *argv)
    assert status == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    return err


def test_unknown_model_suggests_close_ids(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "generate", "a fox", "-m", "openai/gpt-image-15", "--dry-run")
    assert status == 2
    assert "openai/gpt-image-1.5" in err


def test_missing_key_exits_2_naming_the_variable(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "generate", "a fox", "-m", "openai/gpt-image-1.5")
    assert status == 2
    # the command reads the environment only: no Python advice
    assert err.strip() == "limner: error: No OpenAI credential: set OPENAI_API_KEY"


@pytest.mark.parametrize("data", ["!!!", "%%%not base64%%%"])
def test_an_answer_that_is_not_an_image_writes_nothing(
    capsys: pytest.CaptureFixture[str], fake_openai: FakeOpenAI, tmp_path: Path, data: str
) -> None:
    """It had saved a 0-byte .png and exited 0, or crashed with a traceback."""
    fake_openai.body["data"] = [{"b64_json": data}]
    status, out, err = run(
        capsys, "generate", "a fox", "-m", "openai/gpt-image-1", "-o", str(tmp_path / "o")
    )
    assert (status, out) == (1, "")
    assert err.startswith("limner: ProviderError: openai/gpt-image-1 answered image data that")
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_generate_saves_files_and_prints_cost(
    capsys: pytest.CaptureFixture[str], fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    status, out, err = run(
        capsys,
        "generate",
        "a fox",
        "-m",
        "openai/gpt-image-1",
        "--quality",
        "high",
        "-o",
        str(tmp_path / "fox.png"),
    )
    assert status == 0, err
    saved = tmp_path / "fox.png"
    assert out.splitlines()[0] == str(saved)
    assert saved.read_bytes() == png()
    # 36 text tokens at $5/M + 4160 image tokens at $40/M
    assert "cost: $0.16658 (openai/gpt-image-1)" in out  # exact, as the estimate is
    path, headers, body = fake_openai.requests[0]
    assert path == "/v1/images/generations"
    assert headers["authorization"] == "Bearer sk-cli-test-secret"
    assert json.loads(body)["quality"] == "high"


@pytest.mark.parametrize(
    ("status", "error", "line"),
    [
        (
            400,
            {"message": "Invalid size", "type": "invalid_request_error", "param": "size"},
            "limner: InvalidRequestError [openai HTTP 400]: OpenAI: Invalid size",
        ),
        (
            404,
            {"message": "The model does not exist", "type": "invalid_request_error"},
            "limner: NotFoundError [openai HTTP 404]: OpenAI: The model does not exist",
        ),
    ],
)
def test_a_provider_refusal_exits_1_saying_the_provider_answered(
    capsys: pytest.CaptureFixture[str],
    fake_openai: FakeOpenAI,
    status: int,
    error: dict[str, Any],
    line: str,
) -> None:
    """Exit status 2 promises that nothing was sent; the provider's own 400 or 404 is 1."""
    fake_openai.status = status
    fake_openai.body = {"error": error}
    code, out, err = run(capsys, "generate", "a fox", "-m", "openai/gpt-image-1.5")
    assert (code, out) == (1, "")
    assert err.startswith(line)
    assert len(fake_openai.requests) == 1


def test_a_link_that_cannot_be_downloaded_is_printed_and_exits_1(
    capsys: pytest.CaptureFixture[str],
    fake_openai: FakeOpenAI,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The command asks for bytes to save them: a link it could not fetch (here plain http,
    which limner refuses to download) is no success, though it is printed to fetch by hand."""
    monkeypatch.chdir(tmp_path)
    link = "http://images.example/fox.png"
    fake_openai.body = {"created": 1700000000, "data": [{"url": link}]}
    status, out, err = run(capsys, "generate", "a fox", "-m", "openai/dall-e-2")
    assert status == 1
    assert out.splitlines()[0] == link
    assert "limner: 1 image(s) not saved: download them from the link(s) printed" in err
    assert list(tmp_path.iterdir()) == []


def test_url_answers_are_printed_not_saved(
    capsys: pytest.CaptureFixture[str],
    fake_openai: FakeOpenAI,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # where limner-<created>.png would be written
    link = "https://images.example/fox.png"
    fake_openai.body = {"created": 1700000000, "data": [{"url": link}]}
    args = ["a fox", "-m", "openai/dall-e-2", "--option", "response_format=url"]
    status, out, err = run(capsys, "generate", *args)
    assert status == 0, err
    assert out.splitlines()[0] == link
    assert list(tmp_path.iterdir()) == []
    status, out, err = run(capsys, "generate", *args, "--json")
    assert status == 0, err
    summary = json.loads(out)
    assert (summary["files"], summary["urls"]) == ([], [link])
    # -o would save nothing: refused before the call, whether or not the file exists
    for existing in (False, True):
        target = tmp_path / "fox.png"
        if existing:
            target.write_bytes(b"mine")
        status, out, err = run(capsys, "generate", *args, "-o", str(target))
        assert (status, out) == (2, "")
        assert "-o saves image bytes" in err
    assert len(fake_openai.requests) == 2


def test_provider_failure_exits_1(
    capsys: pytest.CaptureFixture[str], fake_openai: FakeOpenAI
) -> None:
    fake_openai.status = 401
    fake_openai.body = {
        "error": {
            "message": "Incorrect API key provided",
            "type": "invalid_request_error",
            "param": None,
            "code": "invalid_api_key",
        }
    }
    status, out, err = run(capsys, "generate", "a fox", "-m", "openai/gpt-image-1.5")
    assert status == 1
    assert out == ""
    # the command reads the environment only: the Python spelling of the setting stays out
    assert err.strip() == (
        "limner: AuthenticationError [openai HTTP 401]: OpenAI: Incorrect API key provided — "
        "check OPENAI_API_KEY"
    )
    assert len(fake_openai.requests) == 1


def test_a_rate_limit_says_how_long_the_provider_asks_to_wait(
    capsys: pytest.CaptureFixture[str], fake_openai: FakeOpenAI
) -> None:
    """A wait over the 60 s limner waits between retries is not waited: the line says it."""
    fake_openai.status = 429
    fake_openai.headers = {"retry-after": "120"}
    fake_openai.body = {"error": {"message": "Rate limit reached", "type": "requests"}}
    status, out, err = run(capsys, "generate", "a fox", "-m", "openai/gpt-image-1.5")
    assert (status, out) == (1, "")
    assert err.strip().endswith(
        "Rate limit reached — slow down or retry later (the provider asks to wait 120 s "
        "before retrying)"
    )
    assert len(fake_openai.requests) == 1


def test_a_providers_words_reach_the_terminal_without_escape_sequences(
    capsys: pytest.CaptureFixture[str], fake_openai: FakeOpenAI
) -> None:
    """An error body may hold anything: a clear-screen sequence, a planted link, a carriage
    return that hides the line. They are shown as escapes."""
    fake_openai.status = 400
    said = "bad\x1b[2J size\r\x1b]8;;https://evil.example\x07link\x1b]8;;\x07\u202e é\u00a0!"
    fake_openai.body = {"error": {"message": said, "type": "invalid_request_error"}}
    status, out, err = run(capsys, "generate", "a fox", "-m", "openai/gpt-image-1.5")
    assert (status, out) == (1, "")
    assert "\x1b" not in err and "\r" not in err and "\x07" not in err
    assert "bad\\u001b[2J size\\u000d\\u001b]8;;https://evil.example\\u0007link" in err
    assert "\u202e" not in err  # a right-to-left override would reorder the rest of the line
    assert err.rstrip("\n").endswith("\\u202e é\u00a0! — fix the request and retry")


def test_option_objects_merge_with_the_flags(capsys: pytest.CaptureFixture[str]) -> None:
    """``--option image_config={...}`` adds to what --aspect-ratio set instead of replacing it."""
    status, out, err = run(
        capsys,
        "generate",
        "a fox",
        "-m",
        "google/gemini-3-pro-image",
        "--aspect-ratio",
        "16:9",
        "--option",
        'image_config={"image_size": "2K"}',
        "--dry-run",
        "--json",
    )
    assert status == 0, err
    config = json.loads(out)["requests"][0]["json"]["generationConfig"]["imageConfig"]
    assert config == {"aspectRatio": "16:9", "imageSize": "2K"}


def test_provider_options_merge_whatever_the_order(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    plan = outpaint_dry_run(
        capsys,
        tmp_path,
        "--option",
        "stability.up=256",
        "--option",
        'provider_options={"stability": {"down": 128}}',
        "--option",
        'provider_options.stability={"left": 64}',
    )
    form = plan["requests"][0]["form"]
    assert (form["up"], form["down"], form["left"]) == ("256", "128", "64")


@pytest.mark.parametrize(
    ("argv", "key"),
    [
        (
            ["--aspect-ratio", "16:9", "--option", 'image_config={"aspect_ratio": "1:1"}'],
            "image_config.aspect_ratio",
        ),
        (
            [
                "--option",
                "openai.moderation=low",
                "--option",
                'provider_options={"openai": {"moderation": "auto"}}',
            ],
            "provider_options.openai.moderation",
        ),
        (["--size", "1024x1024", "--option", "size=1536x1024"], "size"),
        (["--option", "style=vivid", "--option", "style=natural"], "style"),
        (["--option", 'image_config={"image_size": "1K", "image_size": "2K"}'], "image_size"),
    ],
)
def test_a_key_set_twice_to_different_values_is_refused(
    capsys: pytest.CaptureFixture[str], argv: list[str], key: str
) -> None:
    err = refused(capsys, argv)
    assert key in err and "twice" in err


def test_the_same_value_twice_is_fine(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys,
        "generate",
        "a fox",
        "-m",
        "openai/dall-e-3",
        "--size",
        "1024x1024",
        "--option",
        "size=1024x1024",
        "--dry-run",
        "--json",
    )
    assert status == 0, err
    assert json.loads(out)["requests"][0]["json"]["size"] == "1024x1024"


@pytest.mark.parametrize(
    ("output", "extra", "existing"),
    [
        ("fox.png", [], ["fox.png"]),
        ("out/", ["-n", "2"], ["out/image-2.png"]),
        ("fox.png", ["-n", "2"], ["fox-1.png"]),
    ],
)
def test_existing_output_is_refused_before_the_call(
    capsys: pytest.CaptureFixture[str],
    fake_openai: FakeOpenAI,
    tmp_path: Path,
    output: str,
    extra: list[str],
    existing: list[str],
) -> None:
    for name in existing:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"old")
    target = str(tmp_path / output) + ("/" if output.endswith("/") else "")
    status, out, err = run(
        capsys, "generate", "a fox", "-m", "openai/gpt-image-1", "-o", target, *extra
    )
    assert status == 2
    assert out == ""
    assert fake_openai.requests == []  # nothing paid for
    assert "refusing to overwrite" in err and str(tmp_path / existing[0]) in err
    # a dry run of the same command says so too: it shows what the real run would do
    dry = run(
        capsys, "generate", "a fox", "-m", "openai/gpt-image-1", "-o", target, *extra, "--dry-run"
    )
    assert dry[0] == 2 and "refusing to overwrite" in dry[2]
    assert "-o/--output" in err
    assert all((tmp_path / name).read_bytes() == b"old" for name in existing)


def test_unforeseen_name_clash_keeps_the_paid_images(
    capsys: pytest.CaptureFixture[str], fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    """The provider answers two images for one asked: the first takes the name asked for, and
    the second's, fox-2.png, exists: it is saved beside it under a fresh name, and the old file
    is kept. Not every image is where asked: a script must notice (exit 1)."""
    fake_openai.body["data"] = [{"b64_json": base64.b64encode(png()).decode()}] * 2
    (tmp_path / "fox-2.png").write_bytes(b"old")
    status, out, err = run(
        capsys, "generate", "a fox", "-m", "openai/gpt-image-1", "-o", str(tmp_path / "fox.png")
    )
    assert status == 1, err
    assert len(fake_openai.requests) == 1
    fresh = tmp_path / "fox-2.1700000000.png"
    assert out.splitlines()[:2] == [str(tmp_path / "fox.png"), str(fresh)]
    assert fresh.read_bytes() == png() and (tmp_path / "fox.png").read_bytes() == png()
    assert (tmp_path / "fox-2.png").read_bytes() == b"old"
    assert f"saved this image as {fresh}" in err


def test_with_json_an_error_is_the_openai_error_body(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "generate", "a fox", "-m", "nope/x", "--dry-run", "--json")
    assert (status, out) == (2, "")
    assert json.loads(err) == {
        "error": {
            "message": "Unknown model 'nope/x'. limner models lists the models.",
            "type": "not_found_error",
            "param": "model",
            "code": "model_not_found",
        }
    }


def test_a_reader_that_leaves_early_is_not_an_error() -> None:
    """``limner models --json | head -c 1``: the rest of the 100 KB cannot be written."""
    command = [
        sys.executable,
        "-c",
        "import sys; from limner.cli.main import main; sys.exit(main())",
    ]
    with subprocess.Popen(
        [*command, "models", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as child:
        assert child.stdout is not None and child.stderr is not None
        assert child.stdout.read(1) == b"["
        child.stdout.close()
        err = child.stderr.read()
        status = child.wait(timeout=60)
    assert (status, err) == (141, b"")


def test_the_longest_file_name_is_saved(
    capsys: pytest.CaptureFixture[str], fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    """The temporary name beside it must not be longer than the name asked for."""
    target = tmp_path / f"{'a' * 251}.png"  # 255 characters, the usual limit
    status, _, err = run(capsys, "generate", "a fox", "-m", "openai/gpt-image-1", "-o", str(target))
    assert status == 0, err
    assert target.read_bytes() == png()


def test_an_unwritable_current_directory_is_refused_before_the_call(
    capsys: pytest.CaptureFixture[str],
    fake_openai: FakeOpenAI,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Found by making a file there: permission bits say nothing for root (CI's containers),
    nor of a pseudo file system, so /proc stands for a directory no one can write."""
    if not os.path.isdir("/proc/self"):
        pytest.skip("no /proc here")
    monkeypatch.chdir("/proc")
    status, out, err = run(capsys, "generate", "a fox", "-m", "openai/gpt-image-1")
    assert (status, out) == (2, "")
    assert "cannot save images in the current directory" in err
    assert fake_openai.requests == []


def test_the_folder_of_several_images_is_probed_once(
    capsys: pytest.CaptureFixture[str],
    fake_openai: FakeOpenAI,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Probing makes a file (a named one where the system has no unnamed files): one per
    folder, not one per image and format."""
    import tempfile

    made: list[str] = []
    real = tempfile.TemporaryFile

    def counted(*args: Any, **kwargs: Any) -> Any:
        made.append(str(kwargs.get("dir")))
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "TemporaryFile", counted)
    argv = ["generate", "a fox", "-m", "openai/gpt-image-1", "-n", "3", "-o", f"{tmp_path}/out/"]
    status, _, err = run(capsys, *argv, "--dry-run")
    assert status == 0, err
    assert made == [str(tmp_path)]  # out/ does not exist yet: its parent is where files go


def test_an_output_in_an_unwritable_directory_is_refused_before_the_call(
    capsys: pytest.CaptureFixture[str], fake_openai: FakeOpenAI
) -> None:
    if not os.path.isdir("/proc/self"):
        pytest.skip("no /proc here")
    argv = ["generate", "a fox", "-m", "openai/gpt-image-1", "-o", "/proc/limner-none/fox.png"]
    status, out, err = run(capsys, *argv)
    assert (status, out) == (2, "")
    assert "cannot write /proc/limner-none/fox.png: /proc is not a writable directory" in err
    assert fake_openai.requests == []


def test_images_that_cannot_be_saved_where_asked_are_kept_elsewhere(
    capsys: pytest.CaptureFixture[str],
    fake_openai: FakeOpenAI,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Found only after the paid call (here: the disk is full): the images go to a temporary
    directory, said on stderr, and the exit status is 1 so scripts notice."""
    fill_disk(monkeypatch, tmp_path)
    target = tmp_path / "fox.png"
    status, out, err = run(
        capsys, "generate", "a fox", "-m", "openai/gpt-image-1", "-o", str(target)
    )
    assert status == 1
    saved = Path(out.splitlines()[0])
    assert saved.read_bytes() == png() and saved.parent != tmp_path
    assert f"could not save to {target} (No space left on device); saved in {saved.parent}" in err
    assert "cost: $" in out


def test_an_empty_output_path_is_refused(
    capsys: pytest.CaptureFixture[str], fake_openai: FakeOpenAI
) -> None:
    status, out, err = run(capsys, "generate", "a fox", "-m", "openai/gpt-image-1", "-o", "")
    assert (status, out) == (2, "")
    assert "-o/--output needs a path" in err
    assert fake_openai.requests == []


def test_model_details_say_the_lifecycle_in_words(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "models", "openai/dall-e-3")
    assert status == 0
    assert "  lifecycle: shut down on 2026-05-12, replacement openai/gpt-image-2" in out
    status, out, _ = run(capsys, "models", "amazon/amazon.nova-canvas-v1:0")
    assert "  lifecycle: shut down on 2026-09-30 (deprecated on 2026-03-30)" in out


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("0.04", "$0.04"),
        ("0.130", "$0.13"),
        ("0.4", "$0.40"),
        ("0.16658", "$0.16658"),
        ("2", "$2.00"),
        ("1E+1", "$10.00"),
        ("-0", "$0.00"),
        ("0E-10", "$0.00"),
        ("1E-12", "$0.000000000001"),
        ("12345678901234567890123456789.5", "$12345678901234567890123456789.50"),
    ],
)
def test_every_cost_is_printed_exactly_with_at_least_the_cents(amount: str, shown: str) -> None:
    from decimal import Decimal

    assert dollars(Decimal(amount)) == shown


def test_images_are_saved_from_a_model_that_answers_with_links_by_default(
    capsys: pytest.CaptureFixture[str],
    fake_openai: FakeOpenAI,
    tmp_path: Path,
) -> None:
    """dall-e answers with a URL unless asked for b64_json: the CLI asks, since it saves."""
    fake_openai.body = {
        "created": 1700000000,
        "data": [{"b64_json": fake_openai.body["data"][0]["b64_json"]}],
    }
    target = tmp_path / "fox.png"
    status, out, err = run(capsys, "generate", "a fox", "-m", "openai/dall-e-2", "-o", str(target))
    assert status == 0, err
    ((_, _, body),) = fake_openai.requests
    assert json.loads(body)["response_format"] == "b64_json"
    assert out.splitlines()[0] == str(target)
    assert target.read_bytes() == png()


def _sent_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    status, out, err = run(capsys, "generate", "a fox", *argv, "--dry-run", "--json")
    assert status == 0, err
    body: dict[str, Any] = json.loads(out)["requests"][0]["json"]
    return body


def test_an_option_for_a_text_field_stays_text(capsys: pytest.CaptureFixture[str]) -> None:
    """``user=123`` is the user id "123", not a number the request would refuse; other
    options are read as JSON, and ``null`` unsets a text field too."""
    model = ("-m", "openai/gpt-image-1.5")
    assert _sent_json(capsys, *model, "--option", "user=123")["user"] == "123"
    assert _sent_json(capsys, *model, "--option", "n=2")["n"] == 2
    assert "user" not in _sent_json(capsys, *model, "--option", "user=null")
    dall_e_3 = ("-m", "openai/dall-e-3")
    assert _sent_json(capsys, *dall_e_3, "--option", 'style="vivid"')["style"] == "vivid"


def test_the_output_extension_asks_for_its_format(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    model = ("-m", "openai/gpt-image-1.5")
    assert _sent_json(capsys, *model, "-o", str(tmp_path / "fox.jpg"))["output_format"] == "jpeg"
    assert _sent_json(capsys, *model, "-o", str(tmp_path / "fox.WEBP"))["output_format"] == "webp"
    assert "output_format" not in _sent_json(capsys, *model, "-o", str(tmp_path))
    assert "output_format" not in _sent_json(capsys, *model, "-o", str(tmp_path / "fox.img"))
    # dall-e-2 lists no output formats: PNG only
    assert "output_format" not in _sent_json(capsys, "-m", "openai/dall-e-2", "-o", "x.png")


def test_a_png_name_on_a_model_that_takes_no_format_says_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """dall-e answers PNG: the warning would be noise (the save warns if the answer differs)."""
    target = str(tmp_path / "fox.png")
    status, _, err = run(
        capsys, "generate", "a fox", "-m", "openai/dall-e-3", "-o", target, "--dry-run", "--json"
    )
    assert (status, err) == (0, "")


def test_an_output_extension_for_a_model_that_takes_no_format_is_a_warning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """dall-e-3 lists no output formats: the file holds what it answers in, said before the
    call (the dry run too), not refused, since the answer's format is known only then."""
    target = str(tmp_path / "fox.jpg")
    status, out, err = run(
        capsys, "generate", "a fox", "-m", "openai/dall-e-3", "-o", target, "--dry-run", "--json"
    )
    assert status == 0
    assert "output_format" not in json.loads(out)["requests"][0]["json"]
    assert err.strip() == (
        f"warning: -o {target}: openai/dall-e-3 takes no output_format, so the file holds the "
        "format it answers in (a warning follows if that is not jpeg)"
    )


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (
            ("-m", "gpt-image-1.5", "--option", "background=transparent", "-o", "fox.jpg"),
            "-o fox.jpg asks for JPEG, which has no transparency: use a .png or .webp name",
        ),
        (
            ("-m", "openai/gpt-image-1.5", "-o", "fox.jpg", "--option", "output_format=png"),
            "-o fox.jpg names a jpeg file but output_format is 'png'",
        ),
        (  # written as answered: a PNG's bytes in fox.bmp (it was said after the paid call)
            ("-m", "openai/gpt-image-1.5", "-o", "fox.BMP"),
            "-o fox.BMP names a bmp file, but openai/gpt-image-1.5 makes png, jpeg, webp only",
        ),
    ],
)
def test_an_output_extension_the_request_cannot_make_is_refused(
    capsys: pytest.CaptureFixture[str],
    fake_openai: FakeOpenAI,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv: tuple[str, ...],
    said: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    status, out, err = run(capsys, "generate", "a fox", *argv)
    assert (status, out) == (2, "")
    assert said in err
    assert fake_openai.requests == []


def test_an_output_extension_is_checked_against_the_backend_in_use(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Gemini's image models take an output format on Vertex AI only: on the Gemini API,
    -o fox.jpg was checked against Vertex's list and set output_format, which the call then
    dropped, and Gemini answered in its own format."""
    monkeypatch.chdir(tmp_path)
    argv = ("generate", "a fox", "-m", "google/gemini-3.1-flash-image", "--dry-run")
    vertex = {"GOOGLE_GENAI_USE_VERTEXAI": "true", "GOOGLE_CLOUD_PROJECT": "p"}
    for name, value in vertex.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GOOGLE_CLOUD_LOCATION", "global")
    status, out, err = run(capsys, *argv, "-o", "fox.webp")
    assert (status, out) == (2, "")
    assert "-o fox.webp names a webp file, but google/gemini-3.1-flash-image makes png, jpeg" in err
    for name in vertex:
        monkeypatch.delenv(name)
    status, out, err = run(capsys, *argv, "-o", "fox.jpg", "--json")
    assert status == 0, err
    assert err.startswith(
        "warning: -o fox.jpg: google/gemini-3.1-flash-image takes no output_format, so the file "
        "holds the format it answers in"
    )
    assert "output_format" not in out  # not set, so not dropped either


def test_a_saved_file_whose_extension_lies_is_warned_about(
    capsys: pytest.CaptureFixture[str], fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    # asked for JPEG by the name; this answer says (and is) PNG
    target = tmp_path / "fox.jpg"
    status, _, err = run(capsys, "generate", "a fox", "-m", "gpt-image-1.5", "-o", str(target))
    assert status == 0, err
    ((_, _, body),) = fake_openai.requests
    assert json.loads(body)["output_format"] == "jpeg"
    assert f"warning: {target} holds PNG data, not the JPEG its name says" in err


def test_serve_refuses_a_port_out_of_range(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--port", "99999"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "--port: a port is a whole number from 0 to 65535, not '99999'" in err


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux's /proc")
def test_a_file_system_error_is_json_with_json(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys,
        "edit",
        "x",
        "-m",
        "gpt-image-1.5",
        "--image",
        "/proc/self/mem",
        "--dry-run",
        "--json",
    )  # (a file that exists, but whose reading fails)
    assert (status, out) == (2, "")
    body = json.loads(err)
    assert body["error"]["type"] == "invalid_request_error"
    assert "cannot read '/proc/self/mem' (Input/output error)" in body["error"]["message"]


def test_an_option_nested_too_deeply_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    deep = "[" * 100_000 + "]" * 100_000  # (past every Python's parser: 3.12's reads 10,000)
    status, _, err = run(
        capsys, "generate", "x", "-m", "gpt-image-1.5", "--option", f"deep={deep}", "--dry-run"
    )
    assert status == 2
    assert err.strip() == "limner: error: --option deep: the JSON value nests too deeply to read"


def test_a_kept_file_is_named_by_the_image_bytes_when_the_answer_does_not_say(
    tmp_path: Path,
) -> None:
    """JPEG bytes and no output_format: the existing image-1.jpg is kept and the new image is
    saved beside it as a .jpg, not written to image-1.png under a format warning."""
    from limner.cli.output import save

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (1, 2, 3)).save(out, format="JPEG")
    item = limner.ImageData(b64_json=base64.b64encode(out.getvalue()).decode())
    result = limner.ImagesResponse(created=7, data=[item], provider="p", model="p/m")
    (tmp_path / "image-1.jpg").write_bytes(b"keep me")
    paths, said, elsewhere, renamed = save(result, f"{tmp_path}{os.sep}")
    assert [p.name for p in paths] == ["image-1.7.jpg"] and not elsewhere
    assert renamed == paths
    assert said == [
        f"warning: {tmp_path / 'image-1.jpg'} exists and was kept; saved this image as {paths[0]}"
    ]
    assert (tmp_path / "image-1.jpg").read_bytes() == b"keep me"


@pytest.mark.parametrize(
    ("option", "hint"),
    [("opneai.input_fidelity=high", "; did you mean 'openai'?"), ("nothing.like.it=1", "")],
)
def test_an_option_for_no_provider_says_which_one_was_meant(
    capsys: pytest.CaptureFixture[str], option: str, hint: str
) -> None:
    status, _, err = run(
        capsys, "generate", "x", "-m", "openai/gpt-image-1", "--option", option, "--dry-run"
    )
    assert status == 2
    first = err.strip().splitlines()[0]
    assert "use FIELD=VALUE or PROVIDER.OPTION=VALUE" in first
    assert first.endswith(")" + hint)


@pytest.mark.parametrize(
    ("model", "size", "cost"),
    [
        ("openai/dall-e-3", "1792x1024", "estimated cost: $0.08"),
        (
            "openai/gpt-image-2",
            "1024x1024",
            "estimated cost: $0.21072 (the output images; the prompt's and input images' tokens "
            "are billed on top)",
        ),
        # more pixels than gpt-image-2's estimates were measured at (1536x1024): none made up
        ("openai/gpt-image-2", "1792x1024", "estimated cost: unknown"),
    ],
)
def test_a_dry_run_in_text_says_what_its_estimate_covers(
    capsys: pytest.CaptureFixture[str], model: str, size: str, cost: str
) -> None:
    status, out, err = run(capsys, "generate", "a fox", "-m", model, "--size", size, "--dry-run")
    assert status == 0, err
    assert cost in out.splitlines()


def test_a_split_n_with_a_failed_call_saves_the_rest_and_exits_1(
    capsys: pytest.CaptureFixture[str], fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    """dall-e-3 makes one image per call: of two calls one is refused. Its image is billed and
    saved; the status tells a script that fewer images than asked were made."""
    refused = {"error": {"message": "blocked", "type": "x", "code": "content_policy_violation"}}
    fake_openai.script = [(400, refused)]
    fake_openai.body = {"created": 1, "data": [{"b64_json": base64.b64encode(png()).decode()}]}
    target = tmp_path / "fox.png"
    status, out, err = run(
        capsys, "generate", "a fox", "-m", "openai/dall-e-3", "-n", "2", "-o", str(target)
    )
    assert status == 1
    assert len(fake_openai.requests) == 2
    saved = [line for line in out.splitlines() if line.endswith(".png")]
    assert len(saved) == 1 and Path(saved[0]).read_bytes() == png()
    assert "limner: 1 of the 2 image(s) asked for were made; the warnings say why" in err
    notes = [line for line in err.splitlines() if "blocked" in line]  # the refusal, named once
    assert len(notes) == 1 and notes[0].count("failed: ") == 1


def test_fewer_images_than_asked_from_one_call_exit_1_too(
    capsys: pytest.CaptureFixture[str], fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    """One call for n=2 that answers one image (the body has one): saved, and said."""
    status, out, err = run(
        capsys, "generate", "a fox", "-m", "openai/gpt-image-1.5", "-n", "2", "-o",
        str(tmp_path / "fox.png"),
    )  # fmt: skip
    assert status == 1
    assert len(fake_openai.requests) == 1
    assert len([line for line in out.splitlines() if line.endswith(".png")]) == 1
    assert "limner: 1 of the 2 image(s) asked for were made; the warnings say why" in err
    assert "returned 1 of the 2 image(s) asked for, without a reason" in err


def test_an_option_that_looks_like_json_but_does_not_parse_says_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, _, err = run(
        capsys, "generate", "x", "-m", "openai/gpt-image-2", "--dry-run",
        "--option", 'image_config={"image_size":',
    )  # fmt: skip
    assert status == 2
    assert "--option image_config: the value is not valid JSON (Expecting value" in err
    status, out, _ = run(  # a text field keeps it as text
        capsys, "generate", "x", "-m", "openai/gpt-image-2", "--dry-run", "--json",
        "--option", "user={abc",
    )  # fmt: skip
    assert status == 0 and json.loads(out)["requests"][0]["json"]["user"] == "{abc"


def test_output_to_standard_output_is_refused_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "generate", "x", "-m", "openai/gpt-image-2", "-o", "-")
    assert status == 2 and "-o - (standard output) is not supported" in err


def test_a_second_image_in_the_same_second_gets_a_counter(
    capsys: pytest.CaptureFixture[str],
    fake_openai: FakeOpenAI,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "limner-1700000000.png").write_bytes(b"an earlier image")
    status, out, err = run(capsys, "generate", "x", "-m", "openai/gpt-image-2")
    assert status == 0, err  # no name was asked for: another is no shortfall
    assert out.splitlines()[0] == "limner-1700000000-2.png"
    assert (tmp_path / "limner-1700000000.png").read_bytes() == b"an earlier image"
    fake_openai.body["data"] = fake_openai.body["data"] * 2  # then two, in the same second
    status, out, err = run(capsys, "generate", "x", "-m", "openai/gpt-image-2", "-n", "2")
    assert status == 0, err
    # -1 is free; -2 is taken, so the counter goes on (it was limner-1700000000-2.1700000000.png)
    assert out.splitlines()[:2] == ["limner-1700000000-1.png", "limner-1700000000-3.png"]
    (tmp_path / "limner-1700000000-2.png").unlink()  # -1 taken, -2 free: still in order
    status, out, err = run(capsys, "generate", "x", "-m", "openai/gpt-image-2", "-n", "2")
    assert status == 0, err
    assert out.splitlines()[:2] == ["limner-1700000000-4.png", "limner-1700000000-5.png"]
    # the taken name is said; the free one the second image counted on past is not "kept"
    assert "warning: limner-1700000000-1.png exists and was kept" in err
    assert "limner-1700000000-2.png exists" not in err


def test_a_python_warning_is_one_line() -> None:
    """A warning raised with Python's warnings (a plugin name no plugin has) reads as the
    command's other messages do, without Python's file, line number and source line. In a
    process of its own: Python shows a warning once per place."""
    env = {**os.environ, "LIMNER_DISABLE_PLUGINS": "opnai"}
    done = subprocess.run(
        [sys.executable, "-m", "limner.cli.main", "models", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0 and done.stdout
    (line,) = done.stderr.splitlines()
    assert line.startswith("limner: warning: LIMNER_DISABLE_PLUGINS: no installed plugin is called")
    assert "did you mean 'openai'?" in line


def test_with_no_plugin_installed_the_list_and_an_unknown_model_say_so(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """limner-core alone: an empty table, and "Unknown model", with nothing saying why."""
    import importlib.metadata

    import limner.plugins

    real = importlib.metadata.entry_points

    def none_of_limners(**select: Any) -> Any:
        return [] if select.get("group") == "limner" else real(**select)

    monkeypatch.setattr(importlib.metadata, "entry_points", none_of_limners)
    monkeypatch.setattr(limner.plugins, "_DEFAULT", None)  # (built afresh, without plugins)
    status, out, err = run(capsys, "models")
    assert status == 0 and out.splitlines()[0].startswith("MODEL")
    assert err == f"limner: {limner.unknown_model.NO_PLUGINS_HINT}\n"
    status, _, err = run(capsys, "generate", "a fox", "-m", "openai/gpt-image-2", "--dry-run")
    assert status == 2
    assert limner.unknown_model.NO_PLUGINS_HINT in err
    monkeypatch.setattr(importlib.metadata, "entry_points", real)
    unread = limner.plugins.Registry(entry_points=False)  # installed, but not read
    with pytest.raises(limner.NotFoundError) as caught:
        unread.resolve("openai/gpt-image-2")
    assert limner.unknown_model.NO_PLUGINS_HINT not in caught.value.message


def test_python_dash_m_limner_is_the_command() -> None:
    """``python -m limner`` where the console script is not on PATH: same output, same status."""
    listed = subprocess.run(
        [sys.executable, "-m", "limner", "models", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listed.returncode == 0, listed.stderr
    assert "openai/gpt-image-1" in {entry["id"] for entry in json.loads(listed.stdout)}
    refused = subprocess.run(
        [sys.executable, "-m", "limner", "generate", "a fox", "-m", "nope/nothing"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr.startswith("limner: error: ")
