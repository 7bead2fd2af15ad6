# SPDX-License-Identifier: EUPL-1.2
"""Emerging terms: a word nobody used before, suddenly written to several organisations at once.

A new national topic starts small and spread out: after a ban on nitrous oxide, one or two reports a day at each
of a handful of municipalities, each worded its own way ("lachgasflessen", "lege gascilinders", "die roze
flessen"). Sentence embeddings place such texts only loosely together (their median similarity in the scenario is
0.28), so in its first days the topic is split over older look-alike patterns and has no pattern of its own. What
the texts do share, from the first day, is vocabulary that was all but absent before. This module finds it.

Terms are *fragments*: the ``length``-letter pieces of each word (``lachgasflessen`` → ``lachga``, ``achgas``, …,
``lessen``), so Dutch compounds written together, apart or with a typo still share most of them. Per event-time
day ``D``:

1. The signals of the last ``window`` days are the *recent* ones, those of the ``history`` days before them the
   *history*. Nothing is judged before the system has signals on nearly all history days (a warm-up: in a new
   system every word is new).
2. A fragment *emerges* when at least ``min_signals`` recent signals hold it, that is at least ``min_ratio`` times
   what its history predicts (its history count + ½, scaled by the recent over the history volume), and the upper
   tail of that count (:func:`matching.baseline.upper_tail`, slightly over-dispersed) is below ``alpha``.
3. Emerging fragments that mostly share their signals (at least ``overlap`` of the smaller set) are one term; its
   signals are the recent signals holding any of its fragments.
4. A term counts only when it is carried broadly: at least ``min_organisations`` organisations, or one fewer of two
   kinds (a municipality and a national agency), and the signals are not nearly all (``local_share``) at one
   organisation or about one municipality. A festival in one town brings many new words, at one place.

The engine turns each such term into a pattern of its own at once (``matching.engine``) and the detection step
raises a ``cross_org`` alert for it (rule ``nieuwe term``) when the pattern is new. A term that goes on emerging
on the following days adds its new signals to the same pattern (same fragment, or half of the signals shared),
and the weekly re-clustering leaves the pattern as it is for ``hold_days`` after its term last emerged: average
linkage would otherwise spread a loosely worded young topic over the older patterns it resembles.

Measured end to end on the scenario year (``hartslag.demo.scenario``, seeds 7 and 11 at scales 0.5 and 1): both
planted national waves alerted 0-2 days after their onset on every run, with no alert about nothing planted
(docs/benchmarks.md, "Emerging terms").
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from matching.baseline import upper_tail
from matching.detector import Alert, dutch_date, dutch_number
from matching.records import SignalFacts
from matching.scope import Scope, level_of

__all__ = ["EmergingTerms", "Term", "TermFinder", "TermSignal", "fragments", "term_alert"]

_WORD = re.compile(r"[^\W\d_]+")
_NOISE = 0.05  # over-dispersion of a fragment's count: words come in bursts even in ordinary weeks


def fragments(text: str, length: int = 6) -> frozenset[str]:
    """The ``length``-letter pieces of the words of ``text`` (lower case; shorter words are left out)."""
    out: set[str] = set()
    for word in _WORD.findall(text.lower()):
        out.update(word[i : i + length] for i in range(len(word) - length + 1))
    return frozenset(out)


@dataclass(frozen=True)
class TermSignal:
    """One signal as the term finder reads it: its facts, its event-time day and its fragments and words."""

    facts: SignalFacts
    day: date
    fragments: frozenset[str]
    words: frozenset[str]


@dataclass(frozen=True)
class Term:
    """An emerging term on ``day``: its fragments, the recent signals holding them and who carries them."""

    day: date
    fragments: tuple[str, ...]
    words: tuple[tuple[str, int], ...]  # the most common whole words holding a fragment, with their signal counts
    seqs: tuple[int, ...]
    observed: int  # recent signals holding any of its fragments
    expected: float  # recent signals expected to hold its strongest fragment (from the history)
    p_value: float  # of the strongest fragment's count
    ratio: float  # the strongest fragment's recent count over ``expected``
    history_count: int  # history signals holding the strongest fragment
    history_days: int
    scope: Scope
    onset: date

    def overlaps(self, seqs: Iterable[int], fragments: Iterable[str]) -> bool:
        """Whether this term is the same topic as one with these signals or fragments (one shared fragment or
        half of the smaller signal set)."""
        mine = set(self.seqs)
        theirs = set(seqs)
        if set(fragments) & set(self.fragments):
            return True
        return bool(mine and theirs) and len(mine & theirs) * 2 >= min(len(mine), len(theirs))


@dataclass(frozen=True)
class EmergingTerms:
    """Finds emerging, broadly carried terms (see the module docstring for the method)."""

    length: int = 6
    window: int = 3
    history: int = 49
    min_signals: int = 8
    min_ratio: float = 5.0
    alpha: float = 1e-6
    overlap: float = 0.5
    min_organisations: int = 4
    local_share: float = 0.8
    min_word_signals: int = 3  # a whole word is shown only when this many signals, at two organisations, hold it
    hold_days: int = 56  # a term's pattern stays out of re-clustering this long after it last grew

    def signal(self, facts: SignalFacts, day: date, text: str) -> TermSignal:
        """Read one signal for :meth:`find`."""
        words = frozenset(w for w in _WORD.findall(text.lower()) if len(w) >= self.length)
        return TermSignal(facts, day, fragments(text, self.length), words)

    def find(self, signals: Sequence[TermSignal], day: date) -> list[Term]:
        """The broadly carried terms emerging on ``day`` (strongest first), from the signals of the ``window`` +
        ``history`` days up to ``day``."""
        first_recent = day - timedelta(days=self.window - 1)
        first_history = first_recent - timedelta(days=self.history)
        recent = [s for s in signals if first_recent <= s.day <= day]
        past = [s for s in signals if first_history <= s.day < first_recent]
        covered = {s.day for s in past}
        if not recent or len(covered) < 0.9 * self.history:
            return []  # warm-up: too little history to know which words are ordinary
        in_recent: Counter[str] = Counter()
        for s in recent:
            in_recent.update(s.fragments)
        candidates = {f: n for f, n in in_recent.items() if n >= self.min_signals}
        if not candidates:
            return []
        in_past: Counter[str] = Counter()
        for s in past:
            in_past.update(f for f in s.fragments if f in candidates)
        scale = len(recent) / len(past)
        emerging: list[tuple[float, str, float]] = []
        for fragment, n in candidates.items():
            expected = (in_past[fragment] + 0.5) * scale
            if n < self.min_ratio * expected:
                continue
            p_value = float(upper_tail(n, expected, _NOISE))
            if p_value < self.alpha:
                emerging.append((p_value, fragment, expected))  # the count is in_recent[fragment]
        groups: list[tuple[list[tuple[float, str, float]], set[int]]] = []
        for item in sorted(emerging):
            holders = {i for i, s in enumerate(recent) if item[1] in s.fragments}
            for members, held in groups:
                if len(holders & held) >= self.overlap * min(len(holders), len(held)):
                    members.append(item)
                    held |= holders
                    break
            else:
                groups.append(([item], holders))
        terms = [self._term(day, recent, past, members, held) for members, held in groups]
        return [t for t in terms if t is not None]

    def _term(
        self,
        day: date,
        recent: Sequence[TermSignal],
        past: Sequence[TermSignal],
        members: list[tuple[float, str, float]],
        held: set[int],
    ) -> Term | None:
        chosen = [recent[i] for i in sorted(held)]
        scope = self._scope(chosen)
        organisations, kinds = len(scope.organisations), len(scope.kinds)
        broad = organisations >= self.min_organisations or (organisations >= self.min_organisations - 1 and kinds >= 2)
        if not broad or scope.level == "lokaal":
            return None
        names = tuple(f for _, f, _ in members)
        words: Counter[str] = Counter()
        writers: dict[str, set[str]] = {}
        for s in chosen:
            for word in (w for w in s.words if any(f in w for f in names)):
                words[word] += 1
                writers.setdefault(word, set()).add(s.facts.agency)
        # A word is shown only when several signals at two organisations or more hold it: never one person's words.
        ranked = sorted(words.items(), key=lambda item: (-item[1], item[0]))
        shown = tuple((w, n) for w, n in ranked if n >= self.min_word_signals and len(writers[w]) >= 2)[:3]
        p_value, strongest, expected = members[0]
        history_count = sum(1 for s in past if strongest in s.fragments)
        ratio = sum(1 for s in recent if strongest in s.fragments) / expected
        return Term(
            day=day, fragments=names, words=shown, seqs=tuple(s.facts.seq for s in chosen), observed=len(chosen),
            expected=expected, p_value=p_value, ratio=ratio, history_count=history_count, history_days=self.history,
            scope=scope, onset=min(s.day for s in chosen),
        )  # fmt: skip

    def _scope(self, chosen: Sequence[TermSignal]) -> Scope:
        organisations = Counter(s.facts.agency for s in chosen)
        municipalities = Counter(s.facts.municipality for s in chosen if s.facts.municipality)
        provinces = sorted({s.facts.province for s in chosen if s.facts.province})
        kind_of = {s.facts.agency: s.facts.organisation_kind for s in chosen}
        kinds = Counter(kind_of[o] for o in organisations)
        level = level_of(organisations, municipalities, len(provinces), kinds, self.local_share)
        return Scope(level, tuple(sorted(organisations)), dict(kinds), tuple(sorted(municipalities)), tuple(provinces))


class TermFinder(Protocol):
    """The emerging-terms step: reads signals, finds the terms emerging on a day."""

    @property
    def hold_days(self) -> int: ...

    @property
    def window(self) -> int: ...

    @property
    def history(self) -> int: ...

    def signal(self, facts: SignalFacts, day: date, text: str) -> TermSignal: ...

    def find(self, signals: Sequence[TermSignal], day: date) -> list[Term]: ...


def term_alert(cluster_id: int, term: Term, kind: str = "cross_org") -> Alert:
    """The alert for a pattern formed around an emerging ``term`` (rule ``nieuwe term``).

    ``score`` is on the cross-organisation detector's scale: ``-log10`` of the term's probability (capped at 300)
    times the number of organisation kinds carrying it.
    """
    scope = term.scope
    quoted = ", ".join(f"‘{word}’" for word, _ in term.words)
    said = f"nieuwe woorden ({quoted})" if quoted else "nieuwe woorden"
    weeks = term.history_days // 7
    before = (
        f"in de {weeks} weken ervoor niet"
        if term.history_count == 0
        else f"{dutch_number(term.ratio)}× zo vaak als de {weeks} weken ervoor deden verwachten"
    )
    explanation = (
        f"{scope.describe()}; {said} in {term.observed} signalen sinds {dutch_date(term.onset)}, {before}. "
        f"Een nieuw onderwerp, breed gedragen. Reikwijdte: {scope.level}."
    )
    surprise = min(300.0, -math.log10(max(term.p_value, 1e-300)))
    details = {
        "onset": term.onset.isoformat(),
        "observed": term.observed,
        "expected": round(term.expected, 2),
        "ratio": round(term.ratio, 3),
        "p_value": term.p_value,
        "rule": "nieuwe term",
        "terms": [word for word, _ in term.words],
        "history_count": term.history_count,
        "related_clusters": [],
        "scope": scope.level,
        "organisations": list(scope.organisations),
        "organisation_kinds": dict(scope.kinds),
        "provinces": list(scope.provinces),
        "municipalities": list(scope.municipalities),
    }
    return Alert(kind, cluster_id, term.day, surprise * max(len(scope.kinds), 1), explanation, details)
