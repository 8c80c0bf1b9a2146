"""Build ``data/chat_answers.json`` for the chat tests from pydantic-ai's real Gemini recordings.

    .venv/bin/python -m tests.plugins.google.build_chat_data [PATH_TO_SHARED]

Every answer keeps the recorded text, ``finishReason``, ``usageMetadata``, ``responseId`` and
``createTime`` verbatim. Image bytes become an 8x8 image of the recorded format (a distinct colour
per answer, so a test can tell which image went back), and each ``thoughtSignature`` (about 1 MB)
is cut to its first 2048 characters (still the real blob's prefix; limner treats it as opaque).

No multi-turn Gemini 3 recording exists, so the second and third answers of the three-turn edit
are ADAPTED from the first real one: the same usage and structure, with the texts saying what was
changed, signatures taken from later slices of the same real blobs, and (second answer) an interim
``thought: true`` image as Gemini 3 Pro Image emits while thinking.
"""

from __future__ import annotations

import base64
import io
import json
import sys
from pathlib import Path
from typing import Any

import yaml
from PIL import Image

from ..cassettes import shared_folder

HERE = Path(__file__).resolve().parent
SHARED = shared_folder(sys.argv)  # missing: it stops, saying where it looked and what to pass
SOURCE = (
    "pydantic/pydantic-ai @ 4fda38988f2939fa6ea9cdefcf120693e10ef491 "
    "tests/models/cassettes/test_google/"
)
SIG = 2048


def recorded(name: str, index: int = 0) -> dict[str, Any]:
    path = SHARED / "real-cassettes" / "google" / f"pydantic-ai__{name}.yaml"
    document = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
    body: dict[str, Any] = document["interactions"][index]["response"]["parsed_body"]
    return body


def tiny(mime: str, color: tuple[int, int, int]) -> str:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(out, format="JPEG" if mime == "image/jpeg" else "PNG")
    return base64.b64encode(out.getvalue()).decode()


def shrink(body: dict[str, Any], color: tuple[int, int, int], slice_at: int = 0) -> dict[str, Any]:
    body = json.loads(json.dumps(body))
    for candidate in body.get("candidates", []):
        for part in candidate["content"]["parts"]:
            if "inlineData" in part:
                part["inlineData"]["data"] = tiny(part["inlineData"]["mimeType"], color)
            if "thoughtSignature" in part:
                part["thoughtSignature"] = part["thoughtSignature"][slice_at : slice_at + SIG]
    return body


def adapted(first: dict[str, Any], text: str, color: tuple[int, int, int], at: int) -> Any:
    body = shrink(first, color, slice_at=at)
    parts = body["candidates"][0]["content"]["parts"]
    parts[0]["text"] = text
    body["responseId"] = f"adapted-{at}"
    return body


def main() -> None:
    pro = recorded("test_google_image_generation_with_text")
    turn2 = adapted(pro, "I gave Archie a tiny red hat.", (40, 200, 40), SIG)
    thought_sig = pro["candidates"][0]["content"]["parts"][1]["thoughtSignature"]
    thought = [
        {"text": "**Adding the hat**\n\nPlacing a red hat on the axolotl.", "thought": True},
        {
            "inlineData": {"mimeType": "image/png", "data": tiny("image/png", (120, 120, 120))},
            "thought": True,
            "thoughtSignature": thought_sig[3 * SIG : 4 * SIG],
        },
    ]
    turn2["candidates"][0]["content"]["parts"][:0] = thought
    answers = {
        "provenance": {
            "source": SOURCE,
            "built_by": "tests/plugins/google/build_chat_data.py",
            "note": (__doc__ or "").strip().split("\n\n", 2)[2],
        },
        "pro_with_text": shrink(pro, (200, 40, 40)),
        "pro_turn2_adapted": turn2,
        "pro_turn3_adapted": adapted(pro, "Now the hat is blue.", (40, 40, 200), 2 * SIG),
        "flash_text_only": recorded("test_google_image_or_text_output", 0),
        "flash_text_and_image": shrink(
            recorded("test_google_image_or_text_output", 1), (200, 200, 40)
        ),
        "vertex_image_only": shrink(
            recorded("test_google_vertexai_image_generation_with_output_format"), (40, 200, 200)
        ),
    }
    target = HERE / "data" / "chat_answers.json"
    target.write_text(json.dumps(answers, indent=1) + "\n")
    print(f"wrote {target} ({target.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
