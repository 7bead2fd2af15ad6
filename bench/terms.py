# SPDX-License-Identifier: EUPL-1.2
"""What the emerging-terms step costs and gains: the scenario matched with and without it, alternately, one run.

Imports one generated year (``hartslag.demo.scenario``) into a hub data folder, embeds it once (the embedding cache
is shared), then matches it ``--rounds`` times with each setting, alternating, from a fresh matching state:

- ``terms``: the defaults (new words become patterns, the cross-organisation rule for young broad rises off, twelve
  weeks of warm-up);
- ``before``: the settings before the step (no terms, the broad rule on, four weeks of warm-up).

Prints the machine and date, the median matching time of each and their ratio, and the scores (two-day recall,
precision). Results go to docs/benchmarks.md.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/terms.py --scale 0.5 --seed 7 --rounds 2
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.append(str(Path(__file__).resolve().parent))
from machine_info import machine_info

from hartslag.demo.evaluation import load_into_hub, match, score
from hartslag.demo.scenario import generate
from matching.embedding_cache import CACHE_FILENAME
from matching.pipeline import MatchingConfig

SETTINGS: dict[str, MatchingConfig] = {
    "terms": MatchingConfig(),
    "before": MatchingConfig.model_validate(
        {
            "terms": None,
            "detection": {"detectors": {"cross_org": {"broad_rule": True, "min_history": 28}, "emerging": {}}},
        }
    ),
}


def main() -> None:
    """Import once, then match alternately with each setting and report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    scenario = generate(seed=args.seed, scale=args.scale)
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in SETTINGS}
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder) / "base"
        load_into_hub(scenario, base)
        match(scenario, base)  # embeds every text once; the cache is copied into each run below
        for _ in range(args.rounds):
            for name, config in SETTINGS.items():
                data = Path(folder) / name
                shutil.rmtree(data, ignore_errors=True)
                (data / "matching").mkdir(parents=True)
                shutil.copy(base / "hartslag.db", data / "hartslag.db")
                shutil.copy(base / "matching" / CACHE_FILENAME, data / "matching" / CACHE_FILENAME)
                started = time.perf_counter()
                match(scenario, data, config=config)
                seconds = time.perf_counter() - started
                scored = score(scenario, data, max_delay=2).as_dict()
                results[name].append({"seconds": round(seconds, 1), **scored})
    medians = {name: statistics.median(r["seconds"] for r in runs) for name, runs in results.items()}
    report = {
        "machine": machine_info(scale=args.scale, seed=args.seed, rounds=args.rounds),
        "median_seconds": medians,
        "ratio_terms_over_before": round(medians["terms"] / medians["before"], 3),
        "scores": {
            name: {
                key: runs[-1][key] for key in ("recall", "precision", "true_alerts", "false_alerts", "seasonal_alerts")
            }
            | {"delays": {p["name"]: p["delay_days"] for p in runs[-1]["patterns"] if p["kind"] == "cross_org"}}
            for name, runs in results.items()
        },
        "times": {name: [r["seconds"] for r in runs] for name, runs in results.items()},
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
