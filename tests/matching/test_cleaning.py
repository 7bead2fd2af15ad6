# SPDX-License-Identifier: EUPL-1.2
"""The cleaning step strips the channel's wrapping (greetings, signatures, call notes, labels, emoji), nothing else."""

from __future__ import annotations

import pytest

from governance.errors import InvalidInputError
from matching.cleaning import ChannelCleaner, Cleaner, NoCleaner, make_cleaner

CASES = [
    (
        "Burger belt ivm achtergelaten gasflessen. Op het schoolplein lagen lachgascilinders. Doorverbonden met "
        "backoffice.",
        "achtergelaten gasflessen. Op het schoolplein lagen lachgascilinders.",
    ),
    (
        "Mw geeft aan: Hoe vraag ik een betalingsregeling aan voor een terugvordering? Wil teruggebeld worden.",
        "Hoe vraag ik een betalingsregeling aan voor een terugvordering?",
    ),
    (
        "Geachte heer/mevrouw,\n\nDe container in onze straat is al twee weken niet geleegd.\n\n"
        "Met vriendelijke groet,\nJan de Vries",
        "De container in onze straat is al twee weken niet geleegd.",
    ),
    (
        "Hoi, mijn bovenburen draaien elke nacht harde muziek. groetjes",
        "mijn bovenburen draaien elke nacht harde muziek.",
    ),
    ("3 lachgastanks in de berm 😡😡", "3 lachgastanks in de berm"),
    ("Toelichting: de wachttijd aan de telefoon was erg lang!!!", "de wachttijd aan de telefoon was erg lang!"),
    (
        "Dear Sir, the bin on my street has not been emptied. Kind regards, John",
        "the bin on my street has not been emptied.",
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_the_wrapping_goes_and_the_topic_stays(text: str, expected: str) -> None:
    assert ChannelCleaner().clean(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Bedankt voor de snelle hulp bij mijn aanvraag!",  # a compliment is the topic, not a closing formula
        "Wachttijd.",  # too little would remain: unchanged
        "De gemeente heeft de melding over de kapotte lantaarnpaal goed afgehandeld.",
    ],
)
def test_texts_without_wrapping_are_left_alone(text: str) -> None:
    assert ChannelCleaner().clean(text) == text


def test_the_cleaner_only_removes() -> None:
    def words(text: str) -> set[str]:
        return {w.strip("!?.,:;😡") for w in text.lower().split()} - {""}

    cleaner = ChannelCleaner()
    for text, _ in CASES:
        assert words(cleaner.clean(text)) <= words(text)


def test_cleaners_come_from_the_table() -> None:
    assert isinstance(make_cleaner(), ChannelCleaner) and isinstance(make_cleaner("none"), NoCleaner)
    assert isinstance(make_cleaner(), Cleaner)
    with pytest.raises(InvalidInputError, match="unknown cleaner 'nope'"):
        make_cleaner("nope")
