# SPDX-License-Identifier: EUPL-1.2
"""The ``signalen`` reader: a JSON export of Signalen (the signals API of Amsterdam's open-source Signalen).

Accepted shapes: a list of signals, a page ``{"results": [...]}`` (the v1 API), ``{"_embedded": {"signals":
[...]}}`` (HAL), or a single signal object. Per signal:

=========================== ===========================================================================
Signalen field              becomes
=========================== ===========================================================================
``id`` (else ``signal_id``) the source record id behind the stable signal id
``text``                    ``text`` (scrubbed)
``created_at``              ``observed_at`` (else ``incident_date_start``)
``category``                ``main_slug/sub_slug`` (else the names, else the slugs in ``category_url``) as
                            the category code, the sub category's name as label; ``[categories]`` is tried
                            with the full code first, then with the main category alone
``type.code``               kind: SIG melding → report, REQ aanvraag → suggestion, QUE vraag → question,
                            COM klacht → complaint, MAI groot onderhoud → report (``[kinds]`` overrides)
``source``                  channel: "online" → web_form, "Telefoon – …" → phone, "E-mail – …" → email,
                            "Interne melding" → professional_observation, … (``[channels]`` overrides)
``location``                ONLY the 4-digit postcode area (from ``address.postcode``, else ``address_text``)
                            and a CBS ``buurt_code`` (BU + 8 digits). Street, house number, ``geometrie``
                            and other coordinates are never copied. The municipality comes from the mapping.
=========================== ===========================================================================

The fields come from the export's own structure, so ``[columns]`` is not used with this format.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from connectors.json_export import dig, json_items
from connectors.json_export import scalar as _str
from connectors.mapping import Mapping
from connectors.readers import ReadIssue
from connectors.records import ReaderDefaults, SourceRecord

__all__ = ["SIGNALEN_CHANNELS", "SIGNALEN_KINDS", "SignalenReader"]

SIGNALEN_KINDS = {"SIG": "report", "REQ": "suggestion", "QUE": "question", "COM": "complaint", "MAI": "report"}
# Keys are matched case-insensitively, also on the part before a dash ("Telefoon – ASC" → "telefoon").
SIGNALEN_CHANNELS = {
    "online": "web_form",
    "webformulier": "web_form",
    "telefoon": "phone",
    "meldkamer burger/ondernemer": "phone",
    "e-mail": "email",
    "email": "email",
    "webcare": "social_media",
    "twitter": "social_media",
    "facebook": "social_media",
    "interne melding": "professional_observation",
    "meldkamer handhaving": "professional_observation",
    "meldkamer politie": "professional_observation",
    "handhaving op straat": "professional_observation",
    "app": "app",
    "signalen app": "app",
    "verbeterdebuurt": "app",
    "balie": "counter",
    "stadsloket": "counter",
    "brief": "letter",
    "chat": "chat",
    "whatsapp": "chat",
}
_SLUGS_IN_URL = re.compile(r"/categories/([^/]+)(?:/sub_categories/([^/]+))?/?$")


def _category(item: dict[str, Any]) -> tuple[str | None, tuple[str, ...], str | None]:
    category = item.get("category")
    if isinstance(category, str):  # some exports flatten it to one name
        return _str(category), (), _str(category)
    main = _str(dig(category, "main_slug")) or _str(dig(category, "main"))
    sub = _str(dig(category, "sub_slug")) or _str(dig(category, "sub"))
    url = _str(dig(category, "category_url"))
    if main is None and url and (match := _SLUGS_IN_URL.search(url)):
        main, sub = match.group(1), match.group(2)
    if main is None:
        return None, (), None
    label = _str(dig(category, "sub")) or _str(dig(category, "main")) or sub or main
    if sub is None:
        return main, (), label
    return f"{main}/{sub}", (main,), label


def _postcode(location: Any) -> str | None:
    return _str(dig(location, "address", "postcode")) or _str(dig(location, "address_text"))


class SignalenReader:
    """Reads a Signalen JSON export; see the module docstring for how each field is used."""

    name = "signalen"
    defaults = ReaderDefaults(kinds=SIGNALEN_KINDS, channels=SIGNALEN_CHANNELS, category_scheme="signalen")

    def records(self, path: Path, mapping: Mapping) -> Iterator[SourceRecord | ReadIssue]:
        """Each signal in the export as a source record (or an issue for an element that is not an object)."""
        mapping.reject_columns(self.name)
        envelopes = [(), ("results",), ("_embedded", "signals"), ("signals",)]
        for item in json_items(path, envelopes, single="text"):
            if isinstance(item, ReadIssue):
                yield item
                continue
            line, data = item
            if not isinstance(data, dict):
                yield ReadIssue(path.name, line, "not a JSON object")
                continue
            code, fallbacks, label = _category(data)
            location = data.get("location")
            kind = dig(data, "type", "code") if isinstance(data.get("type"), dict) else data.get("type")
            yield SourceRecord(
                file=path.name,
                line=line,
                source_id=_str(data.get("id")) or _str(data.get("signal_id")) or "",
                text=_str(data.get("text")) or "",
                observed_at=_str(data.get("created_at")) or _str(data.get("incident_date_start")),
                category=code,
                category_fallbacks=fallbacks,
                category_label=label,
                channel=_str(data.get("source")),
                kind=_str(kind),
                postcode=_postcode(location),
                neighbourhood=_str(dig(location, "buurt_code")),
            )
