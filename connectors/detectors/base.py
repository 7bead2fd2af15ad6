# SPDX-License-Identifier: EUPL-1.2
"""What every detector shares: the :class:`Span` it reports, the :class:`Detector` protocol and digit-run helpers.

A detector looks at the raw text and reports where personal data of its kind sits; it never changes the text.
The anonymiser resolves overlaps between detectors and substitutes the placeholders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

__all__ = ["Detector", "DigitGroup", "Span", "digit_runs"]


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch ``text[start:end]`` holding personal data of type ``label`` (a placeholder name such as ``NAAM``).

    ``priority`` breaks ties between overlapping spans of equal length (higher wins).
    """

    start: int
    end: int
    label: str
    priority: int = 0

    def __len__(self) -> int:
        return self.end - self.start


@runtime_checkable
class Detector(Protocol):
    """One kind of personal data. ``placeholder`` is the label it reports most (some report two, e.g. address)."""

    name: str
    placeholder: str

    def find(self, text: str) -> list[Span]:
        """Every span of this kind in ``text``, possibly overlapping each other."""
        ...


@dataclass(frozen=True, slots=True)
class DigitGroup:
    """A maximal run of digits at ``text[start:end]``."""

    start: int
    end: int
    digits: str


# A run of digit groups joined by the separators people type inside numbers: one space, a dash, dot, slash or
# parentheses (optionally padded with one space). The look-behind keeps us out of words and longer codes
# (an IBAN's tail, "A12", "N201").
_RUN = re.compile(
    r"(?<![\w@#€$/])[+(]?\d(?:\d|[ \t]?[-./][ \t]?(?=\(?\d)|[ \t](?=\(?\d)|[ \t]?\((?=\d)|\)[ \t]?(?=\d))*\)?"
)
_GROUP = re.compile(r"\d+")


_last_runs: tuple[str, list[tuple[int, int, list[DigitGroup]]]] = ("", [])


def digit_runs(text: str) -> list[tuple[int, int, list[DigitGroup]]]:
    """Runs of separated digit groups: ``(run_start, run_end, groups)``; ``run_start`` includes a leading ``+``/``(``.

    The last answer is kept, since the BSN and phone detectors ask for the same text one after the other.
    """
    global _last_runs
    cached = _last_runs  # one read: another thread may replace the pair at any time
    if cached[0] is text:
        return cached[1]
    runs: list[tuple[int, int, list[DigitGroup]]] = []
    for m in _RUN.finditer(text):
        base = m.start()
        groups = [DigitGroup(base + g.start(), base + g.end(), g.group()) for g in _GROUP.finditer(m.group())]
        runs.append((base, m.end(), groups))
    _last_runs = (text, runs)
    return runs
