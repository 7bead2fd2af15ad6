# SPDX-License-Identifier: EUPL-1.2
"""The release warmer builds every listed pattern's release in the background, at start and after each poke."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from hub.insight_models import Filters
from hub.warmup import ReleaseWarmer
from matching.state import MatchingState
from tests.hub.matching_fixtures import add_pattern
from tests.hub.support import open_hub
from tests.hub.test_insights import seed_world


def _wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the warmer did not get there in time"
        time.sleep(0.05)


def test_the_warmer_builds_the_listed_patterns_releases_before_anyone_asks(tmp_path: Path) -> None:
    with open_hub(tmp_path, agencies=()) as hub:
        state = MatchingState(hub.settings.data / "matching")
        try:
            world = seed_world(state)
        finally:
            state.close()
        listed = {p for p, members in world.members.items() if len(members) >= 10}
        insights = hub.services.insights
        cache = insights.pattern_releases._cache
        warmer = ReleaseWarmer(hub.services, min_interval=0.0)
        warmer.start()
        try:
            _wait_for(lambda: warmer.warmed >= 1)
            assert listed <= set(cache)
            assert {s.id for s in insights.summaries(Filters())} == listed  # answered from the warm cache
            state = MatchingState(hub.settings.data / "matching")
            try:
                add_pattern(state, 9001, organisations=("GM0363", "UWV"), members=30)
            finally:
                state.close()
            warmer.poke()  # as the matching worker does after a run that stored something
            _wait_for(lambda: 9001 in cache)
        finally:
            warmer.stop()
        assert warmer.warmed >= 2
