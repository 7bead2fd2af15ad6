# SPDX-License-Identifier: EUPL-1.2
"""Writers for each export format: one organisation's signals back into the shape its own system exports.

Each writer takes the organisation's scenario signals with their record ids and returns the export file's text.
Only what the connector reads back has to be exact (record id, moment, text, category, channel, kind, postcode
area, language, KTO mark); the rest is plausible filler (a status, a random house number's postcode letters,
coordinates near the town hall) that the connector never copies.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from hartslag.demo.export_styles import KTO_DATE, SIGNALEN_SOURCES, SIGNALEN_TYPES, Table
from hartslag.demo.organisations import KTO_ANSWERS, Profile, slug
from hartslag.demo.phrasebank import Topic

__all__ = ["Record", "kto_text", "open311_text", "signalen_text", "table_csv", "table_jsonl"]

_CENTRES = {"GM0363": (52.3728, 4.8936), "GM0014": (53.2194, 6.5665), "GM0599": (51.9225, 4.4792),
            "GM0050": (52.3370, 5.5414)}  # fmt: skip
Record = tuple[str, dict[str, Any]]  # (record id, signal document)


_LETTERS = "ABCEGHJKLMNPRTVWXZ"


def _filler(doc: dict[str, Any]) -> int:
    """A number drawn from the signal id, for filler that must be the same on every run (letters, coordinates)."""
    return int(doc["id"].replace("-", ""), 16)


def _jitter(doc: dict[str, Any], shift: int, spread: float) -> float:
    return ((_filler(doc) >> shift) % 2001 - 1000) / 1000 * spread


def _postcode(doc: dict[str, Any], *, letters: bool = True, compact: bool = False) -> str:
    area = doc.get("location", {}).get("postcode_area")
    if not area:
        return ""
    if not letters:
        return str(area)
    n = _filler(doc)
    pair = _LETTERS[n % 18] + _LETTERS[n // 18 % 18]
    return f"{area}{pair}" if compact else f"{area} {pair}"


def _one_per_line(items: Sequence[Any]) -> str:
    """A JSON list with one element per line: readable, and fast to write (no pretty-printing encoder)."""
    return "[\n" + ",\n".join(json.dumps(item, ensure_ascii=False) for item in items) + "\n]"


def _fields(record: Record, table: Table, profile: Profile) -> dict[str, str]:
    record_id, doc = record
    moment = datetime.fromisoformat(doc["observed_at"])
    category = doc.get("category", {})
    return {
        "id": record_id,
        "observed_at": moment.strftime(table.date_format) if table.date_format else doc["observed_at"],
        "channel": table.channels[doc["source"]["channel"]],
        "kind": table.kinds[doc["kind"]],
        "category": category.get("code", ""),
        "category_label": category.get("label", ""),
        "text": doc["text"],
        "postcode": _postcode(doc, letters=profile.country == "NL"),
        "language": doc["language"],
    }


def table_csv(records: Sequence[Record], table: Table, profile: Profile) -> str:
    """A CSV export: header, then one row per record (quoted where a text needs it)."""
    out = io.StringIO(newline="")
    header = [*table.columns.values(), *table.constants]
    writer = csv.writer(out, delimiter=table.delimiter, lineterminator="\n")
    writer.writerow(header)
    for record in records:
        values = _fields(record, table, profile)
        writer.writerow([values[f] for f in table.columns] + list(table.constants.values()))
    return out.getvalue()


def _nest(paths: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for path, value in paths.items():
        *parents, leaf = path.split(".")
        node = document
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return document


def table_jsonl(records: Sequence[Record], table: Table, profile: Profile) -> str:
    """A JSON Lines export: one object per record, fields at their (dotted) paths."""
    lines = []
    for record in records:
        values = _fields(record, table, profile)
        paths = {column: values[f] for f, column in table.columns.items()} | dict(table.constants)
        lines.append(json.dumps(_nest(paths), ensure_ascii=False))
    return "\n".join(lines) + "\n"


def signalen_text(records: Sequence[Record], profile: Profile, topics: dict[str, Topic], base_url: str) -> str:
    """A Signalen ``/signals/v1/private/signals/`` page holding every record."""
    results = []
    for record_id, doc in records:
        topic = topics[doc["category"]["code"]]
        main, sub = slug(topic.main), slug(topic.sub)
        lat, lon = _CENTRES.get(profile.code, (52.0, 5.0))
        results.append({
            "_links": {"self": {"href": f"{base_url}/signals/v1/private/signals/{record_id}"}},
            "id": int(record_id),
            "id_display": f"SIG-{record_id}",
            "signal_id": doc["id"],
            "source": SIGNALEN_SOURCES[doc["source"]["channel"]],
            "text": doc["text"],
            "text_extra": "",
            "status": {"state": "m", "state_display": "Gemeld", "created_at": doc["observed_at"]},
            "location": {
                "buurt_code": None,
                "address": {"postcode": _postcode(doc, compact=True), "woonplaats": profile.org.name.split()[-1]},
                "geometrie": {"type": "Point", "coordinates": [round(lon + _jitter(doc, 8, 0.03), 5),
                                                               round(lat + _jitter(doc, 24, 0.02), 5)]},
            },
            "category": {
                "main": topic.main, "main_slug": main, "sub": topic.sub, "sub_slug": sub,
                "category_url": f"{base_url}/signals/v1/public/terms/categories/{main}/sub_categories/{sub}",
            },
            "reporter": {"email": None, "phone": None, "sharing_allowed": False},
            "type": {"code": SIGNALEN_TYPES[doc["kind"]]},
            "created_at": doc["observed_at"],
            "incident_date_start": doc["observed_at"],
        })  # fmt: skip
    links = json.dumps({"self": {"href": f"{base_url}/signals/v1/private/signals/?page=1"}})
    return f'{{"_links": {links}, "count": {len(results)}, "results": {_one_per_line(results)}}}\n'


def open311_text(records: Sequence[Record], profile: Profile) -> str:
    """Open311 GeoReport v2 service requests (``requests.json``)."""
    requests = []
    lat, lon = _CENTRES.get(profile.code, (52.0, 5.0))
    for record_id, doc in records:
        requests.append({
            "service_request_id": record_id,
            "status": ("open", "open", "closed")[_filler(doc) % 3],
            "service_name": doc["category"]["label"],
            "service_code": doc["category"]["code"],
            "description": doc["text"],
            "agency_responsible": profile.org.name,
            "requested_datetime": doc["observed_at"],
            "updated_datetime": doc["observed_at"],
            "zipcode": _postcode(doc, compact=True) or None,
            "lat": round(lat + _jitter(doc, 24, 0.03), 5),
            "long": round(lon + _jitter(doc, 8, 0.04), 5),
        })  # fmt: skip
    return _one_per_line(requests) + "\n"


def _mark(sentiment: str, rng: random.Random) -> int:
    low, high = {"negative": (1, 5), "neutral": (6, 7), "positive": (8, 10)}[sentiment]
    return rng.randint(low, high)


def kto_text(records: Sequence[Record]) -> str:
    """A KTO export: one row per respondent, the mark, and an answer column per open question."""
    rows: dict[str, dict[str, str]] = {}
    for record_id, doc in records:
        respondent, column = record_id.split("#", 1)
        row = rows.setdefault(respondent, {
            "RespondentID": respondent,
            "Datum afname": datetime.fromisoformat(doc["observed_at"]).strftime(KTO_DATE),
            "Dienst": doc["category"]["code"],
            "Rapportcijfer": str(_mark(doc.get("sentiment", "neutral"), random.Random(respondent))),
        })  # fmt: skip
        row[column] = doc["text"]
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, ["RespondentID", "Datum afname", "Dienst", "Rapportcijfer", *KTO_ANSWERS],
                            lineterminator="\n", restval="")  # fmt: skip
    writer.writeheader()
    writer.writerows(rows.values())
    return out.getvalue()
