# SPDX-License-Identifier: EUPL-1.2
"""Stream JSON lines through the anonymiser: only each object's ``text`` changes.

One line out for every line in (a blank line stays blank), keys keep their order, every other field is written
back as it was read, and the output uses ``json.dumps(ensure_ascii=False)``. Objects without a ``text`` field pass
through unchanged. A line that is not a JSON object, or whose ``text`` is not a string, stops the stream with a
:class:`ScrubInputError` naming the line number, never its content.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import TextIO

from connectors.anonymiser import Anonymiser, Scrubber
from governance.errors import InvalidInputError

__all__ = ["ScrubInputError", "scrub_jsonl"]


class ScrubInputError(InvalidInputError):
    """A JSONL line that cannot be scrubbed. The message names the line, never the content."""

    code = "scrub-bad-line"

    def __init__(self, line_number: int, reason: str) -> None:
        super().__init__(f"line {line_number}: {reason}")
        self.line_number = line_number


def scrub_jsonl(infile: Iterable[str] | TextIO, outfile: TextIO, anonymiser: Scrubber | None = None) -> Counter[str]:
    """Anonymise the ``text`` of every JSON object in ``infile`` into ``outfile``; counts per placeholder type."""
    scrubber = anonymiser or Anonymiser()
    counts: Counter[str] = Counter()
    for number, line in enumerate(infile, start=1):
        stripped = line.strip()
        if not stripped:
            outfile.write("\n")
            continue
        try:
            obj = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise ScrubInputError(number, f"not valid JSON (column {exc.colno})") from None
        except RecursionError:
            raise ScrubInputError(number, "JSON nested too deeply") from None
        if not isinstance(obj, dict):
            raise ScrubInputError(number, f"expected a JSON object, got {type(obj).__name__}")
        if "text" in obj:
            text = obj["text"]
            if not isinstance(text, str):
                raise ScrubInputError(number, f"field 'text' must be a string, got {type(text).__name__}")
            result = scrubber.scrub(text)
            obj["text"] = result.text
            counts.update(result.counts)
        outfile.write(json.dumps(obj, ensure_ascii=False) + "\n")
    return counts
