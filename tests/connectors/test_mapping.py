# SPDX-License-Identifier: EUPL-1.2
"""The mapping file: the sample mappings load; typos, wrong codes and bad TOML are refused with the key named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connectors.mapping import Mapping, MappingError, known_codes, load_mapping, parse_mapping
from tests.connectors.reader_support import DATA, load_toml, make_mapping

SAMPLE_MAPPINGS = sorted(p.name for p in DATA.glob("*.mapping.toml"))


def test_there_is_a_sample_mapping_per_mapped_reader() -> None:
    formats = {load_mapping(DATA / name).format for name in SAMPLE_MAPPINGS}
    assert formats == {"csv", "jsonl", "signalen", "open311", "kto"}


@pytest.mark.parametrize("name", SAMPLE_MAPPINGS)
def test_sample_mappings_load(name: str) -> None:
    mapping = load_mapping(DATA / name)
    assert isinstance(mapping, Mapping)
    assert mapping.source.organisation == load_toml(name)["source"]["organisation"]
    themes = known_codes("theme")
    assert themes is not None
    for rule in mapping.categories.values():
        assert set(rule.themes) <= themes


def test_defaults() -> None:
    mapping = make_mapping()
    assert mapping.source.language == "nl"
    assert mapping.source.timezone == "Europe/Amsterdam"
    assert mapping.on_unknown_category == "report"
    assert mapping.csv.encoding == "utf-8-sig"
    assert mapping.source.scope == ""
    assert make_mapping(source={"system": "Topdesk"}).source.scope == "Topdesk"
    assert make_mapping(source={"system": "Topdesk", "id_scope": "oud"}).source.scope == "oud"


def _refusal(**overrides: Any) -> str:
    with pytest.raises(MappingError) as info:
        make_mapping(**overrides)
    assert info.value.code == "mapping-invalid"
    return info.value.message


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"formaat": "csv"}, "formaat"),
        ({"source": {"organsation": "GM0344"}}, "source.organsation"),
        ({"columns": {"tekst_kolom": "x"}}, "columns.tekst_kolom"),
        ({"categories": {"A": {"theme": ["afval"]}}}, "categories.A.theme"),
        ({"csv": {"seperator": ";"}}, "csv.seperator"),
    ],
)
def test_unknown_keys_are_refused_by_name(overrides: dict[str, Any], named: str) -> None:
    message = _refusal(**overrides)
    assert named in message
    assert "Extra inputs are not permitted" in message


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"categories": {"A": {"themes": ["vuilnis"]}}}, "vuilnis"),
        ({"categories": {"A": {"themes": ["afval", "afval"]}}}, "listed twice"),
        ({"categories": {"A": {"themes": ["afval", "groen", "water", "verkeer", "geluid", "drugs"]}}}, "themes"),
        ({"categories": {"A": {"kind": "melding"}}}, "melding"),
        ({"channels": {"Telefoon": "telephone"}}, "telephone"),
        ({"kinds": {"Klacht": "klacht"}}, "klacht"),
        ({"source": {"channel": "fax"}}, "fax"),
        ({"source": {"language": "nl-NL"}}, "language"),
        ({"source": {"timezone": "Europe/Utrecht"}}, "timezone"),
        ({"source": {"organisation": "Gemeente Utrecht"}}, "organisation"),
        ({"source": {"organisation": "GM9999"}}, "GM9999"),
        ({"source": {"organisation_kind": "national_agency"}}, "must be 'municipality'"),
        ({"source": {"organisation": "UWV", "organisation_kind": "municipality"}}, "must be 'national_agency'"),
        ({"source": {"municipality": "Utrecht"}}, "municipality"),
        ({"source": {"category_scheme": "Utrecht Meldingen"}}, "category_scheme"),
        ({"format": "xlsx"}, "format"),
        ({"on_unknown_category": "ignore"}, "on_unknown_category"),
        ({"sentiment": {"negative_max": 8, "positive_min": 6}}, "negative_max"),
        ({"categories": {"x": {"policy_refs": ["wetboek:1"]}}}, "policy-ref-schemes"),
        ({"categories": {"x": {"policy_refs": ["BWBR0001941"]}}}, "SCHEME:ID"),
        ({"categories": {"x": {"policy_refs": ["bwb:1", "bwb:1"]}}}, "listed twice"),
    ],
)
def test_wrong_values_are_refused(overrides: dict[str, Any], named: str) -> None:
    assert named in _refusal(**overrides)


def test_flemish_and_national_organisations() -> None:
    gent = make_mapping(source={"organisation": "NIS44021", "organisation_kind": "flemish_local_government"})
    assert gent.source.organisation == "NIS44021"
    uwv = make_mapping(source={"organisation": "UWV", "organisation_kind": "national_agency"})
    assert uwv.source.organisation_kind == "national_agency"


def test_text_may_be_several_columns() -> None:
    mapping = make_mapping(columns={"text": ["Omschrijving", "Toelichting"]})
    assert mapping.columns.text_columns() == ["Omschrijving", "Toelichting"]
    assert make_mapping().columns.text_columns() == ["tekst"]


def test_require_and_reject_columns() -> None:
    mapping = make_mapping(columns={"observed_at": None})
    with pytest.raises(MappingError, match="observed_at"):
        mapping.require_columns("csv", "id", "text", "observed_at")
    mapping.require_columns("csv", "id", "text")
    with pytest.raises(MappingError, match="leave \\[columns\\] out"):
        mapping.reject_columns("signalen")
    parse_mapping({"source": {"organisation": "GM0363", "organisation_kind": "municipality"}}).reject_columns("x")


def test_load_mapping_errors(tmp_path: Path) -> None:
    with pytest.raises(MappingError) as missing:
        load_mapping(tmp_path / "nope.toml")
    assert missing.value.code == "mapping-not-found"

    broken = tmp_path / "broken.toml"
    broken.write_text('format = "csv"\n[source\norganisation = "GM0344"\n', encoding="utf-8")
    with pytest.raises(MappingError) as bad:
        load_mapping(broken)
    assert bad.value.code == "mapping-invalid"
    assert "broken.toml" in bad.value.message and "TOML" in bad.value.message

    no_source = tmp_path / "no-source.toml"
    no_source.write_text('format = "csv"\n', encoding="utf-8")
    with pytest.raises(MappingError, match="source"):
        load_mapping(no_source)


def test_mapping_is_immutable() -> None:
    mapping = make_mapping()
    with pytest.raises(ValueError):
        mapping.source.organisation = "GM0363"  # type: ignore[misc]
