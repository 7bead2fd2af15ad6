# SPDX-License-Identifier: EUPL-1.2
"""Retention rules: defaults, inheritance, the refusals of DATA/retention.toml, and calendar months."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from governance.standard import codelist_codes
from hub.retention_rules import (
    DEFAULT_RULES,
    RULES_FILENAME,
    Period,
    RetentionRulesError,
    load_rules,
    months_before,
)


def _write(data: Path, text: str) -> Path:
    data.mkdir(parents=True, exist_ok=True)
    (data / RULES_FILENAME).write_text(text, encoding="utf-8")
    return data


def test_without_a_file_every_kind_gets_the_defaults(tmp_path: Path) -> None:
    rules = load_rules(tmp_path)
    assert rules.source == "defaults"
    assert set(rules.as_dict()) == {"default", *codelist_codes("organisation-kinds")}
    assert all(Period(**months) == DEFAULT_RULES for months in rules.as_dict().values())
    assert rules.period("an-unknown-kind") == DEFAULT_RULES


def test_a_kind_inherits_what_it_leaves_out_from_default(tmp_path: Path) -> None:
    rules = load_rules(_write(tmp_path, "[default]\ntext = 12\nsignal = 60\n[municipality]\ntext = 6\n"))
    assert rules.period("municipality") == Period(6, 60)
    assert rules.period("national_agency") == Period(12, 60)
    assert rules.source.endswith(RULES_FILENAME)


def test_the_hash_names_the_effective_rules(tmp_path: Path) -> None:
    same = load_rules(_write(tmp_path / "a", "[default]\ntext = 24\nsignal = 84\n")).sha256
    assert same == load_rules(tmp_path / "none").sha256  # written out or left to the defaults: the same rules
    assert load_rules(_write(tmp_path / "b", "[water_board]\ntext = 23\n")).sha256 != same


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("[gemeente]\ntext = 1\n", "gemeente"),
        ("[municipality]\ntexts = 1\n", "texts"),
        ("[default]\ntext = 0\n", "[default] text"),
        ("[default]\ntext = -3\n", "[default] text"),
        ("[default]\ntext = 1.5\n", "[default] text"),
        ("[default]\ntext = true\n", "[default] text"),
        ('[default]\nsignal = "84"\n', "[default] signal"),
        ("[default]\nsignal = 12000\n", "[default] signal"),
        ("[municipality]\ntext = 36\nsignal = 24\n", "[municipality] text"),
        ("[default]\nsignal = 12\n", "[default] text"),  # the default text (24) above the signal's 12
        ("municipality = 3\n", "[municipality]"),
        ("[default\ntext = 1\n", "not valid TOML"),
    ],
)
def test_bad_rules_are_refused_naming_the_table_and_field(tmp_path: Path, text: str, names: str) -> None:
    with pytest.raises(RetentionRulesError) as caught:
        load_rules(_write(tmp_path, text))
    assert names in caught.value.message and caught.value.code == "retention-rules-invalid"


@pytest.mark.parametrize(
    ("day", "months", "cutoff"),
    [
        (date(2026, 6, 1), 1, datetime(2026, 5, 1, tzinfo=UTC)),
        (date(2026, 1, 15), 24, datetime(2024, 1, 15, tzinfo=UTC)),
        (date(2026, 3, 31), 1, datetime(2026, 2, 28, tzinfo=UTC)),
        (date(2024, 3, 30), 1, datetime(2024, 2, 29, tzinfo=UTC)),
        (date(2026, 1, 10), 13, datetime(2024, 12, 10, tzinfo=UTC)),
    ],
)
def test_months_are_calendar_months_back_from_the_reference_day(day: date, months: int, cutoff: datetime) -> None:
    assert months_before(day, months) == cutoff


def test_the_operator_guides_example_rules_are_valid(tmp_path: Path) -> None:
    import re

    guide = (Path(__file__).resolve().parents[2] / "docs" / "hub.md").read_text(encoding="utf-8")
    section = guide.split("## Retention\n", 1)[1].split("\n## ", 1)[0]
    example = re.search(r"^```toml\n(.*?)^```", section, re.M | re.S)
    assert example is not None
    rules = load_rules(_write(tmp_path, example.group(1)))
    assert rules.period("national_agency") == Period(12, 84) and rules.period("municipality") == Period(24, 60)
