# SPDX-License-Identifier: EUPL-1.2
"""Personal names: titles, initials, particles, introductions, signatures, names of many origins, sloppy text."""

from __future__ import annotations

import pytest

from connectors.detectors.names import NameDetector


@pytest.fixture(scope="module")
def detector() -> NameDetector:
    return NameDetector()


def _names(detector: NameDetector, text: str) -> list[str]:
    return sorted(text[s.start : s.end] for s in detector.find(text))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Mevrouw J.P. de Vries belde over haar toeslag.", ["J.P. de Vries"]),
        ("Dhr. Yilmaz wil een nieuwe container.", ["Yilmaz"]),
        ("mw. o'neill belde gisteren", ["o'neill"]),
        ("Geachte heer Kowalski,", ["Kowalski"]),
        ("de heer Van der Helst woont in Den Haag", ["Van der Helst"]),
        ("meneer de jong belde", ["de jong"]),
        ("dr. Na belde terug", ["Na"]),
        ("Mijn naam is Fatima el Amrani en ik woon in Rotterdam.", ["Fatima el Amrani"]),
        ("Ik heb gesproken met Zeynep Kaya van het UWV.", ["Zeynep Kaya"]),
        ("Namens mevrouw Visser dien ik bezwaar in.", ["Visser"]),
        ("t.a.v. R. Ramdin, ivm uw aanvraag", ["R. Ramdin"]),
        ("Met vriendelijke groet,\nPieter van den Berg", ["Pieter van den Berg"]),
        ("Hoogachtend,\nAzarkan Mei", ["Azarkan Mei"]),
        ("Beste Sanne, bedankt voor je mail. Groeten, Wei Zhang", ["Sanne", "Wei Zhang"]),
        ("Gisteren belde Jan over de afvalbak.", ["Jan"]),
        ("Ngozi Okafor heeft geklaagd.", ["Ngozi Okafor"]),
        ("Piotr Nowak en Agnieszka Wiśniewska werken bij Jumbo.", ["Agnieszka Wiśniewska", "Piotr Nowak"]),
        ("Budi Santoso en Radjesh Ramcharan ook.", ["Budi Santoso", "Radjesh Ramcharan"]),
        ("Sharmila Sewnarain heeft gebeld.", ["Sharmila Sewnarain"]),  # unknown, but two capitalised words
        ("Nouhaila El Idrissi heeft gebeld.", ["Nouhaila El Idrissi"]),
        ("Van Dijk belde ook.", ["Van Dijk"]),
        ("Het gaat om G. Popescu, Hoofdstraat 59A. Het KvK-nummer volgt.", ["G. Popescu"]),
    ],
)
def test_names_found(detector: NameDetector, text: str, expected: list[str]) -> None:
    assert _names(detector, text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("mijn buurman ahmed bakker parkeert op de stoep", ["ahmed bakker"]),
        ("ik ben jan en ik woon in de kerkstraat", ["jan"]),
        ("volgens bauke de boer klopt het niet", ["bauke de boer"]),
        ("beste dragan,\n\nde container is vol", ["dragan"]),
        ("het gaat om h. van 't hof, molenweg 3", ["h. van 't hof"]),
        ("contact: yanling chen, tel. 020 288 5251", ["yanling chen"]),
    ],
)
def test_names_in_sloppy_lower_case_text(detector: NameDetector, text: str, expected: list[str]) -> None:
    assert _names(detector, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ik ben boos want de container is niet geleegd",
        "De bakker op de Coolsingel is dicht, ik was bij de bakker en bij Albert Heijn.",
        "Namens de gemeente Rotterdam stuur ik dit.",
        "Er ligt afval langs de A12 bij Den Haag en in Capelle aan den IJssel.",
        "Ik kocht brood van de bakker en was bij de Zeeman.",
        "Klant: Gisteren is de container niet geleegd.",
        "Ik belde UWV, DUO en de Belastingdienst. Bij ING. Sinds 3 maart niets.",
        "Jan Steenstraat en de Willem de Zwijgerlaan zijn straten.",
        "6194 MW Zoetermeer",
        "Mail naar info@albertheijn.nl of kijk op www.rotterdam.nl/afval",
        "Bij Buurtteam Noord en het Sociaal Wijkteam was niemand.",
        "N.B. De wachttijd was lang, i.v.m. de drukte.",
        "Mijn vrouw is ziek en ik ben met Ben de hond uit.",
        "Ik ben Marokkaans en voel me gediscrimineerd aan de balie.",
        "Ik heb Parkinson en kan de trap niet op.",
        "Het Rode Kruis en de Voedselbank Rotterdam helpen.",
        "De lantaarnpaal bij het speelveld is al twee weken kapot, het is 's avonds erg donker.",
    ],
)
def test_no_names_in_topic_text(detector: NameDetector, text: str) -> None:
    assert _names(detector, text) == []


def test_title_stays_outside_the_span(detector: NameDetector) -> None:
    text = "mevrouw Jansen"
    (span,) = detector.find(text)
    assert text[: span.start] == "mevrouw "
