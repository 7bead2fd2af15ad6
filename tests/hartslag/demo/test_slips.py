# SPDX-License-Identifier: EUPL-1.2
"""Spelling slips: small, channel-dependent, deterministic."""

from __future__ import annotations

import random

from hartslag.demo.slips import slip

TEXT = "Er staat al een week grofvuil naast de containers bij de speeltuin, graag ophalen alstublieft."


def test_slips_are_small_and_depend_on_the_channel() -> None:
    rng = random.Random(4)
    app = [slip(TEXT, rng, "app") for _ in range(400)]
    letters = [slip(TEXT, rng, "letter") for _ in range(400)]
    assert 0.4 < sum(t != TEXT for t in app) / len(app) < 0.7
    assert sum(t != TEXT for t in letters) / len(letters) < 0.1
    words = set(TEXT.lower().split())
    for text in app:
        assert abs(len(text) - len(TEXT)) <= 20
        assert len(words & set(text.lower().split())) >= 0.7 * len(words)  # at most a few words touched


def test_the_same_generator_state_gives_the_same_slips() -> None:
    assert [slip(TEXT, random.Random(9), "chat") for _ in range(5)] == [
        slip(TEXT, random.Random(9), "chat") for _ in range(5)
    ]
