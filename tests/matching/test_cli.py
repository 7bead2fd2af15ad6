# SPDX-License-Identifier: EUPL-1.2
"""``hartslag matching run``, ``patterns list|show|members``, ``search`` and ``policy add|list`` over a hub data
folder, with the real default model on a few hundred signals imported the operator's way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from hartslag.cli import app
from tests.factories import write_jsonl
from tests.hub.world import HubWorld

PATTERN_FIELDS = {
    "id", "label", "keywords", "scope", "organisations", "organisation_kinds", "municipalities", "first_seen",
    "last_seen", "size", "themes", "alerts",
}  # fmt: skip


def _invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def data(world: HubWorld, tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    world.add_agency("UWV", "UWV")
    signals = {code: world.signals(n, code=code, seed=seed) for code, n, seed in (("GM0363", 240, 1), ("UWV", 160, 2))}
    # Signals reach the hub roughly in event-time order: import month by month, the agencies taking turns.
    for month in range(3, 10):
        for code, batch in signals.items():
            due = [s for s in batch if int(s["observed_at"][5:7]) == month]
            if due:
                path = write_jsonl(tmp_path / f"{code}-{month}.jsonl", sorted(due, key=lambda s: s["observed_at"]))
                result = _invoke("hub", "import", path, "--data", folder, "--agency", code)
                assert result.exit_code == 0, result.output
    return folder


def test_run_then_list_show_members_and_search(data: Path) -> None:
    ran = _invoke("matching", "run", "--data", data, "--json")
    assert ran.exit_code == 0, ran.output
    summary = json.loads(ran.stdout)
    assert summary["processed"] == 400 and summary["reclusterings"] >= 10 and summary["clusters_created"] >= 4

    again = _invoke("matching", "run", "--data", data, "--json")
    assert json.loads(again.stdout)["processed"] == 0  # only new work

    listed = _invoke("patterns", "list", "--data", data, "--json")
    assert listed.exit_code == 0, listed.output
    patterns = json.loads(listed.stdout)
    assert patterns and all(set(p) >= PATTERN_FIELDS for p in patterns)
    assert all(p["scope"] in {"lokaal", "regionaal", "landelijk"} for p in patterns)
    both = [p for p in patterns if set(p["organisations"]) == {"GM0363", "UWV"}]
    assert both and all(p["scope"] == "landelijk" for p in both)

    biggest = max(patterns, key=lambda p: p["size"])
    members = _invoke("patterns", "members", str(biggest["id"]), "--data", data, "--json")
    ids = json.loads(members.stdout)
    assert len(ids) == biggest["size"] and len(set(ids)) == len(ids)

    shown = _invoke("patterns", "show", str(biggest["id"]), "--data", data)
    assert shown.exit_code == 0 and f"Patroon {biggest['id']}" in shown.stdout and "Trefwoorden" in shown.stdout

    found = _invoke("search", "lege lachgas patronen langs het fietspad", "--data", data, "--json", "--k", "5")
    assert found.exit_code == 0, found.output
    hits = json.loads(found.stdout)
    assert len(hits) == 5 and "lachgas" in (hits[0]["text"] or "").lower()
    assert hits == sorted(hits, key=lambda h: -h["similarity"])


def test_unknown_pattern_and_missing_state_are_readable_errors(data: Path, tmp_path: Path) -> None:
    missing = _invoke("patterns", "list", "--data", data)
    assert missing.exit_code == 2 and "matching has not run here yet" in missing.output
    assert _invoke("matching", "run", "--data", data).exit_code == 0
    unknown = _invoke("patterns", "show", "999999", "--data", data)
    assert unknown.exit_code == 1 and "no pattern with id 999999" in unknown.output
    nowhere = _invoke("patterns", "list", "--data", tmp_path / "nope")
    assert nowhere.exit_code == 2 and "no such data folder" in nowhere.output
    bad = tmp_path / "bad.toml"
    bad.write_text("[clusterer]\nname = 'nope'\n")
    refused = _invoke("matching", "run", "--data", data, "--config", bad)
    assert refused.exit_code == 2 and "unknown clusterer 'nope'" in refused.output


def test_policies_are_declared_listed_and_refused_when_malformed(data: Path) -> None:
    added = _invoke("policy", "add", "Verbod op lachgas", "--date", "2026-05-01", "--ref", "bwb:BWBR0001941",
                    "--data", data)  # fmt: skip
    assert added.exit_code == 0, added.output
    twice = _invoke("policy", "add", "Verbod op lachgas", "--date", "2026-05-01", "--data", data)
    assert twice.exit_code == 2 and "declared before" in twice.output
    assert _invoke("policy", "add", "X", "--date", "1 mei", "--data", data).exit_code == 2
    bad_ref = _invoke("policy", "add", "Y", "--date", "2026-05-01", "--ref", "nope:1", "--data", data)
    assert bad_ref.exit_code == 2 and "known scheme" in bad_ref.output
    assert _invoke("matching", "run", "--data", data).exit_code == 0
    listed = json.loads(_invoke("policy", "list", "--data", data, "--json").stdout)
    assert listed == [{"name": "Verbod op lachgas", "date": "2026-05-01", "refs": ["bwb:BWBR0001941"]}]
