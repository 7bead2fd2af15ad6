# SPDX-License-Identifier: EUPL-1.2
"""Microseconds per signal of :meth:`governance.upcasting.Upcaster.read` at ingest: the no-op case (the signal
already has the target version), a minor upcast (1.0.0 → 1.1.0 with two defaults) and a major migration
(1.0.0 → 2.0.0, five operations). Run: ``.venv/bin/python bench/upcasting.py`` (prints JSON)."""

from __future__ import annotations

import json
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from machine_info import machine_info

from governance.upcasting import Upcaster
from tests.factories import make_signals
from tests.governance.versions_support import MIGRATION_2, catalog, record, signal_v1_1, signal_v2


def per_signal(upcaster: Upcaster, signals: list[dict], target_major: int | None, repeat: int = 5) -> float:
    """Best of ``repeat`` runs over ``signals``, in microseconds per signal."""
    best = min(
        timeit.repeat(lambda: [upcaster.read(s, target_major=target_major) for s in signals], number=1, repeat=repeat)
    )
    return round(best / len(signals) * 1e6, 2)


def main() -> None:
    signals = make_signals(5000, seed=3)
    minor = Upcaster(catalog(record("1.1.0", signal_v1_1())))
    both = Upcaster(catalog(record("1.1.0", signal_v1_1()), record("2.0.0", signal_v2(), migration=MIGRATION_2)))
    current = [minor.read(s) for s in signals]
    result = {
        "machine": machine_info(signals=len(signals)),
        "noop_us": per_signal(minor, current, None),
        "minor_us": per_signal(minor, signals, None),
        "major_us": per_signal(both, signals, None),
        "major_down_us": per_signal(both, [both.read(s) for s in signals], 1),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
