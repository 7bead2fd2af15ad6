# SPDX-License-Identifier: EUPL-1.2
"""The Signalen reader on the Amsterdam sample: page envelopes, kinds and channels, and no address ever leaves."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from connectors.mapping import MappingError, load_mapping
from connectors.readers import ReadIssue, read_signals
from connectors.signalen_reader import SignalenReader
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

EXPORT = DATA / "signalen-export.json"
MAPPING = DATA / "signalen-export.mapping.toml"


def _page() -> dict[str, Any]:
    page: dict[str, Any] = json.loads(EXPORT.read_text(encoding="utf-8"))
    return page


def _line_of_signal(signal_id: int) -> int:
    """The line where the object of the signal with this id starts: its self link is three lines further down."""
    return line_of(EXPORT, f'/signals/v1/private/signals/{signal_id}"') - 3


def test_every_good_signal_becomes_a_valid_standard_signal() -> None:
    signals, report = read_sample("signalen")
    assert (report.records, report.signals, report.skipped) == (25, 21, 4)
    for signal in signals:
        assert validate(signal) == [], signal["id"]
        assert signal["source"]["system"] == "Signalen"
        assert signal["category"]["scheme"] == "signalen"
        assert signal["location"]["municipality"] == "GM0363"


def test_broken_signals_are_reported_with_line_and_reason() -> None:
    _, report = read_sample("signalen")
    results = _page()["results"]
    null_index = results.index(None)
    null_line = next(
        n
        for n, line in enumerate(EXPORT.read_text(encoding="utf-8").splitlines(), start=1)
        if line.strip() in {"null", "null,"} and n > _line_of_signal(results[null_index - 1]["id"])
    )
    assert set(report.issues) == {
        ReadIssue(EXPORT.name, _line_of_signal(10009), "observed_at is not a date-time in ISO 8601"),
        ReadIssue(
            EXPORT.name,
            _line_of_signal(10011),
            "category 'vuurwerk/vuurwerkoverlast' is not in the mapping's [categories]",
        ),
        ReadIssue(EXPORT.name, _line_of_signal(10014), "text is empty"),
        ReadIssue(EXPORT.name, null_line, "not a JSON object"),
    }


def test_kinds_channels_and_categories_from_signalen_fields() -> None:
    signals, _ = read_sample("signalen")
    mapping = load_mapping(MAPPING)
    from connectors.records import stable_id

    by_source_id = {
        str(i): s for s in signals for i in range(10001, 10026) if s["id"] == stable_id("GM0363", "Signalen", str(i))
    }
    assert by_source_id["10001"]["source"]["channel"] == "web_form"  # online
    assert by_source_id["10002"]["source"]["channel"] == "phone"  # Telefoon – ASC
    assert by_source_id["10004"]["source"]["channel"] == "email"  # E-mail – CCA
    assert by_source_id["10004"]["kind"] == "complaint"  # COM
    assert by_source_id["10005"]["source"]["channel"] == "professional_observation"  # Interne melding
    assert by_source_id["10007"]["kind"] == "question"  # QUE
    assert by_source_id["10010"]["source"]["channel"] == "social_media"  # Webcare – CCA
    assert by_source_id["10015"]["source"]["channel"] == "phone"  # Meldkamer burger/ondernemer
    assert by_source_id["10016"]["kind"] == "suggestion"  # REQ
    assert by_source_id["10019"]["source"]["channel"] == "professional_observation"  # Techview, via [channels]
    assert mapping.channels == {"Techview": "professional_observation"}
    lamp = by_source_id["10003"]
    assert lamp["category"] == {
        "scheme": "signalen",
        "code": "wegen-verkeer-straatmeubilair/straatverlichting-openbare-klok",
        "label": "Lantaarnpaal straatverlichting",
    }
    assert lamp["themes"] == ["openbare-ruimte", "veiligheid"]  # the sub category's own rule
    assert by_source_id["10023"]["themes"] == ["openbare-ruimte", "verkeer"]  # falls back to the main category
    # A naive created_at (in the autumn-back hour) is read as Amsterdam time.
    assert by_source_id["10024"]["observed_at"] == "2026-10-25T02:30:00+02:00"
    assert by_source_id["10003"]["observed_at"] == "2026-01-09T10:05:13+01:00"


def test_no_address_coordinates_or_reporter_details_leave() -> None:
    signals, _ = read_sample("signalen")
    everything = serialised(signals)
    for item in filter(None, _page()["results"]):
        location = item["location"]
        assert location["address_text"] not in everything
        assert f"{location['address']['openbare_ruimte']} {location['address']['huisnummer']}" not in everything
        assert location["address"]["postcode"] not in everything  # only the 4 digits may leave
        for coordinate in location["geometrie"]["coordinates"]:
            assert str(coordinate) not in everything
    for signal in signals:
        assert set(signal["location"]) <= {"municipality", "postcode_area"}  # Amsterdam buurt codes are not CBS codes
    assert [p for p in PERSONAL_DATA[EXPORT.name] if p in everything] == []


def test_postcode_area_comes_from_the_address() -> None:
    signals, _ = read_sample("signalen")
    areas = {s["location"]["postcode_area"] for s in signals}
    expected = {i["location"]["address"]["postcode"][:4] for i in filter(None, _page()["results"])}
    assert areas <= expected and len(areas) > 10


@pytest.mark.parametrize(
    "wrap",
    [
        lambda results: results,
        lambda results: {"_links": {}, "_embedded": {"signals": results}},
        lambda results: {"signals": results},
    ],
    ids=["bare-list", "hal-embedded", "signals-key"],
)
def test_other_envelopes(tmp_path: Path, wrap: Any) -> None:
    results = [r for r in _page()["results"][:3] if r]
    path = tmp_path / "page.json"
    path.write_text(json.dumps(wrap(results), indent=2), encoding="utf-8")
    signals, report = read_signals(path, MAPPING, scrubber())
    assert report.skipped == 0 and len(signals) == 3
    first, _ = read_sample("signalen")
    assert [s["id"] for s in signals] == [s["id"] for s in first[:3]]


def test_a_single_signal_and_slugs_from_the_category_url(tmp_path: Path) -> None:
    item = dict(_page()["results"][0])
    item["category"] = {
        "category_url": "https://x.example/signals/v1/public/terms/categories/afval/sub_categories/grofvuil"
    }
    path = tmp_path / "one.json"
    path.write_text(json.dumps(item), encoding="utf-8")
    signals, report = read_signals(path, MAPPING, scrubber(), "signalen")
    assert report.skipped == 0
    assert signals[0]["category"] == {"scheme": "signalen", "code": "afval/grofvuil", "label": "grofvuil"}


def test_not_json_or_no_list_is_one_issue(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "results": [\n    {"id": 1,\n  ]\n}\n', encoding="utf-8")
    signals, report = read_signals(broken, MAPPING, scrubber(), "signalen")
    assert signals == [] and report.issues[0].line == 4 and "not valid JSON" in report.issues[0].reason
    odd = tmp_path / "odd.json"
    odd.write_text('{"count": 0}', encoding="utf-8")
    _, report = read_signals(odd, MAPPING, scrubber(), "signalen")
    assert "holds no list of records" in report.issues[0].reason


def test_columns_are_refused_for_signalen() -> None:
    mapping = make_mapping(source={"organisation": "GM0363"})
    with pytest.raises(MappingError, match="reads its fields itself"):
        list(SignalenReader().records(EXPORT, mapping))
