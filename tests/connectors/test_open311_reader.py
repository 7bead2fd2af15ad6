# SPDX-License-Identifier: EUPL-1.2
"""The Open311 GeoReport v2 reader on the Rotterdam sample: service codes, postcode areas, nothing more precise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from connectors.readers import ReadIssue, read_signals
from connectors.records import stable_id
from governance.standard import validate
from tests.connectors.reader_support import (
    DATA,
    PERSONAL_DATA,
    line_of,
    make_mapping,
    read_sample,
    scrubber,
    serialised,
)

EXPORT = DATA / "open311-requests.json"
MAPPING = DATA / "open311-requests.mapping.toml"


def _requests() -> list[dict[str, Any]]:
    requests: list[dict[str, Any]] = json.loads(EXPORT.read_text(encoding="utf-8"))
    return requests


def _line_of(request_id: str) -> int:
    """The line where a request's object starts: its id is the first key."""
    return line_of(EXPORT, f'"service_request_id": "{request_id}"') - 1


def test_every_good_request_becomes_a_valid_signal() -> None:
    signals, report = read_sample("open311")
    assert (report.records, report.signals, report.skipped) == (21, 17, 4)
    for signal in signals:
        assert validate(signal) == [], signal["id"]
        assert signal["source"] == {
            "organisation": "GM0599",
            "organisation_kind": "municipality",
            "channel": "app",
            "system": "BuitenBeter (Open311)",
        }
        assert signal["kind"] == "report"
        assert signal["category"]["scheme"] == "rotterdam-buitenbeter"


def test_broken_requests_are_reported() -> None:
    _, report = read_sample("open311")
    token_line = line_of(EXPORT, '"token"') - 1
    assert set(report.issues) == {
        ReadIssue(EXPORT.name, _line_of("RTD-811207"), "observed_at is not a date-time in ISO 8601"),
        ReadIssue(EXPORT.name, _line_of("RTD-811209"), "category 'VUURWERK' is not in the mapping's [categories]"),
        ReadIssue(EXPORT.name, _line_of("RTD-811210"), "text is empty"),
        ReadIssue(EXPORT.name, token_line, "request has only a token, no service_request_id yet"),
    }


def test_service_code_label_and_themes() -> None:
    signals, _ = read_sample("open311")
    by_id = {s["id"]: s for s in signals}
    speel = by_id[stable_id("GM0599", "BuitenBeter (Open311)", "RTD-811211")]
    assert speel["category"] == {
        "scheme": "rotterdam-buitenbeter",
        "code": "SPEL-01",
        "label": "Speeltoestel kapot of onveilig",
    }
    assert speel["themes"] == ["openbare-ruimte", "veiligheid"]
    afval = by_id[stable_id("GM0599", "BuitenBeter (Open311)", "RTD-811201")]
    assert afval["category"]["label"] == "Afval naast container"
    assert afval["observed_at"] == "2026-01-06T09:14:00+01:00"


def test_only_the_postcode_area_leaves() -> None:
    signals, _ = read_sample("open311")
    everything = serialised(signals)
    for request in _requests():
        assert request["address"] not in everything
        assert request["address_id"] not in everything
        assert str(request["lat"]) not in everything and str(request["long"]) not in everything
        assert request["media_url"] not in everything
    by_id = {s["id"]: s for s in signals}
    no_zipcode = by_id[stable_id("GM0599", "BuitenBeter (Open311)", "RTD-811204")]
    assert no_zipcode["location"] == {"municipality": "GM0599", "postcode_area": "3062"}  # found in the address
    no_postcode = by_id[stable_id("GM0599", "BuitenBeter (Open311)", "RTD-811216")]
    assert no_postcode["location"] == {"municipality": "GM0599"}
    assert [p for p in PERSONAL_DATA[EXPORT.name] if p in everything] == []


def test_service_requests_envelope_and_missing_channel(tmp_path: Path) -> None:
    path = tmp_path / "requests.json"
    path.write_text(json.dumps({"service_requests": _requests()[:2]}), encoding="utf-8")
    signals, _ = read_signals(path, MAPPING, scrubber(), "open311")
    assert len(signals) == 2
    no_channel = make_mapping(source={"organisation": "GM0599", "channel": None}, columns=None)
    signals, report = read_signals(path, no_channel, scrubber(), "open311")
    assert signals == [] and {i.reason for i in report.issues} == {
        "no channel: map a channel column or set [source].channel"
    }
