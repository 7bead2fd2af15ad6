# SPDX-License-Identifier: EUPL-1.2
"""The in-process matching worker: batches posted to the hub are matched in the background with the real model."""

from __future__ import annotations

from pathlib import Path

from hub.matching_worker import MatchingWorker
from matching.findings import Findings
from matching.state import MatchingState
from tests.hub.support import open_hub


def test_posted_batches_are_matched_in_the_background_and_the_worker_stops_cleanly(tmp_path: Path) -> None:
    with open_hub(tmp_path, agencies=("GM0363", "UWV"), matching=True) as hub:
        worker: MatchingWorker = hub.app.state.matching_worker
        for code in ("GM0363", "UWV", "GM0363"):
            response = hub.post(hub.token(40, code))
            assert response.status_code == 202, response.text
        stored = hub.storage.count_signals()
        for _ in range(60):
            if worker.wait_idle(2.0) and worker.watermark >= stored:
                break
        assert worker.watermark == stored == 120
        assert worker.failures == 0 and worker.runs >= 1
    state = MatchingState(hub.settings.data / "matching")
    try:
        assert len(state.assignments()) == 120
        assert (hub.settings.data / "matching" / "matching.faiss").is_file()  # the index was saved after the run
        Findings(state)  # the findings tables exist next to the state
    finally:
        state.close()


def test_without_the_setting_no_worker_runs(tmp_path: Path) -> None:
    with open_hub(tmp_path) as hub:
        assert not hasattr(hub.app.state, "matching_worker")
        assert hub.post(hub.token(3)).status_code == 202
    assert not (hub.settings.data / "matching").exists()
