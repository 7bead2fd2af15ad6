# SPDX-License-Identifier: EUPL-1.2
"""The records inside a JSON export file, each with the line it starts on.

API exports come as a bare list, or as a page envelope around one (``{"results": [...]}``,
``{"_embedded": {"signals": [...]}}``, ...). :func:`json_items` finds the list among the envelopes a reader
names and yields each element with its line, so an issue can point at the record in the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from connectors.readers import ReadIssue
from governance.jsonpos import value_lines

__all__ = ["dig", "json_items", "json_lines", "scalar"]


def json_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]] | ReadIssue]:
    """Each non-empty line of a JSON Lines file as (line number, object), or an issue naming the line."""
    with path.open(encoding="utf-8-sig") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                data = json.loads(raw.rstrip("\r\n"))
            except json.JSONDecodeError as exc:
                yield ReadIssue(path.name, number, f"not valid JSON ({exc.msg} at column {exc.colno})")
                continue
            if not isinstance(data, dict):
                yield ReadIssue(path.name, number, "not a JSON object")
                continue
            yield number, data


def dig(data: Any, *keys: str) -> Any:
    """``data[k1][k2]…``, or None as soon as a level is missing or not an object."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def scalar(value: Any) -> str | None:
    """A JSON string or number as stripped text; None for null, empty, booleans, objects and lists."""
    if value is None or isinstance(value, dict | list | bool):
        return None
    text = str(value).strip()
    return text or None


def _pointer(keys: Sequence[str]) -> str:
    return "".join("/" + k.replace("~", "~0").replace("/", "~1") for k in keys)


def json_items(
    path: Path, envelopes: Sequence[Sequence[str]], *, single: str | None = None
) -> Iterator[tuple[int, Any] | ReadIssue]:
    """Each element of the export's list with its line number.

    ``envelopes``: key paths under which the list may sit (``()`` is a bare list). ``single``: a key that marks a
    top-level object as one record on its own. A file that is not valid JSON, or holds no such list, is one issue.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        yield ReadIssue(path.name, 1, "not readable as UTF-8")
        return
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        yield ReadIssue(path.name, exc.lineno, f"not valid JSON ({exc.msg} at column {exc.colno}); file skipped")
        return
    if single and isinstance(document, dict) and single in document:
        yield value_lines(text).get("", 1), document
        return
    for keys in envelopes:
        found = dig(document, *keys) if keys else document
        if isinstance(found, list):
            lines = value_lines(text)
            base = _pointer(keys)
            for index, item in enumerate(found):
                yield lines.get(f"{base}/{index}", 1), item
            return
    shapes = ", ".join("a list" if not keys else "{" + ".".join(keys) + ": [...]}" for keys in envelopes)
    yield ReadIssue(path.name, 1, f"holds no list of records (expected {shapes}); file skipped")
