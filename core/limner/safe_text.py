"""Text from outside (a provider's words, a client's header, a file name) made safe to show on
one line: its control characters escaped, so that it cannot start a forged log line, clear a
terminal or plant a link in it, nor reorder what follows it (bidirectional overrides)."""

from __future__ import annotations

__all__ = ["CONTROL_CHARACTERS", "escape_controls", "is_lone_surrogate", "printable"]

CONTROL_CHARACTERS: dict[int, str] = {
    code: f"\\u{code:04x}"
    for code in (
        *range(32),  # C0: line breaks, escape (terminal sequences), ...
        *range(127, 160),  # DEL and C1
        0x2028,  # line and paragraph separators
        0x2029,
        *range(0x202A, 0x202F),  # bidirectional embeddings and overrides
        *range(0x2066, 0x206A),  # bidirectional isolates
    )
}
"""Each control character, as the escape that shows it instead."""


def escape_controls(text: str) -> str:
    """``text`` with every :data:`CONTROL_CHARACTERS` character shown as its escape."""
    return text.translate(CONTROL_CHARACTERS)


def printable(text: str, limit: int = 200) -> str:
    """``text`` for one log line: control characters escaped (a ``\\n`` from a client or a
    provider cannot start a forged line) and at most ``limit`` characters."""
    text = escape_controls(text)
    return text if len(text) <= limit else text[:limit] + "..."


def is_lone_surrogate(char: str) -> bool:
    """Whether ``char`` is half of a UTF-16 pair standing alone, which no encoding writes (a
    file name's undecodable bytes read with ``surrogateescape``, or a string cut mid-emoji)."""
    return "\ud800" <= char <= "\udfff"
