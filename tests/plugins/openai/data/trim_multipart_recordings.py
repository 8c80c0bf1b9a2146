"""Make the trimmed copies of the two large dd-trace-py multipart recordings (run once).

    python trim_multipart_recordings.py ../../../../../shared/real-cassettes/openai

Each file part of the recorded multipart request keeps its headers and its first 64 bytes (the
PNG signature and IHDR chunk); text parts, boundary and headers are unchanged. The gzip response
body is stored decompressed. Everything else is copied as is. See SOURCE.md.
"""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

import yaml

KEEP = 64
NAMES = (
    "dd-trace-py__image_create_edit_url__multipart_image_mask.yaml",
    "dd-trace-py__image_create_variation_url__multipart.yaml",
)


def trim_multipart(body: bytes, boundary: bytes) -> bytes:
    delimiter = b"--" + boundary
    pieces = body.split(delimiter)
    out = []
    for piece in pieces:
        head, sep, payload = piece.partition(b"\r\n\r\n")
        if sep and b"filename=" in head:
            data = payload[: -len(b"\r\n")] if payload.endswith(b"\r\n") else payload
            piece = head + sep + data[:KEEP] + b"\r\n"
        out.append(piece)
    return delimiter.join(out)


def main(source: Path) -> None:
    here = Path(__file__).resolve().parent
    for name in NAMES:
        cassette = yaml.safe_load((source / name).read_text())
        for interaction in cassette["interactions"]:
            request, response = interaction["request"], interaction["response"]
            content_type = request["headers"]["Content-Type"][0]
            match = re.search(r"boundary=(\S+)", content_type)
            assert match is not None
            request["body"] = trim_multipart(request["body"], match.group(1).encode())
            request["headers"]["Content-Length"] = [str(len(request["body"]))]
            raw = response["body"]["string"]
            response["body"]["string"] = gzip.decompress(raw).decode()
            del response["headers"]["Content-Encoding"]
        target = here / name.replace(".yaml", ".trimmed.yaml")
        target.write_text(yaml.safe_dump(cassette, sort_keys=False))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
