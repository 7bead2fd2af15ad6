# SPDX-License-Identifier: EUPL-1.2
"""Benchmark of the matching steps after the embedder: clustering candidates, theme assignment, the vector index and
re-clustering at scale. Prints the machine and date with every run (results go to docs/benchmarks.md).

- ``clusters``: candidates on ``matching/data/eval_nl.jsonl`` (rows shuffled with a fixed seed, as a stream
  interleaves themes) with the default USE embedder and with word hashing as the baseline: average- and
  complete-linkage agglomerative clustering at several cosine distance thresholds, HDBSCAN, single-pass leader
  clustering, and k-means told the true number of themes (an oracle, for reference). Scores: NMI with noise as one
  extra cluster, AMI with noise points as singletons (corrects for the number of clusters), coverage, clusters, time.
  Also the online rule: cluster the first half, assign the second half to the nearest centroid above a threshold.
- ``themes``: theme assignment from the seed examples (``theme_examples.jsonl``) on the evaluation texts.
- ``index``: exact flat search, IVF-Flat (calibrated nprobe) and HNSW on synthetic clustered 512-d vectors:
  recall@10 against exact search, single-query latency, build time.
- ``scale``: :class:`matching.clusters.AgglomerativeClusterer` on ``--n`` synthetic 512-d vectors (30 % noise).

    .venv/bin/python bench/matching_steps.py clusters themes
    .venv/bin/python bench/matching_steps.py index --n 60000
    .venv/bin/python bench/matching_steps.py scale --n 100000
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

sys.path.append(str(Path(__file__).resolve().parent))
from machine_info import machine_info

from matching.clusters import AgglomerativeClusterer, assign_to_centroids, centroids_of
from matching.embedder import Matrix

__all__ = ["main"]

os.environ.setdefault("HF_HUB_OFFLINE", "1")
DATA = Path(__file__).resolve().parent.parent / "matching" / "data"
SEED = 5


def _eval() -> tuple[list[str], np.ndarray]:
    rows = [json.loads(line) for line in (DATA / "eval_nl.jsonl").read_text(encoding="utf-8").splitlines()]
    order = np.random.default_rng(SEED).permutation(len(rows))
    return [rows[i]["text"] for i in order], np.array([rows[i]["theme"] for i in order])


def _vectors(texts: list[str]) -> dict[str, Matrix]:
    from matching.embedder import make_embedder
    from matching.fake_embedder import FakeEmbedder

    return {"use": make_embedder("use-multilingual", threads=2).embed(texts), "hashing": FakeEmbedder(512).embed(texts)}


def _score(truth: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import adjusted_mutual_info_score, normalized_mutual_info_score

    labels = np.asarray(labels, dtype=np.int64)
    noise = labels < 0
    singletons = labels.copy()
    singletons[noise] = labels.max() + 1 + np.arange(noise.sum())
    return {
        "nmi": round(float(normalized_mutual_info_score(truth, labels)), 3),
        "ami": round(float(adjusted_mutual_info_score(truth, singletons)), 3),
        "coverage": round(float(1 - noise.mean()), 2),
        "clusters": len(set(labels[~noise].tolist())),
    }


def _leader(vectors: Matrix, threshold: float) -> np.ndarray:
    leaders: list[np.ndarray] = []
    labels = []
    for vector in vectors:
        sims = np.array([leader @ vector for leader in leaders]) if leaders else np.zeros(0)
        if sims.size and sims.max() >= threshold:
            labels.append(int(sims.argmax()))
        else:
            leaders.append(vector)
            labels.append(len(leaders) - 1)
    return np.array(labels)


def _min_size(labels: np.ndarray, size: int = 3) -> np.ndarray:
    values, counts = np.unique(labels, return_counts=True)
    return np.where(np.isin(labels, values[counts < size]), -1, labels)


def _average(v: Matrix, c: np.ndarray, d: np.ndarray, *, threshold: float, limit: int) -> np.ndarray:
    return AgglomerativeClusterer(distance_threshold=threshold, direct_limit=limit).cluster(v)


def _complete(v: Matrix, c: np.ndarray, d: np.ndarray, *, threshold: float) -> np.ndarray:
    from scipy.cluster.hierarchy import fcluster, linkage

    return _min_size(fcluster(linkage(c, "complete"), threshold, "distance"))


def _hdbscan(v: Matrix, c: np.ndarray, d: np.ndarray, *, size: int) -> np.ndarray:
    from sklearn.cluster import HDBSCAN

    return np.asarray(
        HDBSCAN(min_cluster_size=size, metric="precomputed", cluster_selection_method="leaf").fit_predict(d)
    )


def _leader_min(v: Matrix, c: np.ndarray, d: np.ndarray, *, threshold: float) -> np.ndarray:
    return _min_size(_leader(v, threshold))


def _kmeans(v: Matrix, c: np.ndarray, d: np.ndarray) -> np.ndarray:
    from sklearn.cluster import KMeans

    return np.asarray(KMeans(16, n_init=1, random_state=0).fit_predict(v))


def bench_clusters() -> list[dict[str, Any]]:
    texts, truth = _eval()
    candidates: list[tuple[str, Any]] = []
    for t in (0.7, 0.75, 0.8, 0.85):
        candidates.append((f"agglomerative average {t} (default path)", partial(_average, threshold=t, limit=2000)))
        candidates.append(
            (f"agglomerative average {t} (partitioned, leaves<=100)", partial(_average, threshold=t, limit=100))
        )
        candidates.append((f"agglomerative complete {t}", partial(_complete, threshold=t)))
    for size in (3, 5):
        candidates.append((f"hdbscan min_cluster_size={size} (leaf)", partial(_hdbscan, size=size)))
    for t in (0.25, 0.3, 0.35):
        candidates.append((f"leader sim>={t}", partial(_leader_min, threshold=t)))
    candidates.append(("k-means k=16 (oracle k)", _kmeans))
    out: list[dict[str, Any]] = []
    for embedder, vectors in _vectors(texts).items():
        distances = np.clip(1.0 - vectors.astype(np.float64) @ vectors.T.astype(np.float64), 0, 2)
        condensed = distances[np.triu_indices(len(texts), 1)]
        for name, fn in candidates:
            start = time.perf_counter()
            labels = fn(vectors, condensed, distances)
            ms = round(1000 * (time.perf_counter() - start), 1)
            out.append({"embedder": embedder, "method": name, **_score(truth, labels), "ms": ms})
        half = len(texts) // 2
        first = AgglomerativeClusterer(attach_threshold=None).cluster(vectors[:half])
        centroids = centroids_of(vectors[:half], first)
        for threshold in (0.4, 0.5, 0.6):
            nearest, _ = assign_to_centroids(vectors[half:], centroids, threshold)
            majority = {
                c: max(set(truth[:half][first == c]), key=list(truth[:half][first == c]).count)
                for c in set(first[first >= 0].tolist())
            }
            hits = [majority[c] == t for c, t in zip(nearest.tolist(), truth[half:].tolist(), strict=True) if c >= 0]
            out.append(
                {
                    "embedder": embedder,
                    "method": f"online rule >= {threshold}",
                    "assigned": round(float(np.mean(nearest >= 0)), 2),
                    "precision": round(float(np.mean(hits)) if hits else 0.0, 2),
                }
            )
    return out


def bench_themes() -> list[dict[str, Any]]:
    from matching.embedder import make_embedder
    from matching.fake_embedder import FakeEmbedder
    from matching.themes import KnnThemeAssigner

    texts, truth = _eval()
    out = []
    for name, embedder in (("use", make_embedder("use-multilingual", threads=2)), ("hashing", FakeEmbedder(512))):
        assigner = KnnThemeAssigner.from_examples(embedder, min_confidence=0.0)
        assigned = assigner.assign(embedder.embed(texts), top=1)
        top = np.array([a[0].theme if a else "" for a in assigned])
        conf = np.array([a[0].confidence if a else 0.0 for a in assigned])
        row: dict[str, Any] = {"embedder": name, "top1_accuracy": round(float(np.mean(top == truth)), 3)}
        for floor in (0.3, 0.35, 0.4, 0.5):
            kept = conf >= floor
            row[f"conf>={floor}"] = {
                "coverage": round(float(kept.mean()), 2),
                "accuracy": round(float(np.mean(top[kept] == truth[kept])) if kept.any() else 0.0, 2),
            }
        out.append(row)
    return out


def _synthetic(n: int, dimension: int, noise: float, seed: int = 0, centres: int = 3000) -> Matrix:
    rng = np.random.default_rng(seed)
    directions = np.random.default_rng(1234).standard_normal((centres, dimension)).astype(np.float32)
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    points = directions[rng.integers(0, centres, n)] + noise * rng.standard_normal((n, dimension)).astype(np.float32)
    return (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)


def bench_index(n: int, noises: tuple[float, ...]) -> list[dict[str, Any]]:
    from matching import faiss_index  # FAISS through its one home in the project

    faiss = faiss_index.faiss
    out: list[dict[str, Any]] = []
    for noise in noises:
        vectors, queries = _synthetic(n, 512, noise), _synthetic(300, 512, noise, seed=1)
        truth = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]

        def measure(
            name: str,
            index: Any,
            build_s: float,
            noise: float = noise,
            queries: Matrix = queries,
            truth: np.ndarray = truth,
        ) -> None:
            _, found = index.search(queries, 10)
            recall = float(
                np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found.tolist(), truth.tolist(), strict=True)])
            )
            start = time.perf_counter()
            for q in queries[:100]:
                index.search(q.reshape(1, -1), 10)
            latency = (time.perf_counter() - start) * 10
            out.append(
                {
                    "noise": noise,
                    "index": name,
                    "recall@10": round(recall, 3),
                    "ms/query": round(latency, 2),
                    "build_s": round(build_s, 1),
                }
            )

        start = time.perf_counter()
        ivf = faiss_index.FaissIndex(512, approximate_threshold=min(n, 50_000), auto_rebuild=False)
        ivf.add(np.arange(n), vectors)
        ivf.rebuild()
        measure(f"FaissIndex ({ivf.kind}, nprobe={ivf.nprobe} calibrated)", ivf, time.perf_counter() - start)
        flat = faiss.IndexFlatIP(512)
        flat.add(vectors)
        measure("flat (exact)", flat, 0.0)
        start = time.perf_counter()
        hnsw = faiss.IndexHNSWFlat(512, 32, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = 64
        hnsw.add(vectors)
        hnsw.hnsw.efSearch = 64
        measure("HNSW M=32 efSearch=64", hnsw, time.perf_counter() - start)
    return out


def bench_scale(n: int) -> list[dict[str, Any]]:
    """Synthetic topics of ~140 signals each (cosine ~0.55 to their centre) plus 30 % unrelated noise, in chunks."""
    from sklearn.metrics import adjusted_mutual_info_score

    rng = np.random.default_rng(0)
    centres = rng.standard_normal((max(50, n // 200), 512)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    truth = rng.integers(0, centres.shape[0], n)
    noise = rng.random(n) < 0.3
    truth[noise] = -1
    points = np.empty((n, 512), dtype=np.float32)
    for start in range(0, n, 100_000):
        stop = min(start + 100_000, n)
        chunk = rng.standard_normal((stop - start, 512), dtype=np.float32)
        topical = truth[start:stop] >= 0
        chunk[topical] = centres[truth[start:stop][topical]] + 0.066 * chunk[topical]
        points[start:stop] = chunk / np.linalg.norm(chunk, axis=1, keepdims=True)
    start_time = time.perf_counter()
    labels = AgglomerativeClusterer().cluster(points)
    seconds = time.perf_counter() - start_time
    sample = min(n, 20_000)
    truth_s, labels_s = truth[:sample].copy(), labels[:sample].copy()
    truth_s[truth_s < 0] = truth.max() + 1 + np.arange(int((truth_s < 0).sum()))
    labels_s[labels_s < 0] = labels.max() + 1 + np.arange(int((labels_s < 0).sum()))
    ami = float(adjusted_mutual_info_score(truth_s, labels_s))
    return [
        {
            "n": n,
            "seconds": round(seconds, 1),
            "clusters": int(labels.max()) + 1,
            "true_clusters": int(centres.shape[0]),
            "ami_first_20k": round(ami, 3),
            "noise": round(float(np.mean(labels < 0)), 2),
        }
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("parts", nargs="+", choices=["clusters", "themes", "index", "scale"])
    parser.add_argument("--n", type=int, default=60_000, help="vectors for index/scale")
    parser.add_argument("--noise", type=float, nargs="+", default=[0.045, 0.055, 0.07], help="index: noise levels")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report: dict[str, Any] = {"machine": machine_info()}
    runners = {
        "clusters": bench_clusters,
        "themes": bench_themes,
        "index": lambda: bench_index(args.n, tuple(args.noise)),
        "scale": lambda: bench_scale(args.n),
    }
    for part in args.parts:
        report[part] = runners[part]()
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        m = report["machine"]
        print(f"{m['date']}  {m['cpu']}, {m['cores']} cores, load {m['loadavg_1m']}  Python {m['python']}")
        for part in args.parts:
            print(f"\n== {part}")
            for row in report[part]:
                print("  " + "  ".join(f"{k}={v}" for k, v in row.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
