# SPDX-License-Identifier: EUPL-1.2
"""Patterns span schema versions: signals sent as 1.0.0 and as 2.0.0 (after the working group published 2.0.0 with
its migration) are stored in one form and matched into one pattern by the real pipeline."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from governance.migrations import parse_migration
from governance.registry_status import Status
from governance.schema_registry import SchemaRegistry
from hub.matching_worker import MatchingWorker
from matching.findings import Findings
from matching.patterns import list_patterns, member_ids
from matching.state import MatchingState
from tests.factories import make_agency, make_signal
from tests.governance.registry_support import Group
from tests.governance.versions_support import MIGRATION_2, signal_v2
from tests.hub.support import open_hub

_OPENINGS = [
    "In de berm",
    "Langs het fietspad",
    "Bij de speeltuin",
    "Achter het winkelcentrum",
    "Op het parkeerterrein",
]
_FINDINGS = ["liggen weer tientallen lege lachgascilinders", "vonden we een hoop lachgasflessen",
             "slingeren lachgaspatronen en ballonnen", "liggen grote lachgastanks weggegooid"]  # fmt: skip
_ENDINGS = ["na het weekend.", "sinds het verbod.", "en niemand ruimt ze op.", "graag opruimen."]


def _texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.choice(_OPENINGS)} {rng.choice(_FINDINGS)} {rng.choice(_ENDINGS)}" for _ in range(n)]


def _publish_v2(data: Path) -> None:
    """The working group proposes 2.0.0 with its migration, approves it unanimously and publishes it."""
    registry = SchemaRegistry.open(data)
    try:
        group = Group()
        for name, kind, organisation in (("anna", "municipality", "GM0363"), ("bert", "national_agency", "UWV"),
                                         ("cees", "province", "PV27")):  # fmt: skip
            group.add(registry, name, kind, organisation)
        registry.propose("signal", "2.0.0", signal_v2(), rationale="occurred_at", actor="anna", migration=MIGRATION_2)
        for name in ("anna", "bert", "cees"):
            group.vote(registry, name, "signal", "2.0.0")
        assert registry.publish("signal", "2.0.0", actor="voorzitter").status is Status.GEPUBLICEERD
    finally:
        registry.close()


def _signals(code: str, n: int, seed: int, *, v2: bool) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    made = []
    for text in _texts(n, seed):
        signal = make_signal(rng=rng, agency=make_agency(code), text=text, kind="report", themes=["afval"])
        if v2:  # what a connector already on 2.0.0 sends
            signal = parse_migration(MIGRATION_2).upgrade(signal) | {"schema_version": "2.0.0"}
        made.append(signal)
    return made


def test_signals_of_both_majors_end_up_in_one_pattern(tmp_path: Path) -> None:
    with open_hub(tmp_path, agencies=("GM0363", "GM0599"), matching=True) as hub:
        _publish_v2(hub.settings.data)
        old = _signals("GM0363", 15, 1, v2=False)
        new = _signals("GM0599", 15, 2, v2=True)
        for code, signals in (("GM0363", old), ("GM0599", new)):
            response = hub.post(hub.signers[code].sign(signals).token)
            assert response.status_code == 202, response.text
            assert response.json()["accepted"] == 15, response.text
        worker: MatchingWorker = hub.app.state.matching_worker
        stored = hub.storage.count_signals()
        for _ in range(60):
            if worker.wait_idle(2.0) and worker.watermark >= stored:
                break
        assert stored == 30 and worker.failures == 0
    state = MatchingState(hub.settings.data / "matching")
    try:
        patterns = list_patterns(state, Findings(state), min_size=2)
        assert patterns, "no pattern found"
        members = set(member_ids(state, patterns[0].id))
        assert len(members & {s["id"] for s in old}) >= 5 and len(members & {s["id"] for s in new}) >= 5
    finally:
        state.close()
