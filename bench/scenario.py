# SPDX-License-Identifier: EUPL-1.2
"""Scenario benchmark: how well matching finds the planted patterns of generated years, and how long it takes.

For each seed: generate a year (``hartslag.demo.scenario.generate``), import it into a fresh hub data folder the
operator's way, run the real matching pipeline with the default model, and score the alerts against what was
planted (``hartslag.demo.evaluation.score``): cross-organisation recall within two days of onset, precision of
``cross_org`` alerts (seasonal rises reported apart), detection delay, and whether the local festival was ever
called national. Prints the machine and date with every run (results go to docs/benchmarks.md).

    HF_HUB_OFFLINE=1 .venv/bin/python bench/scenario.py --scale 0.5 --seeds 7 8 9

``--cache DIR`` keeps the embedding cache (``embeddings.sqlite3``, keyed by text hash) in ``DIR`` across runs, so
only the first run pays for embedding; the matching time reported is then mostly clustering and detection.
``--keep DIR`` keeps each seed's hub data folder (``DIR/seed-N``) for inspection.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import sqlite3
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


def run_seed(seed: int, scale: float, days: int, cache: Path | None = None, keep: Path | None = None) -> dict[str, Any]:
    """One generated year, imported, matched and scored (``cache``: a folder holding a shared embedding cache)."""
    started = time.perf_counter()
    scenario = generate(seed=seed, scale=scale, days=days)
    with tempfile.TemporaryDirectory() as folder:
        data = keep / f"seed-{seed}" if keep is not None else Path(folder) / "data"
        if keep is not None and data.exists():
            shutil.rmtree(data)
        imported = load_into_hub(scenario, data)
        if cache is not None and (cache / CACHE_FILENAME).is_file():
            # A copy, not a link: SQLite keeps its write-ahead log next to the path it opened.
            (data / "matching").mkdir(parents=True, exist_ok=True)
            _copy_database(cache / CACHE_FILENAME, data / "matching" / CACHE_FILENAME)
        loaded = time.perf_counter()
        match(scenario, data)
        matched = time.perf_counter()
        result = score(scenario, data).as_dict()
        # The same alerts judged without the two-day limit: how late a pattern missed in time was found at all.
        late = {p["name"]: p["delay_days"] for p in score(scenario, data, max_delay=60).as_dict()["patterns"]}
        for pattern in result["patterns"]:
            pattern["first_alert_days"] = late[pattern["name"]]
        if cache is not None:
            cache.mkdir(parents=True, exist_ok=True)
            _copy_database(data / "matching" / CACHE_FILENAME, cache / CACHE_FILENAME)
    result.update(
        seed=seed,
        signals=len(scenario.signals),
        imported=imported,
        import_seconds=round(loaded - started, 1),
        matching_seconds=round(matched - loaded, 1),
        signals_per_second=round(imported / max(matched - loaded, 1e-9), 1),
    )
    return result


def _copy_database(source: Path, target: Path) -> None:
    """Copy an SQLite database with the backup API, which includes what still sits in its write-ahead log."""
    with contextlib.closing(sqlite3.connect(source)) as src, contextlib.closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def main() -> None:
    """Run the seeds and print per-seed and pooled figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.5)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seeds", type=int, nargs="+", default=[7])
    parser.add_argument("--cache", type=Path, default=None, help="folder of an embedding cache shared across runs")
    parser.add_argument("--keep", type=Path, default=None, help="keep each seed's data folder under this folder")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    runs = [run_seed(seed, args.scale, args.days, args.cache, args.keep) for seed in args.seeds]
    planted = [p for r in runs for p in r["patterns"] if p["kind"] == "cross_org"]
    found = [p for p in planted if p["found_on"] is not None]
    true = sum(r["true_alerts"] for r in runs)
    false = sum(r["false_alerts"] for r in runs)
    pooled = {
        "cross_org_recall": round(len(found) / len(planted), 3) if planted else None,
        "cross_org_precision": round(true / (true + false), 3) if true + false else None,
        "delays_days": sorted(p["delay_days"] for p in found),
        "seasonal_alerts": sum(r["seasonal_alerts"] for r in runs),
        "local_called_national": sum(r["local_called_national"] for r in runs),
    }
    report = {"machine": machine_info(scale=args.scale, days=args.days), "pooled": pooled, "runs": runs}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(json.dumps(report["machine"]))
    for run in runs:
        patterns = ", ".join(
            f"{p['name']}: {p['delay_days'] if p['found_on'] else '-'} ({p['first_alert_days']})"
            for p in run["patterns"]
            if p["kind"] == "cross_org"
        )
        print(
            f"seed {run['seed']}: {run['signals']} signals, matching {run['matching_seconds']} s "
            f"({run['signals_per_second']}/s); recall {run['recall']}, precision {run['precision']} "
            f"({run['true_alerts']} true, {run['false_alerts']} false, {run['seasonal_alerts']} seasonal); "
            f"local called national {run['local_called_national']}; delay within 2 days (first alert at all): "
            f"{patterns}; alerts {run['alerts_by_kind']}"
        )
    print("pooled:", json.dumps(pooled))


if __name__ == "__main__":
    main()
