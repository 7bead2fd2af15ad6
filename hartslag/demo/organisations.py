# SPDX-License-Identifier: EUPL-1.2
"""The demo's organisations: who they are, how busy, through which channels, about what, and how they export.

Fourteen organisations: eight Dutch municipalities in seven provinces (large cities and two small ones), five
national agencies and one Flemish city. Each reads its export with a different connector reader, so every reader
of :mod:`connectors.readers` is used. What an export format cannot carry limits what the organisation sends: a
Signalen or Open311 export has no language field (Dutch only), Open311 has no channel or kind (one channel,
reports only), and a KTO export holds only survey answers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from hartslag.demo.model import Organisation
from hartslag.demo.phrasebank import Topic

__all__ = ["KTO_ANSWERS", "PROFILES", "Profile", "slug"]

#: The free-text questions of the KTO export (one signal per non-empty answer): explain the mark, what to improve.
KTO_ANSWERS = ("Toelichting op uw cijfer", "Wat kunnen we beter doen?")
# Which kinds each export format can express.
_FORMAT_KINDS = {
    "signalen": frozenset({"report", "question", "complaint", "suggestion"}),
    "open311": frozenset({"report"}),
    "kto": frozenset({"survey_answer"}),
}
_MUNICIPAL_PERSONAL = {"name": 4, "phone": 3, "email": 2, "address": 1.5, "bsn": 0.4, "iban": 0.2}
_NATIONAL_PERSONAL = {"name": 3, "phone": 2.5, "email": 2, "bsn": 2, "iban": 1.5, "address": 0.5}
_FLEMISH_PERSONAL = {"name": 4, "phone": 3, "email": 2, "iban": 0.8}

PUBLIC = {
    "grofvuil": 8, "container-vol": 8, "zwerfafval": 4, "stoeptegels": 6, "wegdek": 3, "straatverlichting": 5,
    "hondenpoep": 3, "groenonderhoud": 5, "riolering": 2, "speeltoestel": 1.5, "fietswrak": 1.5, "lachgas": 0.8,
    "vuurwerk": 0.15, "storm": 0.4,
}  # fmt: skip
NUISANCE = {"parkeren": 5, "geluid-buren": 4, "jeugdoverlast": 1.5, "evenement-geluid": 0.5}
SERVICES = {
    "paspoort": 5, "vergunningen": 2.5, "parkeervergunning": 2.5, "bijstand": 3, "wmo": 3, "schuldhulp": 1.2,
    "toeslagen-vraag": 0.3, "dienstverlening": 2.5,
}  # fmt: skip
FLEMISH = {
    "sluikstort": 6, "afvalophaling": 6, "voetpad": 5, "straatverlichting": 4, "hondenpoep": 3, "groenonderhoud": 4,
    "geluid-buren": 4, "parkeervergunning": 3, "paspoort": 4, "bijstand": 2, "dienstverlening": 2, "vuurwerk": 0.15,
    "storm": 0.4,
}  # fmt: skip


def slug(text: str) -> str:
    """A lower-case slug ("Wegen, verkeer, straatmeubilair" -> "wegen-verkeer-straatmeubilair")."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass(frozen=True)
