# SPDX-License-Identifier: EUPL-1.2
"""Reference numbers that point at a person's file: customer numbers and case/letter/file references.

Only the value after a keyword is replaced; the keyword stays so the text still says what kind of number it was
("klantnummer [KLANTNUMMER]", "ons kenmerk [REFERENTIE]"). A value must hold at least three digits, so
"kenmerk van de brief" is left alone.
"""

from __future__ import annotations

import re

from connectors.detectors.base import Span

__all__ = ["ReferenceDetector", "CUSTOMER_KEYWORDS", "CASE_KEYWORDS"]

#: Keywords whose number identifies a person's relation with an organisation -> ``KLANTNUMMER``.
CUSTOMER_KEYWORDS = (
    "klantnummer", "klantnr", "klant-nr", "klant nr", "klant-id", "klantid", "klantcode", "relatienummer",
    "relatienr", "relatie-nr", "debiteurnummer", "debiteurennummer", "debiteurnr", "cliëntnummer", "clientnummer",
    "contractnummer", "contractnr", "polisnummer", "polisnr", "lidnummer", "lidmaatschapsnummer", "pasnummer",
    "abonneenummer", "abonnementsnummer", "persoonsnummer", "registratienummer", "vreemdelingennummer", "v-nummer",
    "studentnummer", "leerlingnummer", "werknemersnummer", "personeelsnummer", "verzekerdennummer",
    "patiëntnummer", "patientnummer", "aansluitnummer", "huurdernummer", "klant nummer", "relatie nummer",
    "customer number", "customer id", "account number",
)  # fmt: skip
#: Keywords whose number identifies a case, letter or file -> ``REFERENTIE``.
CASE_KEYWORDS = (
    "dossiernummer", "dossiernr", "dossier", "zaaknummer", "zaaknr", "zaak-id", "zaak", "ons kenmerk",
    "uw kenmerk", "kenmerk", "referentienummer", "referentie", "ref.", "ref", "meldingsnummer", "meldnummer",
    "melding", "ticketnummer", "ticket", "aanvraagnummer", "factuurnummer", "factuurnr", "betalingskenmerk",
    "beschikkingsnummer", "briefnummer", "bezwaarnummer", "cjib-nummer", "cjibnummer", "aanslagnummer",
    "ordernummer", "bestelnummer", "volgnummer", "procedurenummer", "case number", "reference",
)  # fmt: skip


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"[\s-]?") for w in sorted(words, key=len, reverse=True))


_REFERENCE = re.compile(
    rf"(?i)\b(?:(?P<klant>{_alternation(CUSTOMER_KEYWORDS)})|(?P<zaak>{_alternation(CASE_KEYWORDS)}))"
    r"\.?(?:\s?(?:nummer|nr\.?|no\.?|id))?"  # "klantnr." / "dossier nr." / "zaak nummer"
    r"(?:\s*(?::|#|is|was|luidt|=)\s*|\s+|(?<=\.))"
    r"(?P<value>[A-Za-z0-9](?:[A-Za-z0-9]|[-/.](?=[A-Za-z0-9]))*)"
)


class ReferenceDetector:
    """Values after customer/case keywords. Reports ``KLANTNUMMER`` or ``REFERENTIE``."""

    name = "reference"
    placeholder = "KLANTNUMMER"
    priority = 80

    def find(self, text: str) -> list[Span]:
        if not any(c.isdigit() for c in text):
            return []
        spans: list[Span] = []
        for m in _REFERENCE.finditer(text):
            value = m.group("value")
            if sum(c.isdigit() for c in value) < 3 or len(value) < 4:
                continue
            label = self.placeholder if m.group("klant") else "REFERENTIE"
            spans.append(Span(m.start("value"), m.end("value"), label, self.priority))
        return spans
