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


# --- introductions, pairs and sentence shape (names chosen outside the corpus generator's pools) --------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        ("ik ben zinzi en ik heb een vraag over mijn toeslag", ["zinzi"]),
        ("ik ben tamsin, moeder van twee kinderen", ["tamsin"]),
        ("ik ben oyelaran van de vdab en bel namens een klant", ["oyelaran"]),
        ("ik ben wessel de clercq uit gent", ["wessel de clercq"]),
        ("Ik ben Na, ik woon hier al jaren.", ["Na"]),
        ("mijn naam is jorinde en ik woon in zwolle", ["jorinde"]),
        ("hier is zinzi van het wijkteam, ik bel over de afvalbak", ["zinzi"]),
        ("mijn dochter zinzi okonkwo kreeg een brief", ["zinzi okonkwo"]),
        ("graag terugbellen naar tamsin whitcombe op 06-12345678", ["tamsin whitcombe"]),
        ("niemand belde terug naar tamsin.", ["tamsin"]),
        ("ik heb zinzi okonkwo om 10 uur gesproken", ["zinzi okonkwo"]),
        ("de container is vol. zinzi okonkwo heeft gebeld.", ["zinzi okonkwo"]),
        ("rijksregisternr. 85.07.30-033.28 (tamsin okonkwo), gsm 0471 23 45 67", ["tamsin okonkwo"]),
        ("de heer na azarkan belde over de lekkage", ["na azarkan"]),
        ("Gisteren belde Zinzi van 't Hof over de boete.", ["Zinzi van 't Hof"]),
        ("Het formulier van Wessel De Clercq is zoek.", ["Wessel De Clercq"]),
        ("Groeten,\nTamsin Okonkwo", ["Tamsin Okonkwo"]),
    ],
)
def test_names_after_introductions_and_in_pairs(detector: NameDetector, text: str, expected: list[str]) -> None:
    assert _names(detector, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ik ben boos want de container is niet geleegd",
        "ik ben benieuwd wanneer de lantaarnpaal gemaakt wordt",
        "ik ben woonachtig in de wijk noord en slechthorend",
        "ik ben doorverwezen naar het wijkteam",
        "ik ben rolstoelgebruiker en de stoep is te hoog",
        "ik ben postbode en zie dit elke dag",
        "ik ben nen gepensioneerde uit gent",
        "ik ben het beu dat niemand reageert",
        "ik ben na drie weken nog steeds niet geholpen",
        "Ik ben Vlaming en woon in Gent.",
        "ik ben klant en ik ben moeder",
        "hier is de foto van de kapotte lantaarnpaal",
        "hier is wateroverlast sinds maandag",
        "mijn naam is verkeerd geschreven in de brief",
        "mijn zoon studeert bedrijfskunde in gent",
        "mijn man overleed vorig jaar",
        "ik heb hoofdpijn van het lawaai",
        "ik heb huurachterstand opgebouwd",
        "ik heb schimmelplekken gevonden in de badkamer",
        "graag terugbellen naar de melder",
        "u spreekt met de klantenservice",
        "mevrouw van de klantenservice hing op",
        "ernstige geluidsoverlast heeft mijn nachtrust verstoord",
        "losliggende stoeptegels zijn gevaarlijk voor ouderen",
        "Bij Kinderboerderij De Vlinder en Sporthal De Boog was niemand.",
        "klant: de huishoudelijke-hulp in gouda is al 3 keer kapot.",
    ],
)
def test_no_names_after_introductions_of_everyday_words(detector: NameDetector, text: str) -> None:
    assert _names(detector, text) == []
