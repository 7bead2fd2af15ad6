# SPDX-License-Identifier: EUPL-1.2
"""Benchmark of online assignment and re-clustering at 100,000 and 1,000,000 indexed signals (issue 6).

Per size, in a fresh child process (so memory figures do not mix):

1. synthetic clustered 512-d unit vectors, the recipe of ``bench/matching_steps.py scale``: topics of about 200
   signals (cosine about 0.55 to their centre) plus 30 % unrelated noise;
2. a full re-clustering of the indexed signals with :class:`matching.clusters.AgglomerativeClusterer` (defaults),
   whose centroids (:func:`matching.clusters.centroids_of`) are then the frozen centroids new signals meet;
3. the vector index as the engine makes it (``make_index("faiss", dimension=512)``), filled with all indexed signals
   in one ``add`` (past 50,000 that builds the calibrated IVF index);
4. online assignment of new signals from the same distribution, what :class:`matching.engine.MatchingEngine` does per
   signal: nearest centroid above the threshold (0.5) by :class:`matching.clusters.CentroidAssigner` (one row at a
   time, one BLAS thread), then an ``add`` to the index on one thread (the engine does so for batches up to 64).
   One at a time: latency p50/p99 per signal, wall clock and process CPU time. With ``--baseline`` the old path
   runs in the same process, taking turns with the new one every 100 signals: the blocked kernel
   :func:`matching.clusters.assign_to_centroids` (256-row padded block, centroids transposed per call) and a plain
   ``add``, once with the libraries' default threads (what the engine did) and once with both on one thread;
5. the new kernel's assignments against the blocked kernel's on the same signals (the count that differ must be
   0), how many rows it rechecked with the blocked kernel, and the largest difference in similarity;
6. batches of 1,000 (a catch-up run's batch): cost per signal of the assignment (and of the old kernel with
   ``--baseline``) and of the index add; then semantic search (k = 10) one query at a time, for the record.

Memory: resident set size (RSS) sampled every 20 ms by a thread, reported as the peak per phase and the steady
state after each phase. Run one size at a time on a shared machine; 1,000,000 signals need about 10 GB at peak.

    .venv/bin/python bench/assign.py --baseline            # 100,000 and 1,000,000, old and new path
    .venv/bin/python bench/assign.py --sizes 100000 --json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.append(str(Path(__file__).resolve().parent))
from machine_info import machine_info

from matching.clusters import (
    AgglomerativeClusterer,
    CentroidAssigner,
    assign_to_centroids,
    centroids_of,
    padded_blocks,
    single_threaded,
)
from matching.embedder import Matrix
from matching.index import make_index

__all__ = ["main", "measure_size", "synthetic_signals"]

DIMENSION = 512
THRESHOLD = 0.5  # ScheduleConfig.assign_threshold's default
ENGINE_BATCH = 1000
_WARM = 3  # calls left out at the start of each turn (see _online)
# Per signal: wall time of the assignment, of the index add, of both, and the process CPU time of both.
_STEPS = ("assign", "index_add", "assign_plus_add", "assign_plus_add_cpu")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def synthetic_signals(n: int, seed: int = 0) -> tuple[Matrix, np.ndarray]:
    """``n`` unit vectors and their planted topic (``-1``: noise); the ``bench/matching_steps.py scale`` recipe."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((max(50, n // 200), DIMENSION)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    truth = rng.integers(0, centres.shape[0], n)
    truth[rng.random(n) < 0.3] = -1
    points = np.empty((n, DIMENSION), dtype=np.float32)
    for start in range(0, n, 100_000):
        stop = min(start + 100_000, n)
        chunk = rng.standard_normal((stop - start, DIMENSION), dtype=np.float32)
        topical = truth[start:stop] >= 0
        chunk[topical] = centres[truth[start:stop][topical]] + 0.066 * chunk[topical]
        points[start:stop] = chunk / np.linalg.norm(chunk, axis=1, keepdims=True)
    return points, truth


class _RssSampler:
    """Resident set size of this process, sampled in a daemon thread; ``peak`` since the last :meth:`reset`."""

    def __init__(self, interval: float = 0.02) -> None:
        self.peak = self.now()
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @staticmethod
    def now() -> int:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * _PAGE

    def reset(self) -> None:
        self.peak = self.now()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.peak = max(self.peak, self.now())

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _gb(size: int) -> float:
    return round(size / 1e9, 2)


