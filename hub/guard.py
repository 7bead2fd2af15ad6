# SPDX-License-Identifier: EUPL-1.2
"""The hub's personal-data guard: the connector's fast, high-precision detectors re-scan every text.

Only the checksummed and well-formed identifiers (BSN, IBAN, phone, e-mail, postcode with house number, licence plate)
run here, not the name detection, so the guard never caps ingest. It reports types, never the values it found.
"""

from __future__ import annotations

from connectors.anonymiser import contains_personal_data

__all__ = ["PersonalDataGuard"]


class PersonalDataGuard:
    """:class:`hub.ingest.Guard` on the connector's fast detectors."""

    def find(self, text: str) -> list[str]:
        """The placeholder types of the personal data still in ``text`` (empty when clean)."""
        return list(contains_personal_data(text))
