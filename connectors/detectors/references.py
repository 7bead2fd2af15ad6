# SPDX-License-Identifier: EUPL-1.2
"""Reference numbers that point at a person's file: customer numbers and case/letter/file references.

Only the value after a keyword is replaced; the keyword stays so the text still says what kind of number it was
("klantnummer [KLANTNUMMER]", "ons kenmerk [REFERENTIE]"). A value must hold at least three digits, so
"kenmerk van de brief" is left alone.
"""

from __future__ import annotations

import re

from connectors.detectors.base import Span

__all__ = ["CASE_KEYWORDS", "CUSTOMER_KEYWORDS", "ReferenceDetector"]

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


_FILLERS = frozenset({"is", "was", "luidt", "nummer", "nr", "nr.", "no", "no.", "id", ":", "#", "=", "-"})
_KEYWORDS: dict[str, str] = {
    **{k: "KLANTNUMMER" for k in CUSTOMER_KEYWORDS},
    **{k: "REFERENTIE" for k in CASE_KEYWORDS},
    "klantnr.": "KLANTNUMMER", "relatienr.": "KLANTNUMMER", "polisnr.": "KLANTNUMMER", "contractnr.": "KLANTNUMMER",
    "dossiernr.": "REFERENTIE", "zaaknr.": "REFERENTIE", "factuurnr.": "REFERENTIE", "debiteurnr.": "KLANTNUMMER",
}  # fmt: skip
_DIGITS = re.compile(r"\d+")


def _keyword_before(text: str, start: int) -> str | None:
    """The placeholder type when a reference keyword stands right before ``start`` (fillers such as "nr." skipped)."""
    words = text[max(0, start - 48) : start].split()
    for _ in range(3):
        if not words:
            return None
        last = words[-1].lower()
        for candidate in (last.rstrip(":#="), " ".join(w.lower() for w in words[-2:]).rstrip(":#=")):
            label = _KEYWORDS.get(candidate)
            if label is not None:
                return label
        if last.rstrip(":#=") not in _FILLERS and last not in _FILLERS:
            return None
        words.pop()
    return None


def _value_around(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow a digit run to the whole code it belongs to ("Z-2024-12345", "UIT/2024/77812", "AB-123456")."""
    n = len(text)
    while start > 0 and (
        text[start - 1].isalnum() or (text[start - 1] in "-/." and start > 1 and text[start - 2].isalnum())
    ):
        start -= 1
    while end < n and (text[end].isalnum() or (text[end] in "-/." and end + 1 < n and text[end + 1].isalnum())):
        end += 1
    return start, end


class ReferenceDetector:
    """Values after customer/case keywords. Reports ``KLANTNUMMER`` or ``REFERENTIE``."""

    name = "reference"
    placeholder = "KLANTNUMMER"
    priority = 80

    def find(self, text: str) -> list[Span]:
        spans: list[Span] = []
        last_end = -1
        for d in _DIGITS.finditer(text):
            if d.start() < last_end:
                continue
            start, end = _value_around(text, d.start(), d.end())
            last_end = end
            value = text[start:end]
            if sum(c.isdigit() for c in value) < 3 or len(value) < 4 or not text[start].isalnum():
                continue
            label = _keyword_before(text, start)
            if label is not None:
                spans.append(Span(start, end, label, self.priority))
        return spans