class Profile:
    """One demo organisation with everything the generator and the export writer need to know about it."""

    org: Organisation
    system: str  # source.system, also the scope of its record ids
    rate: float  # signals on an ordinary weekday, at scale 1
    channels: Mapping[str, float]  # channel -> share
    topics: Mapping[str, float]  # background topic -> weight
    scheme: str  # category scheme
    style: str  # how the scheme writes a topic's category: "signalen" (main/sub slugs), "dashed", "code"
    record_id: str  # format of its record ids: {n} the number, {year} the year, {yy} its last two digits
    languages: Mapping[str, float] = field(default_factory=lambda: {"nl": 1.0})
    postcodes: tuple[tuple[int, int], ...] = ()  # postcode areas of a municipality
    personal: Mapping[str, float] = field(default_factory=lambda: dict(_MUNICIPAL_PERSONAL))
    handle: str | None = None  # social-media handle
    country: str = "NL"

    @property
    def code(self) -> str:
        """The organisation code."""
        return self.org.code

    @property
    def zone(self) -> ZoneInfo:
        """Where its clocks are."""
        return ZoneInfo("Europe/Brussels" if self.country == "BE" else "Europe/Amsterdam")

    @property
    def municipality(self) -> str | None:
        """The municipality a local government's signals are about (None for national agencies)."""
        return self.org.code if self.org.kind != "national_agency" else None

    def allows(self, kind: str) -> bool:
        """Whether its export can express signals of ``kind``."""
        allowed = _FORMAT_KINDS.get(self.org.export_format)
        return allowed is None or kind in allowed

    def category(self, topic: Topic) -> dict[str, str]:
        """The standard ``category`` object of a signal about ``topic`` in this organisation's own scheme."""
        if self.style == "signalen":
            code = f"{slug(topic.main)}/{slug(topic.sub)}"
        elif self.style == "dashed":
            code = topic.sub if topic.main == topic.sub else f"{topic.main} - {topic.sub}"
        else:
            code = topic.code
        return {"scheme": self.scheme, "code": code, "label": topic.sub}


def _org(code: str, name: str, kind: str, province: str | None, fmt: str) -> Organisation:
    return Organisation(code, name, kind, province, fmt)


