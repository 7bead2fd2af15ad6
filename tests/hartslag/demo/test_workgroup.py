# SPDX-License-Identifier: EUPL-1.2
"""The demo's working-group scene: real members, a compatible proposal halfway, an incompatible one with its report."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from governance.audit import AuditLog
from governance.schema_registry import SchemaRegistry
from hartslag.demo.workgroup import MEMBERS, WorkgroupScene, set_scene
from tests.integration.processes import hartslag


@pytest.fixture
def scene(tmp_path: Path) -> WorkgroupScene:
    return set_scene(tmp_path / "hub", tmp_path / "werkgroep")


def test_the_compatible_proposal_waits_for_one_approval_from_a_national_agency(
    scene: WorkgroupScene, tmp_path: Path
) -> None:
    registry = SchemaRegistry.open(tmp_path / "hub")
    try:
        assert [m.name for m in registry.members()] == sorted(name for name, _, _ in MEMBERS)
        review = registry.review("signal", "1.1.0")
        assert review.version.compatible and review.version.status.value == "voorgesteld"
        assert (review.quorum.approvals, review.quorum.needed) == (2, 3) == (scene.minor_approvals, scene.minor_needed)
        assert review.quorum.missing_kinds == ("national_agency",)
        assert all(valid for _, valid in review.votes)
        assert registry.status_of("signal", "1.0.0").value == "gepubliceerd"
    finally:
        registry.close()


def test_the_incompatible_proposal_carries_a_report_naming_the_removed_code(
    scene: WorkgroupScene, tmp_path: Path
) -> None:
    registry = SchemaRegistry.open(tmp_path / "hub")
    try:
        proposal = registry.get("codelist/themes", "2.0.0")
    finally:
        registry.close()
    assert not proposal.compatible and not scene.major_compatible and scene.major_breaking >= 1
    breaking = [c for report in proposal.compat for c in report["changes"] if c["breaking"]]
    assert any("parkeren" in json.dumps(change) for change in breaking)


def test_the_printed_command_casts_the_missing_vote_and_the_log_stays_intact(
    scene: WorkgroupScene, tmp_path: Path
) -> None:
    data, key = tmp_path / "hub", tmp_path / "werkgroep" / "uwv.key.pem"
    command = [*hartslag(), "governance", "approve", "signal", "1.1.0", "--member", "uwv", "--key", str(key)]
    done = subprocess.run([*command, "--data", str(data), "--json"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "goedgekeurd"
    log = AuditLog.in_folder(data)
    try:
        actions = [entry.action for entry in log.entries()]
    finally:
        log.close()
    assert actions.count("working-group.member-added") == len(MEMBERS)
    assert "schema-version.approved" in actions
    verify = subprocess.run([*hartslag(), "governance", "audit", "verify", "--data", str(data)], check=False)
    assert verify.returncode == 0
