# SPDX-License-Identifier: EUPL-1.2
"""Serving: the app is built, the garbage collector tuned for ingest, then uvicorn runs it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import hub.server as server


@pytest.fixture
def restored_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_serving_freezes_start_up_objects_and_raises_the_thresholds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restored_gc: None
) -> None:
    seen: dict[str, Any] = {}

    def fake_run(app: Any, **options: Any) -> None:
        seen.update(app=app, options=options, thresholds=gc.get_threshold(), frozen=gc.get_freeze_count())

    monkeypatch.setattr(server.uvicorn, "run", fake_run)
    server.run(data=tmp_path / "data", host="127.0.0.1", port=8765, hub_id="hub-test", kafka=None)
    assert seen["thresholds"] == server.GC_THRESHOLDS
    assert seen["frozen"] > 1000  # the app and everything imported for it
    assert seen["options"]["port"] == 8765 and seen["app"] is not None