_MUNI = "municipality"
_NAT = "national_agency"
PROFILES: tuple[Profile, ...] = (
    Profile(_org("GM0363", "Gemeente Amsterdam", _MUNI, "PV27", "signalen"), "Signalen", 24,
            {"web_form": 0.45, "app": 0.2, "phone": 0.2, "email": 0.05, "social_media": 0.04,
             "professional_observation": 0.04, "chat": 0.02}, PUBLIC | NUISANCE, "amsterdam-signalen", "signalen",
            "{n}", postcodes=((1011, 1109),), handle="@gemeenteamsterdam"),
    Profile(_org("GM0599", "Gemeente Rotterdam", _MUNI, "PV28", "open311"), "BuitenBeter (Open311)", 18,
            {"app": 1.0}, PUBLIC | {"jeugdoverlast": 1.5}, "rotterdam-buitenbeter", "code", "RTD-{n}",
            postcodes=((3011, 3089),)),
    Profile(_org("GM0344", "Gemeente Utrecht", _MUNI, "PV26", "csv"), "Meldingen openbare ruimte", 12,
            {"phone": 0.28, "web_form": 0.33, "email": 0.08, "counter": 0.05, "social_media": 0.04, "app": 0.1,
             "letter": 0.02, "professional_observation": 0.05, "customer_survey": 0.03, "chat": 0.02},
            PUBLIC | NUISANCE | SERVICES, "utrecht-meldingen", "dashed", "MLD-{year}-{n:06d}",
            {"nl": 0.96, "en": 0.04}, ((3511, 3585),), handle="@gemeenteutrecht"),
    Profile(_org("GM0014", "Gemeente Groningen", _MUNI, "PV20", "signalen"), "Signalen Groningen", 7,
            {"web_form": 0.5, "app": 0.12, "phone": 0.25, "email": 0.06, "social_media": 0.03,
             "professional_observation": 0.04}, PUBLIC | NUISANCE, "groningen-signalen", "signalen", "{n}",
            postcodes=((9711, 9747),), handle="@gemeentegroningen"),
    Profile(_org("GM0772", "Gemeente Eindhoven", _MUNI, "PV30", "jsonl"), "KCC-registratie", 7,
            {"web_form": 0.38, "phone": 0.25, "app": 0.12, "email": 0.1, "social_media": 0.05, "chat": 0.05,
             "counter": 0.05}, PUBLIC | NUISANCE | SERVICES, "eindhoven-kcc", "code", "EHV-{year}-{n:06d}",
            {"nl": 0.94, "en": 0.06}, ((5611, 5658),), handle="@gemeenteeindhoven"),
    Profile(_org("GM0855", "Gemeente Tilburg", _MUNI, "PV30", "csv"), "Meldingen en klachten", 6,
            {"phone": 0.3, "web_form": 0.36, "email": 0.1, "app": 0.1, "counter": 0.05, "social_media": 0.05,
             "professional_observation": 0.04}, PUBLIC | NUISANCE | SERVICES, "tilburg-meldingen", "dashed",
            "TLB{n:07d}", {"nl": 0.98, "en": 0.02}, ((5011, 5049),), handle="@gemeentetilburg"),
    Profile(_org("GM0147", "Gemeente Borne", _MUNI, "PV23", "csv"), "Zaaksysteem KCC", 0.9,
            {"phone": 0.45, "web_form": 0.33, "email": 0.12, "counter": 0.08, "letter": 0.02},
            PUBLIC | NUISANCE | SERVICES, "borne-kcc", "dashed", "BOR-{n:05d}", postcodes=((7621, 7623),)),
    Profile(_org("GM0050", "Gemeente Zeewolde", _MUNI, "PV24", "open311"), "Meldingen openbare ruimte", 0.8,
            {"web_form": 1.0}, PUBLIC, "zeewolde-meldingen", "code", "ZWD-{n}", postcodes=((3891, 3899),)),
    Profile(_org("UWV", "UWV", _NAT, None, "kto"), "KTO klantcontact", 9, {"customer_survey": 1.0},
            {"ww-uitkering": 5, "wia": 3, "ziektewet": 2, "werkregister": 2.5, "sollicitatieplicht": 2},
            "uwv-kto-dienst", "code", "R-{yy}-{n:06d}", personal=dict(_NATIONAL_PERSONAL)),
    Profile(_org("DUO", "DUO", _NAT, None, "jsonl"), "Klachtenregistratie", 9,
            {"phone": 0.35, "web_form": 0.2, "email": 0.1, "chat": 0.2, "social_media": 0.1, "letter": 0.05},
            {"studiefinanciering": 6, "reisproduct": 3, "terugbetalen": 4}, "duo-klachtonderwerpen", "code",
            "DUO-K-{year}-{n:05d}", {"nl": 0.94, "en": 0.06}, personal=dict(_NATIONAL_PERSONAL), handle="@DUO_nl"),
    Profile(_org("BD-TOESLAGEN", "Dienst Toeslagen", _NAT, None, "csv"), "Klantcontactregistratie", 12,
            {"phone": 0.62, "chat": 0.12, "letter": 0.08, "web_form": 0.1, "social_media": 0.05, "counter": 0.03},
            {"huurtoeslag": 6, "zorgtoeslag": 5, "kinderopvangtoeslag": 3, "terugvordering": 1.2},
            "toeslagen-contactredenen", "code", "TS{n:09d}", personal=dict(_NATIONAL_PERSONAL),
            handle="@Belastingdienst"),
    Profile(_org("SVB", "Sociale Verzekeringsbank", _NAT, None, "csv"), "Klantcontact SVB", 5,
            {"phone": 0.5, "letter": 0.15, "email": 0.1, "web_form": 0.15, "counter": 0.05, "chat": 0.05},
            {"aow": 5, "kinderbijslag": 4, "pgb": 2}, "svb-contactredenen", "code", "SVB-{n:07d}",
            personal=dict(_NATIONAL_PERSONAL)),
    Profile(_org("CJIB", "Centraal Justitieel Incassobureau", _NAT, None, "jsonl"), "Klantcontact CJIB", 6,
            {"phone": 0.4, "web_form": 0.3, "letter": 0.2, "email": 0.1},
            {"verkeersboete": 7, "betalingsregeling": 3}, "cjib-onderwerpen", "code", "CJIB-{year}-{n:07d}",
            personal=dict(_NATIONAL_PERSONAL)),
    Profile(_org("NIS44021", "Stad Gent", "flemish_local_government", "BE-VOV", "csv"), "Gentinfo", 8,
            {"web_form": 0.4, "phone": 0.3, "email": 0.15, "counter": 0.1, "app": 0.05}, FLEMISH, "gentinfo",
            "code", "GI-{year}-{n:06d}", {"nl-BE": 1.0}, ((9000, 9000), (9030, 9032), (9040, 9042), (9050, 9052)),
            dict(_FLEMISH_PERSONAL), "@StadGent", "BE"),
)  # fmt: skip
