# SPDX-License-Identifier: EUPL-1.2
"""Each organisation's export reads back through the connector into the scenario's own signals."""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.anonymiser import Anonymiser
from connectors.mapping import load_mapping
from connectors.readers import read_signals
from hartslag.demo import Scenario, write_exports
from hartslag.demo.exports import to_toml
from tests.hartslag.demo.support import PassThrough, year

NOW = datetime(2026, 6, 1, tzinfo=UTC)
COMPARED = ("text", "observed_at", "kind", "language", "themes", "category", "location", "sentiment")


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return year(0.15)


@pytest.fixture(scope="module")
def exports(scenario: Scenario, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    return write_exports(scenario, tmp_path_factory.mktemp("exports"))


def test_every_organisation_gets_an_export_and_a_mapping_in_its_format(
    scenario: Scenario, exports: dict[str, tuple[Path, Path]]
) -> None:
    assert set(exports) == {o.code for o in scenario.organisations}
    for organisation in scenario.organisations:
        export, mapping_path = exports[organisation.code]
        mapping = load_mapping(mapping_path)
        assert export.is_file() and mapping.format == organisation.export_format
        assert mapping.source.organisation == organisation.code
        assert mapping.source.organisation_kind == organisation.kind


def test_reading_the_exports_back_gives_the_scenario_signals(
    scenario: Scenario, exports: dict[str, tuple[Path, Path]]
) -> None:
    originals = {s["id"]: s for s in scenario.signals}
    seen = 0
    for code, (export, mapping) in exports.items():
        signals, report = read_signals(export, mapping, PassThrough(), now=NOW)
        assert report.skipped == 0, (code, report.reasons)
        assert len(signals) == sum(s["source"]["organisation"] == code for s in scenario.signals)
        for signal in signals:
            original = originals[signal["id"]]
            assert {k: signal.get(k) for k in COMPARED} == {k: original.get(k) for k in COMPARED}, code
            assert signal["source"] == original["source"]
        seen += len(signals)
    assert seen == len(scenario.signals)


def test_the_connector_scrubs_every_planted_personal_value(
    scenario: Scenario, exports: dict[str, tuple[Path, Path]]
) -> None:
    values = re.compile("|".join(re.escape(v) for v in sorted(scenario.personal_values, key=len, reverse=True)))
    scrubbed = Anonymiser()
    for export, mapping in exports.values():
        signals, _ = read_signals(export, mapping, scrubbed, now=NOW)
        leaked = [values.findall(s["text"]) for s in signals]
        assert not [found for found in leaked if found]


def test_mappings_are_plain_toml() -> None:
    document = {"format": "csv", "source": {"organisation": "GM0344", "system": 'Meldingen "MOR"'},
                "categories": {"Afval - Grofvuil": {"label": "Grofvuil", "themes": ["afval"]}}}  # fmt: skip
    assert tomllib.loads(to_toml(document)) == document
