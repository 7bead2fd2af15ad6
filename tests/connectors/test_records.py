# SPDX-License-Identifier: EUPL-1.2
"""The shared mapping step: stable ids, time zones, scrubbing before the signal exists, codes, coarse location."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.records import MAX_TEXT, ReaderDefaults, RecordError, SourceRecord, build_signal, stable_id
from connectors.values import lookup, postcode_area, safe_code
from governance.standard import validate
from tests.connectors.reader_support import StandIn, make_mapping

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def make_record(**overrides: Any) -> SourceRecord:
    """A readable source record; overrides replace fields."""
    values: dict[str, Any] = {
        "file": "export.csv",
        "line": 2,
        "source_id": "MLD-1",
        "text": "De lantaarnpaal is kapot. Bel mij op 06-12345678, groet Jan de Vries.",
        "observed_at": "2026-03-14 21:47",
    }
    values.update(overrides)
    return SourceRecord(**values)


class Spy:
    """Records what it was asked to scrub, then behaves like the stand-in."""

    name = "spy"
    version = "1.2.3"

    def __init__(self) -> None:
        self.seen: list[str] = []
        self._inner = StandIn()

    def scrub(self, text: str) -> Any:
        self.seen.append(text)
        return self._inner.scrub(text)


def build(record: SourceRecord | None = None, mapping: Any = None, **kwargs: Any) -> dict[str, Any]:
    return build_signal(record or make_record(), mapping or make_mapping(), Spy(), now=NOW, **kwargs)


def test_a_built_signal_conforms_to_the_standard() -> None:
    signal = build()
    assert validate(signal) == []
    assert signal["schema_version"] == "1.0.0"
    assert signal["source"] == {"organisation": "GM0344", "organisation_kind": "municipality", "channel": "web_form"}
    assert signal["kind"] == "report"
    assert signal["language"] == "nl"
    assert signal["published_at"] == "2026-11-26T12:00:00+00:00"


def test_stable_id_is_uuid5_of_organisation_scope_and_record_id() -> None:
    first = stable_id("GM0344", "Topdesk", "MLD-1")
    assert first == stable_id("GM0344", "Topdesk", "MLD-1")
    assert uuid.UUID(first).version == 5
    others = {stable_id("GM0363", "Topdesk", "MLD-1"), stable_id("GM0344", "Signalen", "MLD-1"),
              stable_id("GM0344", "Topdesk", "MLD-2"), stable_id("GM0344", "Topdesk/MLD", "1")}  # fmt: skip
    assert first not in others and len(others) == 4
    signal = build(mapping=make_mapping(source={"system": "Topdesk"}))
    assert signal["id"] == first
    assert build(mapping=make_mapping(source={"system": "Topdesk"}))["id"] == first


def test_the_text_is_scrubbed_before_the_signal_exists_and_the_raw_text_never_in_it() -> None:
    spy = Spy()
    record = make_record()
    signal = build_signal(record, make_mapping(), spy, now=NOW)
    assert spy.seen == [record.text]
    assert "06-12345678" not in str(signal) and "Jan de Vries" not in str(signal)
    assert signal["text"] == "De lantaarnpaal is kapot. Bel mij op [TELEFOONNUMMER], groet [NAAM]."
    assert signal["privacy"] == {
        "anonymiser": "spy",
        "version": "1.2.3",
        "placeholders": {"NAAM": 1, "TELEFOONNUMMER": 1},
    }
    assert "06-12345678" not in repr(record)


def test_privacy_block_leaves_out_empty_counts() -> None:
    signal = build(make_record(text="Lantaarnpaal kapot."))
    assert signal["privacy"] == {"anonymiser": "spy", "version": "1.2.3"}


def test_long_text_is_trimmed_to_the_standard_maximum() -> None:
    signal = build(make_record(text="Heel lang verhaal. " * 400))
    assert len(signal["text"]) == MAX_TEXT
    assert signal["text"].endswith("…")
    assert validate(signal) == []


@pytest.mark.parametrize("text", ["", "   \n  "])
def test_empty_text_is_refused(text: str) -> None:
    with pytest.raises(RecordError, match="text is empty"):
        build(make_record(text=text))


@pytest.mark.parametrize(
    ("raw", "timezone", "expected"),
    [
        ("2026-03-14 21:47", "Europe/Amsterdam", "2026-03-14T21:47:00+01:00"),
        ("2026-07-14 21:47", "Europe/Amsterdam", "2026-07-14T21:47:00+02:00"),
        ("2026-07-14T21:47:05", "Europe/Brussels", "2026-07-14T21:47:05+02:00"),
        ("2026-07-14T21:47:05", "UTC", "2026-07-14T21:47:05+00:00"),
        ("2026-07-14T19:47:05Z", "Europe/Amsterdam", "2026-07-14T19:47:05+00:00"),
        ("2026-07-14T21:47:05.123+02:00", "Europe/Amsterdam", "2026-07-14T21:47:05+02:00"),
        ("2026-07-14", "Europe/Amsterdam", "2026-07-14T00:00:00+02:00"),
    ],
)
def test_observed_at_is_timezone_aware(raw: str, timezone: str, expected: str) -> None:
    signal = build(make_record(observed_at=raw), make_mapping(source={"timezone": timezone}))
    assert signal["observed_at"] == expected
    assert validate(signal) == []


def test_date_format_from_the_mapping() -> None:
    mapping = make_mapping(date_format="%d-%m-%Y %H:%M")
    assert build(make_record(observed_at="14-03-2026 21:47"), mapping)["observed_at"] == "2026-03-14T21:47:00+01:00"
    with pytest.raises(RecordError, match="date_format '%d-%m-%Y %H:%M'"):
        build(make_record(observed_at="2026-03-14 21:47"), mapping)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [("31-02-2026", "not a date-time in ISO 8601"), ("", "observed_at is empty"), (None, "observed_at is empty"),
     ("2027-01-01T00:00:00+01:00", "in the future")],
)  # fmt: skip
def test_unreadable_observed_at(raw: str | None, reason: str) -> None:
    with pytest.raises(RecordError, match=reason):
        build(make_record(observed_at=raw))


def test_category_rule_gives_code_label_themes_and_kind() -> None:
    mapping = make_mapping(
        source={"category_scheme": "utrecht-meldingen"},
        categories={"Overlast - Lachgas": {"code": "lachgas", "label": "Lachgasoverlast", "themes": ["drugs"]},
                    "Bejegening": {"themes": ["bejegening"], "kind": "complaint"}},
    )  # fmt: skip
    signal = build(make_record(category="Overlast - Lachgas"), mapping)
    assert signal["category"] == {"scheme": "utrecht-meldingen", "code": "lachgas", "label": "Lachgasoverlast"}
    assert signal["themes"] == ["drugs"]
    assert signal["kind"] == "report"
    other = build(make_record(category="Bejegening", category_label="Bejegening door medewerker"), mapping)
    assert other["category"] == {
        "scheme": "utrecht-meldingen",
        "code": "Bejegening",
        "label": "Bejegening door medewerker",
    }
    assert other["kind"] == "complaint"
    assert build(make_record(category="Bejegening", kind="question"), mapping)["kind"] == "question"


def test_a_category_about_a_rule_cites_it_on_every_signal() -> None:
    mapping = make_mapping(
        categories={"Overlast - Lachgas": {"themes": ["drugs"], "policy_refs": ["bwb:BWBR0001941", "cvdr:CVDR1_2"]}}
    )
    signal = build(make_record(category="Overlast - Lachgas"), mapping)
    assert signal["policy_refs"] == [{"scheme": "bwb", "id": "BWBR0001941"}, {"scheme": "cvdr", "id": "CVDR1_2"}]
    assert validate(signal) == []
    assert "policy_refs" not in build(make_record(), mapping)


def test_category_falls_back_to_the_coarser_code() -> None:
    mapping = make_mapping(categories={"afval": {"themes": ["afval"]}})
    record = make_record(category="afval/grofvuil", category_fallbacks=("afval",), category_label="Grofvuil")
    signal = build(record, mapping, defaults=ReaderDefaults(category_scheme="signalen"))
    assert signal["category"] == {"scheme": "signalen", "code": "afval/grofvuil", "label": "Grofvuil"}
    assert signal["themes"] == ["afval"]


def test_unknown_category_is_reported_or_kept() -> None:
    categories = {"Afval": {"themes": ["afval"]}}
    with pytest.raises(RecordError, match="category 'Vuurwerk' is not in the mapping's \\[categories\\]"):
        build(make_record(category="Vuurwerk"), make_mapping(categories=categories))
    kept = build(make_record(category="Vuurwerk"), make_mapping(categories=categories, on_unknown_category="keep"))
    assert kept["category"]["code"] == "Vuurwerk" and "themes" not in kept
    # Without any [categories] the source's own codes are carried as they are.
    assert build(make_record(category="Vuurwerk"))["category"]["code"] == "Vuurwerk"


def test_kind_and_channel_resolution() -> None:
    mapping = make_mapping(channels={"Telefoon": "phone"}, kinds={"Klacht": "complaint"}, source={"kind": "question"})
    assert build(make_record(channel="telefoon", kind="KLACHT"), mapping)["source"]["channel"] == "phone"
    assert build(make_record(kind="KLACHT"), mapping)["kind"] == "complaint"
    assert build(make_record(kind="compliment"), mapping)["kind"] == "compliment"  # a standard code passes as is
    assert build(make_record(), mapping)["kind"] == "question"  # [source].kind
    defaults = ReaderDefaults(kind="survey_answer", channel="customer_survey", channels={"telefoon": "phone"})
    plain = make_mapping(source={"channel": None})
    assert build(make_record(), plain, defaults=defaults)["kind"] == "survey_answer"
    assert build(make_record(), plain, defaults=defaults)["source"]["channel"] == "customer_survey"
    assert build(make_record(channel="Telefoon – ASC"), plain, defaults=defaults)["source"]["channel"] == "phone"
    with pytest.raises(RecordError, match="channel value 'Postduif' is not in the mapping's \\[channels\\]"):
        build(make_record(channel="Postduif"), mapping)
    with pytest.raises(RecordError, match="kind value 'Melding' is not in the mapping's \\[kinds\\]"):
        build(make_record(kind="Melding"), mapping)
    with pytest.raises(RecordError, match="no channel"):
        build(make_record(), plain)


def test_lookup_matches_exactly_then_case_insensitively_then_by_head() -> None:
    table = {"Telefoon": "phone", "e-mail": "email"}
    assert lookup(table, "Telefoon") == "phone"
    assert lookup(table, " TELEFOON ") == "phone"
    assert lookup(table, "Telefoon – ASC") == "phone"
    assert lookup(table, "E-mail - CCA") == "email"
    assert lookup(table, "Telefoonboek") is None


def test_sentiment_from_score_and_values() -> None:
    mapping = make_mapping(sentiment={"values": {"ontevreden": "negative"}})
    assert [build(make_record(score=s), mapping)["sentiment"] for s in ("1", "5,5", "6", "7.9", "8", "10")] == [
        "negative", "negative", "neutral", "neutral", "positive", "positive"]  # fmt: skip
    assert build(make_record(sentiment="Ontevreden"), mapping)["sentiment"] == "negative"
    assert "sentiment" not in build(make_record(score=" "), mapping)
    for score, reason in (("elf", "not a number"), ("0", "outside the scale 1..10"), ("11", "outside")):
        with pytest.raises(RecordError, match=reason):
            build(make_record(score=score), mapping)
    with pytest.raises(RecordError, match="sentiment value"):
        build(make_record(sentiment="boos"), mapping)


def test_location_is_coarse_only() -> None:
    record = make_record(postcode="3511 AB", municipality="gm0344", neighbourhood="BU03440001")
    assert build(record)["location"] == {
        "municipality": "GM0344",
        "postcode_area": "3511",
        "neighbourhood": "BU03440001",
    }
    assert "location" not in build(make_record(postcode="onbekend", municipality="Utrecht", neighbourhood="A08d"))
    constant = make_mapping(source={"municipality": "GM0344"})
    assert build(make_record(municipality="GM9999"), constant)["location"] == {"municipality": "GM0344"}


@pytest.mark.parametrize(
    ("value", "area"),
    [("1012JS", "1012"), ("1012 js", "1012"), ("9000", "9000"), ("Dam 1 1012JS Amsterdam", "1012"),
     ("Kerkstraat 12, 9000 Gent", "9000"), ("Hoofdweg 1234", None), ("12345", None), ("0123 AB", None), (None, None)],
)  # fmt: skip
def test_postcode_area(value: str | None, area: str | None) -> None:
    assert postcode_area(value) == area


def test_missing_id_is_refused() -> None:
    with pytest.raises(RecordError, match="id is empty"):
        build(make_record(source_id=" "))


def test_reasons_never_carry_text_like_values() -> None:
    assert safe_code("Afval - Container vol") == "'Afval - Container vol'"
    for value in ("jan@example.nl", "bel 0612345678", "x" * 61, "Regel één\nregel twee"):
        assert safe_code(value) == "(value withheld)"
    with pytest.raises(RecordError) as info:
        build(make_record(channel="mail jan@example.nl"), make_mapping(channels={"Telefoon": "phone"}))
    assert "jan@example.nl" not in info.value.message