def _percentiles(seconds: list[float]) -> dict[str, float]:
    ms = np.asarray(seconds) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p99_ms": round(float(np.percentile(ms, 99)), 3),
        "max_ms": round(float(ms.max()), 3),
    }


@dataclass
class _Path:
    """One way of handling a signal online: the assignment step, and whether the index add runs on one thread."""

    name: str
    assign: Callable[[Matrix], tuple[np.ndarray, np.ndarray]]
    whole_step_one_thread: bool  # the old path's one-thread variant: assign and add in one single_threaded() scope
    add_one_thread: bool
    timings: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in _STEPS})
    assigned: int = 0

    def run(self, vector: Matrix, index: Any, id_: int, keep: bool) -> None:
        scope = single_threaded() if self.whole_step_one_thread else nullcontext()
        wall, cpu = time.perf_counter(), time.process_time()
        with scope:
            nearest, _ = self.assign(vector)
            middle = time.perf_counter()
            with single_threaded() if self.add_one_thread else nullcontext():
                index.add([id_], vector)
        done, cpu_done = time.perf_counter(), time.process_time()
        if keep:
            self.assigned += int(nearest[0] >= 0)
            for step, value in zip(_STEPS, (middle - wall, done - middle, done - wall, cpu_done - cpu), strict=True):
                self.timings[step].append(value)

    def report(self) -> dict[str, Any]:
        count = len(self.timings["assign"])
        out: dict[str, Any] = {"signals": count, "assigned_share": round(self.assigned / max(count, 1), 3)}
        out.update({step: _percentiles(values) for step, values in self.timings.items()})
        return out


def _online(paths: list[_Path], vectors: Matrix, index: Any, first_id: int, chunk: int = 100) -> dict[str, Any]:
    """Each path handles its own share of ``vectors`` one at a time, the paths taking turns every ``chunk`` signals.

    Taking turns spreads the shared machine's quiet and busy moments over all paths alike, so their ratio holds
    even when the absolute figures move. Between turns a pause lets the previous path's BLAS and OpenMP threads
    stop spinning (OpenBLAS spins for about 0.1 s after work), and the first calls of each turn, which meet the
    caches the previous path left, are not counted.
    """
    per_path = vectors.shape[0] // len(paths)
    next_id = first_id
    for turn in range(0, per_path, chunk):
        for number, path in enumerate(paths):
            time.sleep(0.2)
            base = number * per_path
            for row in range(turn, min(turn + chunk, per_path)):
                path.run(vectors[base + row : base + row + 1], index, next_id, keep=row - turn >= _WARM)
                next_id += 1
    return {path.name: path.report() for path in paths}


def _equality(vectors: Matrix, centroids: Matrix) -> dict[str, Any]:
    """The online kernel against the blocked one on the same signals: differing assignments, rechecks, round-off."""
    assigner = CentroidAssigner(centroids, THRESHOLD)
    new_best, _ = assigner.assign(vectors)
    old_best, _ = assign_to_centroids(vectors, centroids, THRESHOLD)
    centroids_t = np.ascontiguousarray(centroids.T)
    sample = vectors[:500]
    old_sims = np.vstack([(block @ centroids_t)[: stop - start] for start, stop, block in padded_blocks(sample)])
    return {
        "signals": int(vectors.shape[0]),
        "different_assignments": int(np.count_nonzero(new_best != old_best)),
        "rechecked": assigner.rechecked,
        "max_similarity_difference": float(np.max(np.abs(assigner.similarities(sample) - old_sims))),
    }


@contextmanager
def _phase(rss: _RssSampler, report: dict[str, Any], name: str) -> Iterator[None]:
    rss.reset()
    start = time.perf_counter()
    yield
    report[f"{name}_s"] = round(time.perf_counter() - start, 2)
    report[f"{name}_peak_rss_gb"] = _gb(rss.peak)
    report[f"after_{name}_rss_gb"] = _gb(rss.now())


