# SPDX-License-Identifier: EUPL-1.2
"""Emerging terms: word pieces nobody used before, suddenly written to several organisations at once."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from matching.records import SignalFacts
from matching.terms import EmergingTerms, Term, TermSignal, fragments, term_alert
from tests.matching.streams import ORGANISATIONS

DAY = date(2026, 6, 4)
_ORGS = ORGANISATIONS[:5]  # four municipalities in four provinces and UWV
_BACKGROUND = (
    "De container in onze straat is al dagen vol, graag legen.",
    "Wanneer wordt mijn toeslag uitbetaald? Ik wacht al weken.",
    "Er staat een fout geparkeerde auto op de stoep bij de school.",
    "Ik kan niet inloggen met DigiD, de app geeft een foutmelding.",
    "Losse stoeptegels bij het winkelcentrum, iemand is gevallen.",
)
_NEW = (
    "Overal lege lachgascilinders sinds het verbod.",
    "Weer lachgasflessen gedumpt bij het speelveld.",
    "Wat moet ik doen met een gevonden lachgascilinder?",
    "Lachgas cilinders in de bosjes bij de kerk.",
)


def _signal(seq: int, day: date, org: tuple[str, str, str | None], text: str, finder: EmergingTerms) -> TermSignal:
    code, kind, province = org
    facts = SignalFacts(
        seq=seq, id=f"s{seq}", agency=code, organisation_kind=kind,
        municipality=code if kind == "municipality" else None, province=province,
        observed_at=datetime(day.year, day.month, day.day, 10, tzinfo=UTC), kind="report", themes=(),
    )  # fmt: skip
    return finder.signal(facts, day, text)


def _year(finder: EmergingTerms, *, new_at: tuple[int, ...] = (), history_days: int = 60) -> list[TermSignal]:
    """Ordinary signals every day at every organisation; ten signals of a new topic over the last three days at
    the organisations ``new_at`` (indexes into the organisations) in turn."""
    rng = random.Random(5)
    out: list[TermSignal] = []
    for offset in range(history_days, -1, -1):
        day = DAY - timedelta(days=offset)
        for org in _ORGS:
            for _ in range(3):
                out.append(_signal(len(out) + 1, day, org, rng.choice(_BACKGROUND), finder))
    for i in range(10 if new_at else 0):
        day = DAY - timedelta(days=2 - i % 3)
        out.append(_signal(len(out) + 1, day, _ORGS[new_at[i % len(new_at)]], _NEW[i % len(_NEW)], finder))
    return out


def test_fragments_are_the_letter_pieces_of_words_so_compounds_share_them() -> None:
    one, two = fragments("Lachgasflessen!"), fragments("lege lachgas-cilinders, 2x")
    assert {"lachga", "achgas", "lessen"} <= one
    assert "lachga" in one & two
    assert not fragments("de kat 12345")  # short words and numbers give none


def test_a_new_word_at_many_organisations_is_one_national_term() -> None:
    finder = EmergingTerms()
    signals = _year(finder, new_at=(0, 1, 2, 3, 4))
    (term,) = finder.find(signals, DAY)
    assert term.scope.level == "landelijk" and len(term.scope.organisations) == 5
    assert term.observed == 10 and term.history_count == 0 and term.onset == DAY - timedelta(days=2)
    assert "lachga" in term.fragments and any(word.startswith("lachgas") for word, _ in term.words)
    new = {s.facts.seq for s in signals if "achgas" in s.fragments}
    assert set(term.seqs) == new


def test_the_same_burst_at_one_organisation_is_no_term() -> None:
    finder = EmergingTerms()
    assert finder.find(_year(finder, new_at=(0,)), DAY) == []  # a festival in one town: local, not national


def test_ordinary_words_and_a_young_system_give_no_term() -> None:
    finder = EmergingTerms()
    assert finder.find(_year(finder), DAY) == []  # the background's words every day: none emerges
    young = _year(finder, new_at=(0, 1, 2, 3, 4), history_days=20)
    assert finder.find(young, DAY) == []  # warm-up: 20 days of history, every word would look new


def test_a_word_already_common_before_does_not_emerge() -> None:
    finder = EmergingTerms()
    signals = _year(finder, new_at=(0, 1, 2, 3, 4))
    known = [
        _signal(10**5 + i, DAY - timedelta(days=5 + i % 40), _ORGS[i % 5], _NEW[i % len(_NEW)], finder)
        for i in range(60)
    ]
    assert finder.find(signals + known, DAY) == []  # 60 in the weeks before: ten more in three days is no news


def test_the_alert_names_the_words_the_organisations_and_what_was_usual() -> None:
    finder = EmergingTerms()
    (term,) = finder.find(_year(finder, new_at=(0, 1, 2, 3, 4)), DAY)
    alert = term_alert(42, term)
    assert isinstance(term, Term) and alert.kind == "cross_org" and alert.cluster_id == 42
    assert alert.detected_at == DAY and alert.details["rule"] == "nieuwe term"
    assert alert.details["scope"] == "landelijk" and alert.details["history_count"] == 0
    assert "5 organisaties" in alert.explanation and "in de 7 weken ervoor niet" in alert.explanation
    assert "‘lachgascilinders’" in alert.explanation or "‘lachgasflessen’" in alert.explanation
    assert alert.score > 0


def test_a_term_seen_a_few_times_before_says_how_much_more_often() -> None:
    finder = EmergingTerms()
    signals = _year(finder, new_at=(0, 1, 2, 3, 4))
    earlier = [_signal(10**5 + i, DAY - timedelta(days=20 + 7 * i), _ORGS[i], _NEW[i], finder) for i in range(2)]
    (term,) = finder.find(signals + earlier, DAY)
    assert term.history_count >= 1 and term.ratio >= finder.min_ratio
    alert = term_alert(7, term)
    assert "× zo vaak als de 7 weken ervoor deden verwachten" in alert.explanation
    assert alert.details["ratio"] == round(term.ratio, 3)
