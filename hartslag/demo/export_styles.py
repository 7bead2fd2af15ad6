# SPDX-License-Identifier: EUPL-1.2
"""How each demo organisation's own system exports its records: column names, separators, dates and labels.

Real exports differ in everything but the essentials, and so do these: Utrecht a ``;``-separated CSV with Dutch
dates, Tilburg a comma CSV with ISO-like dates, Toeslagen a ``|``-separated contact register, the SVB tab-separated,
Gent Belgian dates, Eindhoven and the CJIB flat and nested JSON Lines, DUO its complaints register. Signalen,
Open311 and KTO exports have fixed shapes of their own (see :mod:`hartslag.demo.export_writers`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["KTO_DATE", "SIGNALEN_SOURCES", "SIGNALEN_TYPES", "STYLES", "Table"]

_NL_CHANNELS = {
    "phone": "Telefoon", "web_form": "Website", "email": "E-mail", "counter": "Balie", "app": "Meldingen-app",
    "social_media": "Sociale media", "letter": "Brief", "customer_survey": "KTO", "professional_observation":
    "Buitendienst", "chat": "Chat",
}  # fmt: skip
_NL_KINDS = {
    "report": "Melding", "complaint": "Klacht", "question": "Vraag", "objection": "Bezwaar",
    "compliment": "Compliment", "suggestion": "Suggestie", "survey_answer": "KTO-antwoord",
    "professional_signal": "Signaal professional",
}  # fmt: skip

#: Signalen's ``source`` value per channel (the reader's own table knows them all) and ``type.code`` per kind.
SIGNALEN_SOURCES = {
    "web_form": "online", "phone": "Telefoon – ASC", "email": "E-mail – Stadsdeel", "app": "Signalen app",
    "social_media": "Webcare", "professional_observation": "Interne melding", "chat": "WhatsApp", "counter": "Balie",
    "letter": "Brief",
}  # fmt: skip
SIGNALEN_TYPES = {"report": "SIG", "question": "QUE", "complaint": "COM", "suggestion": "REQ"}
KTO_DATE = "%d-%m-%Y %H:%M"


@dataclass(frozen=True)
class Table:
    """A tabular export (CSV) or a JSON Lines one: where each field goes and how values are written.

    ``columns`` maps a field (id, observed_at, channel, kind, category, category_label, text, postcode, language)
    to a CSV column or a dotted JSON path. ``date_format`` None writes ISO 8601 with the offset.
    """

    columns: Mapping[str, str]
    date_format: str | None = None
    delimiter: str = ";"
    channels: Mapping[str, str] = field(default_factory=lambda: dict(_NL_CHANNELS))
    kinds: Mapping[str, str] = field(default_factory=lambda: dict(_NL_KINDS))
    encoding: str = "utf-8"
    constants: Mapping[str, str] = field(default_factory=dict)  # columns the export has but the mapping ignores


STYLES: dict[str, Table] = {
    "GM0344": Table(
        {"id": "Meldingnummer", "observed_at": "Datum melding", "channel": "Kanaal", "kind": "Soort",
         "category": "Categorie", "text": "Omschrijving", "postcode": "Postcode", "language": "Taal"},
        "%d-%m-%Y %H:%M", ";", encoding="utf-8-sig", constants={"Buurtcode": ""},
    ),
    "GM0855": Table(
        {"id": "zaaknummer", "observed_at": "registratiedatum", "channel": "kanaal", "kind": "type",
         "category": "onderwerp", "category_label": "onderwerp_omschrijving", "text": "toelichting",
         "postcode": "postcode", "language": "taal"},
        "%Y-%m-%d %H:%M", ",", constants={"status": "in behandeling"},
    ),
    "GM0147": Table(
        {"id": "Zaak-ID", "observed_at": "Datum", "channel": "Contactkanaal", "kind": "Soort", "category": "Onderwerp",
         "text": "Omschrijving", "postcode": "Postcode"},
        "%d-%m-%Y %H:%M", ";",
    ),
    "BD-TOESLAGEN": Table(
        {"id": "CONTACT_ID", "observed_at": "DATUM_TIJD", "channel": "KANAAL", "kind": "CONTACTSOORT",
         "category": "CONTACTREDEN", "text": "NOTITIE"},
        "%d/%m/%Y %H:%M", "|",
        channels={"phone": "BelastingTelefoon", "chat": "Chat", "letter": "Post", "web_form": "Contactformulier",
                  "social_media": "Webcare", "counter": "Servicekantoor"},
        kinds={"question": "VRAAG", "complaint": "KLACHT", "objection": "BEZWAAR", "compliment": "COMPLIMENT"},
        constants={"TEAM": "KCC Toeslagen"},
    ),
    "SVB": Table(
        {"id": "contactnummer", "observed_at": "datum", "channel": "kanaal", "kind": "soort", "category": "regeling",
         "text": "omschrijving"},
        "%Y-%m-%d %H:%M", "\t",
    ),
    "NIS44021": Table(
        {"id": "Dossiernummer", "observed_at": "Datum", "channel": "Kanaal", "kind": "Type", "category": "Categorie",
         "text": "Omschrijving", "postcode": "Postcode"},
        "%d/%m/%Y %H:%M", ";",
        channels={"web_form": "E-loket", "phone": "Telefoon", "email": "E-mail", "counter": "Onthaal", "app": "App"},
    ),
    "GM0772": Table(
        {"id": "id", "observed_at": "datum", "channel": "kanaal", "kind": "type", "category": "categorie.code",
         "category_label": "categorie.omschrijving", "text": "tekst", "postcode": "postcode", "language": "taal"},
    ),
    "DUO": Table(
        {"id": "klacht.nummer", "observed_at": "klacht.ontvangen", "text": "klacht.omschrijving",
         "channel": "klacht.kanaal", "kind": "klacht.soort", "language": "klacht.taal", "category": "onderwerp.code",
         "category_label": "onderwerp.naam"},
        channels={"phone": "telefoon", "web_form": "webformulier", "email": "mail", "letter": "brief", "chat": "chat",
                  "social_media": "webcare"},
        kinds={"complaint": "klacht", "question": "vraag", "objection": "bezwaar", "compliment": "compliment",
               "suggestion": "suggestie"},
        constants={"status": "open"},
    ),
    "CJIB": Table(
        {"id": "contact.id", "observed_at": "contact.tijdstip", "channel": "contact.kanaal", "kind": "contact.soort",
         "category": "onderwerp.code", "category_label": "onderwerp.naam", "text": "bericht"},
        channels={"phone": "TEL", "web_form": "WEB", "letter": "POST", "email": "MAIL"},
        kinds={"question": "VRAAG", "objection": "BEZWAAR", "complaint": "KLACHT", "compliment": "COMPLIMENT"},
    ),
}  # fmt: skip