def measure_size(n: int, singles: int, batches: int, searches: int, baseline: bool) -> dict[str, Any]:
    """Every measurement for ``n`` indexed signals (see the module docstring)."""
    rss = _RssSampler()
    report: dict[str, Any] = {"indexed": n, "start_rss_gb": _gb(rss.now())}
    path_count = 3 if baseline else 1
    fresh_count = path_count * singles + batches * ENGINE_BATCH + searches
    with _phase(rss, report, "generate"):
        points, truth = synthetic_signals(n + fresh_count)
        indexed, fresh = points[:n], points[n:].copy()  # a copy: a view would keep all of points alive
    with _phase(rss, report, "recluster"):
        labels = AgglomerativeClusterer().cluster(indexed)
    report["clusters"] = int(labels.max()) + 1
    report["planted_topics"] = int(truth.max()) + 1
    report["noise_share"] = round(float(np.mean(labels < 0)), 3)
    centroids = centroids_of(indexed, labels)
    report["centroids"] = int(centroids.shape[0])
    del labels, truth
    index = make_index("faiss", dimension=DIMENSION)
    with _phase(rss, report, "index_build"):
        index.add(np.arange(n, dtype=np.int64), indexed)
    report["index_kind"] = getattr(index, "kind", "?")
    report["index_nprobe"] = getattr(index, "nprobe", None)
    del points, indexed  # from here on the process holds what a hub would: index, centroids, the new signals
    report["steady_rss_gb"] = _gb(rss.now())

    # One signal at a time, as the engine handles a batch of one: assign, then add to the index. "new" is what
    # MatchingEngine does now; with --baseline the old path runs in the same process, taking turns with it.
    assigner = CentroidAssigner(centroids, THRESHOLD)
    paths = [_Path("new", assigner.assign, whole_step_one_thread=False, add_one_thread=True)]
    if baseline:

        def old(vector: Matrix) -> tuple[np.ndarray, np.ndarray]:
            return assign_to_centroids(vector, centroids, THRESHOLD)

        paths.append(_Path("old, default threads", old, whole_step_one_thread=False, add_one_thread=False))
        paths.append(_Path("old, one thread", old, whole_step_one_thread=True, add_one_thread=False))
    singles_block = fresh[: path_count * singles]
    report["online"] = _online(paths, singles_block, index, n)
    report["online_rechecked"] = assigner.rechecked
    report["equality"] = _equality(singles_block, centroids)
    next_id = n + path_count * singles
    offset = path_count * singles

    # Batches of 1,000, as MatchingEngine.process gets them in a catch-up run: cost per signal of each step.
    costs: dict[str, list[float]] = {"assign": [], "assign_old": [], "index_add": []}
    for number in range(batches):
        block = fresh[offset + number * ENGINE_BATCH : offset + (number + 1) * ENGINE_BATCH]
        ids = np.arange(next_id, next_id + block.shape[0], dtype=np.int64)
        next_id += block.shape[0]
        start = time.perf_counter()
        assigner.assign(block)
        costs["assign"].append((time.perf_counter() - start) / block.shape[0])
        if baseline:
            start = time.perf_counter()
            assign_to_centroids(block, centroids, THRESHOLD)
            costs["assign_old"].append((time.perf_counter() - start) / block.shape[0])
        start = time.perf_counter()
        index.add(ids, block)  # more than 64 rows: the engine keeps the libraries' threads
        costs["index_add"].append((time.perf_counter() - start) / block.shape[0])
    if batches:
        report["batched"] = {"batches": batches, "batch_size": ENGINE_BATCH}
        for step, values in costs.items():
            if values:
                report["batched"][f"{step}_ms_per_signal"] = round(1000 * float(np.median(values)), 4)
    offset += batches * ENGINE_BATCH

    # Semantic search (k = 10), one query at a time on one thread: not part of the assignment, for the record.
    if searches:
        queries = fresh[offset : offset + searches]
        times = []
        with single_threaded():
            for row in range(queries.shape[0]):
                start = time.perf_counter()
                index.search(queries[row : row + 1], 10)
                times.append(time.perf_counter() - start)
        report["search_k10_one_thread"] = _percentiles(times[_WARM:])
    report["end_rss_gb"] = _gb(rss.now())
    report["process_peak_rss_gb"] = _gb(_max_rss())
    rss.stop()
    return report


