# SPDX-License-Identifier: EUPL-1.2
"""JSON Lines that are already signals in the standard's shape (``jsonl`` without a mapping).

Such a file comes from an agency's own tooling, so its text is not trusted to be clean: it is scrubbed again by
the injected anonymiser before the signal is passed on, and ``privacy`` then names that anonymiser, with the
placeholder counts of both passes added up. Everything else is carried as it is; ``published_at`` is set when
missing. Each line is checked against the standard afterwards (by :func:`connectors.readers.iter_read`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from connectors.json_export import json_lines
from connectors.readers import ReadIssue, ReadResult
from connectors.records import Anonymiser, RecordError, privacy_block, scrub_text

__all__ = ["read_standard"]


def read_standard(path: Path, anonymiser: Anonymiser, *, now: datetime) -> Iterator[ReadResult | ReadIssue]:
    """Each line of a standard-shaped JSON Lines file, re-scrubbed; an issue for each unusable line."""
    for line in json_lines(path):
        if isinstance(line, ReadIssue):
            yield line
            continue
        number, document = line
        original = document.get("text")
        if not isinstance(original, str):
            yield ReadIssue(path.name, number, "text is missing or not a string")
            continue
        try:
            text, counts = scrub_text(original, anonymiser)
        except RecordError as exc:
            yield ReadIssue(path.name, number, exc.message)
            continue
        previous = document.get("privacy")
        earlier = previous.get("placeholders") if isinstance(previous, dict) else None
        if isinstance(earlier, dict):
            for key, value in earlier.items():
                if isinstance(value, int) and value > 0:
                    counts[str(key)] = counts.get(str(key), 0) + value
        signal = {**document, "text": text, "privacy": privacy_block(anonymiser, counts)}
        signal.setdefault("published_at", now.astimezone(UTC).isoformat(timespec="seconds"))
        yield ReadResult(path.name, number, original, signal)
