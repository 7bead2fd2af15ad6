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
   signal: nearest centroid above the threshold (:func:`matching.clusters.assign_to_centroids`, 0.5) and an ``add``
   to the index, plus one semantic search (k=10) as the optional third step. One at a time (latency p50/p99 per
   signal), with the libraries' default threads and again with BLAS and FAISS limited to one thread; and in
   batches of 1,000 (the engine's batch; cost per signal);
5. what-ifs for the assignment kernel (bench-only code, same centroids, one BLAS thread): the transposed centroid
   matrix kept between calls instead of rebuilt per call, and smaller zero-padded blocks than the 256 rows used now
   (any fixed block keeps the engine's replay guarantee: a row's result does not depend on its batch).

Memory: resident set size (RSS) sampled every 20 ms by a thread, reported as the peak per phase and the steady
state after each phase. Run one size at a time on a shared machine; 1,000,000 signals need about 10 GB at peak.

    .venv/bin/python bench/assign.py                       # 100,000 and 1,000,000
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
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.append(str(Path(__file__).resolve().parent))
from machine_info import machine_info

from matching.clusters import AgglomerativeClusterer, assign_to_centroids, centroids_of
from matching.embedder import Matrix
from matching.index import make_index

__all__ = ["main", "measure_size", "synthetic_signals"]

DIMENSION = 512
THRESHOLD = 0.5  # ScheduleConfig.assign_threshold's default
ENGINE_BATCH = 1000
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


def _padded_argmax(vectors: Matrix, centroids_t: Matrix, block: int) -> tuple[np.ndarray, np.ndarray]:
    """The rule of :func:`assign_to_centroids` with a pre-transposed centroid matrix and a ``block``-row pad."""
    count = vectors.shape[0]
    best = np.empty(count, dtype=np.int64)
    scores = np.empty(count, dtype=np.float32)
    buffer = np.zeros((block, vectors.shape[1]), dtype=np.float32)
    for start in range(0, count, block):
        stop = min(start + block, count)
        buffer[:] = 0.0
        buffer[: stop - start] = vectors[start:stop]
        sims = (buffer @ centroids_t)[: stop - start]
        nearest = np.argmax(sims, axis=1)
        best[start:stop] = nearest
        scores[start:stop] = sims[np.arange(stop - start), nearest]
    best[scores < THRESHOLD] = -1
    return best, scores


def _time_each(fn: Callable[[Matrix], object], vectors: Matrix, warm: int = 20) -> list[float]:
    for row in range(min(warm, vectors.shape[0])):
        fn(vectors[row : row + 1])
    out = []
    for row in range(vectors.shape[0]):
        start = time.perf_counter()
        fn(vectors[row : row + 1])
        out.append(time.perf_counter() - start)
    return out


def _one_at_a_time(vectors: Matrix, centroids: Matrix, index: Any, first_id: int) -> dict[str, Any]:
    """Per-signal latency of each step, the first few calls (thread pools, caches) left out."""
    assign_s, add_s, search_s, assigned = [], [], [], 0
    for row in range(vectors.shape[0]):
        vector = vectors[row : row + 1]
        start = time.perf_counter()
        nearest, _ = assign_to_centroids(vector, centroids, THRESHOLD)
        middle = time.perf_counter()
        index.add([first_id + row], vector)
        added = time.perf_counter()
        index.search(vector, 10)
        searched = time.perf_counter()
        assigned += int(nearest[0] >= 0)
        assign_s.append(middle - start)
        add_s.append(added - middle)
        search_s.append(searched - added)
    warm = min(20, vectors.shape[0] // 10)
    assign_s, add_s, search_s = assign_s[warm:], add_s[warm:], search_s[warm:]
    both = [a + b for a, b in zip(assign_s, add_s, strict=True)]
    every = [a + b + c for a, b, c in zip(assign_s, add_s, search_s, strict=True)]
    return {
        "signals": len(both),
        "assigned_share": round(assigned / max(vectors.shape[0], 1), 3),
        "assign": _percentiles(assign_s),
        "index_add": _percentiles(add_s),
        "search_k10": _percentiles(search_s),
        "assign_plus_add": _percentiles(both),
        "assign_add_search": _percentiles(every),
    }


@contextmanager
def _single_threaded() -> Iterator[None]:
    """BLAS and FAISS's OpenMP limited to one thread (FAISS reached through its one home in the project)."""
    from threadpoolctl import threadpool_limits

    from matching import faiss_index

    faiss_index.faiss.omp_set_num_threads(1)
    try:
        with threadpool_limits(limits=1):
            yield
    finally:
        faiss_index.faiss.omp_set_num_threads(os.cpu_count() or 1)


@contextmanager
def _phase(rss: _RssSampler, report: dict[str, Any], name: str) -> Iterator[None]:
    rss.reset()
    start = time.perf_counter()
    yield
    report[f"{name}_s"] = round(time.perf_counter() - start, 2)
    report[f"{name}_peak_rss_gb"] = _gb(rss.peak)
    report[f"after_{name}_rss_gb"] = _gb(rss.now())


def measure_size(n: int, singles: int, batches: int) -> dict[str, Any]:
    """Every measurement for ``n`` indexed signals (see the module docstring)."""
    rss = _RssSampler()
    report: dict[str, Any] = {"indexed": n, "start_rss_gb": _gb(rss.now())}
    fresh_count = 2 * singles + batches * ENGINE_BATCH
    with _phase(rss, report, "generate"):
        points, truth = synthetic_signals(n + fresh_count)
        indexed, fresh = points[:n], points[n:].copy()  # a copy: a view would keep all of points alive
    with _phase(rss, report, "recluster"):
        labels = AgglomerativeClusterer().cluster(indexed)
    report["clusters"] = int(labels.max()) + 1
    report["planted_topics"] = int(truth.max()) + 1
    report["noise_share"] = round(float(np.mean(labels < 0)), 3)
    centroids = centroids_of(indexed, labels)
    del labels, truth
    index = make_index("faiss", dimension=DIMENSION)
    with _phase(rss, report, "index_build"):
        index.add(np.arange(n, dtype=np.int64), indexed)
    report["index_kind"] = getattr(index, "kind", "?")
    report["index_nprobe"] = getattr(index, "nprobe", None)
    del points, indexed  # from here on the process holds what a hub would: index, centroids, the new signals
    report["steady_rss_gb"] = _gb(rss.now())

    # One signal at a time, as the engine handles a batch of one: assign, add, then (optionally) search. First
    # with the libraries' default threads (BLAS and FAISS's OpenMP use every core), then with one thread each.
    report["single"] = _one_at_a_time(fresh[:singles], centroids, index, n)
    with _single_threaded():
        report["single_one_thread"] = _one_at_a_time(fresh[singles : 2 * singles], centroids, index, n + singles)
    next_id = n + 2 * singles
    offset = 2 * singles

    # Batches of 1,000, as MatchingEngine.process gets them: cost per signal of each step.
    batch_assign, batch_add, batch_search = [], [], []
    for number in range(batches):
        block = fresh[offset + number * ENGINE_BATCH : offset + (number + 1) * ENGINE_BATCH]
        ids = np.arange(next_id, next_id + block.shape[0], dtype=np.int64)
        next_id += block.shape[0]
        start = time.perf_counter()
        assign_to_centroids(block, centroids, THRESHOLD)
        middle = time.perf_counter()
        index.add(ids, block)
        added = time.perf_counter()
        index.search(block, 10)
        searched = time.perf_counter()
        batch_assign.append((middle - start) / block.shape[0])
        batch_add.append((added - middle) / block.shape[0])
        batch_search.append((searched - added) / block.shape[0])
    if batches:
        report["batched"] = {
            "batches": batches,
            "batch_size": ENGINE_BATCH,
            "assign_ms_per_signal": round(1000 * float(np.median(batch_assign)), 4),
            "index_add_ms_per_signal": round(1000 * float(np.median(batch_add)), 4),
            "search_k10_ms_per_signal": round(1000 * float(np.median(batch_search)), 4),
        }

    # What-ifs for the assignment kernel, same centroids and signals (not what the engine runs today), with one
    # BLAS thread: on a shared machine that is what keeps per-signal latency low (see the one-thread run above).
    centroids_t = np.ascontiguousarray(centroids.T)
    sample = fresh[: min(singles, 1000)]
    batch = fresh[offset : offset + ENGINE_BATCH] if fresh.shape[0] >= offset + ENGINE_BATCH else sample
    whatif: dict[str, Any] = {}
    with _single_threaded():
        kernels: dict[str, Callable[[Matrix], object]] = {
            "current (transpose per call, 256-row pad)": lambda v: assign_to_centroids(v, centroids, THRESHOLD)
        }
        for block_rows in (256, 16, 1):
            kernels[f"transpose kept, {block_rows}-row pad"] = partial(
                _padded_argmax, centroids_t=centroids_t, block=block_rows
            )
        for name, kernel in kernels.items():
            timing: dict[str, Any] = dict(_percentiles(_time_each(kernel, sample)))
            start = time.perf_counter()
            kernel(batch)
            timing["batched_ms_per_signal"] = round(1000 * (time.perf_counter() - start) / batch.shape[0], 4)
            whatif[name] = timing
    report["assign_whatif"] = whatif
    report["centroids"] = int(centroids.shape[0])
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


def _in_child(n: int, singles: int, batches: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", str(n), "--singles", str(singles), "--batches", str(batches)]
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
        for key, title in (("single", "default threads"), ("single_one_thread", "one thread")):
            s = r[key]
            print(f"  one at a time, {title} ({s['signals']} signals, {s['assigned_share']:.0%} assigned):")
            for step in ("assign", "index_add", "search_k10", "assign_plus_add", "assign_add_search"):
                p = s[step]
                print(
                    f"    {step:<18} p50 {p['p50_ms']:>8.3f} ms  p99 {p['p99_ms']:>8.3f} ms  max {p['max_ms']:>8.3f} ms"
                )
        if "batched" in r:
            b = r["batched"]
            print(
                f"  batches of {b['batch_size']}: assign {b['assign_ms_per_signal']} ms, add "
                f"{b['index_add_ms_per_signal']} ms, search {b['search_k10_ms_per_signal']} ms per signal"
            )
        print(f"  assignment kernel what-ifs, one thread ({r['centroids']} centroids):")
        for name, p in r["assign_whatif"].items():
            extra = f"  batched {p['batched_ms_per_signal']} ms/signal" if "batched_ms_per_signal" in p else ""
            print(f"    {name:<44} p50 {p['p50_ms']:>7.3f} ms  p99 {p['p99_ms']:>7.3f} ms{extra}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (each size in its own process) and print the report."""
    parser = argparse.ArgumentParser(description="Online assignment latency, memory and re-clustering time at scale.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000], help="indexed signals")
    parser.add_argument("--singles", type=int, default=2000, help="signals assigned one at a time (default 2000)")
    parser.add_argument("--batches", type=int, default=5, help="batches of 1,000 signals (default 5)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="machine output on stdout")
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(measure_size(args.child, args.singles, args.batches)))
        return 0
    machine = machine_info(memory_available_gb=_gb(_memory_available()))
    report = {"machine": machine, "sizes": [_in_child(n, args.singles, args.batches) for n in args.sizes]}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print(report)
    return 0 if all("failed" not in r for r in report["sizes"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
