# SPDX-License-Identifier: EUPL-1.2
"""Line numbers of the values inside a JSON text, by JSON pointer, so a validation issue can name its line.

A small scanner over already-valid JSON (``json.loads`` succeeded first); it records where each value starts.
"""

from __future__ import annotations

import json

__all__ = ["value_lines"]

_WS = " \t\n\r"
_decoder = json.JSONDecoder()


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def value_lines(text: str, first_line: int = 1) -> dict[str, int]:
    """Map each JSON pointer in ``text`` to the line (counting from ``first_line``) where its value starts."""
    lines: dict[str, int] = {}
    newline_offsets = [i for i, ch in enumerate(text) if ch == "\n"]

    def line_of(pos: int) -> int:
        # binary search: how many newlines precede pos
        lo, hi = 0, len(newline_offsets)
        while lo < hi:
            mid = (lo + hi) // 2
            if newline_offsets[mid] < pos:
                lo = mid + 1
            else:
                hi = mid
        return first_line + lo

    def skip(pos: int) -> int:
        while pos < len(text) and text[pos] in _WS:
            pos += 1
        return pos

    def value(pos: int, pointer: str) -> int:
        pos = skip(pos)
        lines[pointer] = line_of(pos)
        ch = text[pos]
        if ch == "{":
            pos = skip(pos + 1)
            if text[pos] == "}":
                return pos + 1
            while True:
                key, pos = _decoder.raw_decode(text, skip(pos))
                pos = skip(pos) + 1  # the colon
                pos = skip(value(pos, f"{pointer}/{_escape(key)}"))
                if text[pos] == "}":
                    return pos + 1
                pos += 1  # the comma
        if ch == "[":
            pos = skip(pos + 1)
            if text[pos] == "]":
                return pos + 1
            index = 0
            while True:
                pos = skip(value(pos, f"{pointer}/{index}"))
                index += 1
                if text[pos] == "]":
                    return pos + 1
                pos += 1
        _, end = _decoder.raw_decode(text, pos)
        return int(end)

    value(0, "")
    return lines