def _max_rss() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux


def _memory_available() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return 0


def _in_child(n: int, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", str(n), "--singles", str(args.singles)]
    command += ["--batches", str(args.batches), "--searches", str(args.searches)]
    command += ["--baseline"] if args.baseline else []
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"indexed": n, "failed": f"exit {done.returncode}", "stderr_tail": done.stderr[-2000:]}
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _print(report: dict[str, Any]) -> None:
    m = report["machine"]
    print(f"{m['date']}  {m['cpu']}, {m['cores']} cores, load {m['loadavg_1m']}  Python {m['python']}")
    print(f"memory available at start: {m['memory_available_gb']} GB; threshold {THRESHOLD}, k=10 for search")
    for r in report["sizes"]:
        print(f"\n== {r['indexed']:,} indexed signals")
        if "failed" in r:
            print(f"  failed: {r['failed']}\n{r['stderr_tail']}")
            continue
        print(
            f"  re-clustering {r['recluster_s']} s (peak RSS {r['recluster_peak_rss_gb']} GB), {r['clusters']} "
            f"clusters ({r['planted_topics']} planted topics), noise {r['noise_share']}"
        )
        print(
            f"  index build {r['index_build_s']} s ({r['index_kind']}, nprobe {r['index_nprobe']}, peak RSS "
            f"{r['index_build_peak_rss_gb']} GB); steady RSS {r['steady_rss_gb']} GB, process peak "
            f"{r['process_peak_rss_gb']} GB"
        )
        for name, s in r["online"].items():
            print(f"  one at a time, {name} ({s['signals']} signals, {s['assigned_share']:.0%} assigned):")
            for step in _STEPS:
                p = s[step]
                print(
                    f"    {step:<20} p50 {p['p50_ms']:>8.3f} ms  p99 {p['p99_ms']:>8.3f} ms  max {p['max_ms']:>8.3f} ms"
                )
        if "old, default threads" in r["online"]:
            new = r["online"]["new"]["assign_plus_add"]
            for name in ("old, default threads", "old, one thread"):
                old = r["online"][name]["assign_plus_add"]
                print(
                    f"  assign + add, {name} / new: p50 {old['p50_ms'] / new['p50_ms']:.1f}x, "
                    f"p99 {old['p99_ms'] / new['p99_ms']:.1f}x"
                )
        e = r["equality"]
        print(
            f"  new against old kernel on {e['signals']} signals: {e['different_assignments']} different assignments, "
            f"{e['rechecked']} rechecked, similarities differ by at most {e['max_similarity_difference']:.2e}; "
            f"{r['online_rechecked']} rechecks in the timed run"
        )
        if "batched" in r:
            b = r["batched"]
            old = f" (old kernel {b['assign_old_ms_per_signal']} ms)" if "assign_old_ms_per_signal" in b else ""
            print(
                f"  batches of {b['batch_size']}, per signal: assign {b['assign_ms_per_signal']} ms{old}, add "
                f"{b['index_add_ms_per_signal']} ms"
            )
        if "search_k10_one_thread" in r:
            p = r["search_k10_one_thread"]
            print(f"  semantic search k=10, one thread: p50 {p['p50_ms']:.3f} ms  p99 {p['p99_ms']:.3f} ms")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (each size in its own process) and print the report."""
    parser = argparse.ArgumentParser(description="Online assignment latency, memory and re-clustering time at scale.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000], help="indexed signals")
    parser.add_argument("--singles", type=int, default=2000, help="signals one at a time, per path (default 2000)")
    parser.add_argument("--batches", type=int, default=5, help="batches of 1,000 signals (default 5)")
    parser.add_argument("--searches", type=int, default=200, help="semantic searches, one at a time (default 200)")
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="also run the old path (blocked kernel, with default threads and with one thread), taking turns with "
        "the new one in the same process",
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="machine output on stdout")
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(measure_size(args.child, args.singles, args.batches, args.searches, args.baseline)))
        return 0
    machine = machine_info(memory_available_gb=_gb(_memory_available()), baseline=args.baseline)
    report = {"machine": machine, "sizes": [_in_child(n, args) for n in args.sizes]}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print(report)
    return 0 if all("failed" not in r for r in report["sizes"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
