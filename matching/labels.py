# SPDX-License-Identifier: EUPL-1.2
"""Cluster labels: class-based TF-IDF keywords and the signals closest to the centroid.

The default :class:`CtfidfLabeller` treats all texts of one cluster as one document and scores a term ``t`` in
cluster ``c`` as ``tf(t, c) / |c| · log(1 + A / f(t))`` (c-TF-IDF as in BERTopic): ``tf`` counts the term in the
cluster, ``|c|`` is the cluster's number of terms, ``f(t)`` the term's count over all texts (noise included, as a
background), and ``A`` the average number of terms per cluster. Terms are lower-cased words of at least three
letters (inner hyphens kept: ``digid-app``) and pairs of adjacent words, minus the Dutch stop words in
``matching/data/stopwords_nl.txt`` and the anonymiser's placeholders (``[NAAM]``, ``ADRES``, ...), which say
nothing about a topic. A cluster's ``label`` joins its best three keywords. Representatives are the cluster's
members most similar to its centroid with distinct texts (a complaint sent twice shows once), by key (the caller's
sequence numbers), not text, so a label never carries a signal's text.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from matching.clusters import Labels, centroids_of
from matching.embedder import Matrix

__all__ = ["PLACEHOLDERS", "STOPWORDS_FILE", "ClusterLabel", "CtfidfLabeller", "Labeller", "stopwords", "terms"]

STOPWORDS_FILE = Path(__file__).resolve().parent / "data" / "stopwords_nl.txt"
#: The placeholder names the anonymiser writes (``connectors.anonymiser.PLACEHOLDERS``; matching may not import it).
PLACEHOLDERS = frozenset(
    {
        "NAAM", "BSN", "RRN", "IBAN", "TELEFOON", "E-MAIL", "URL", "HANDLE", "ADRES", "POSTCODE", "KENTEKEN",
        "GEBOORTEDATUM", "KLANTNUMMER", "REFERENTIE",
    }
)  # fmt: skip
_PLACEHOLDER = re.compile(r"\[?\b(?:" + "|".join(sorted(map(re.escape, PLACEHOLDERS))) + r")\b\]?")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_MIN_LETTERS = 3


@dataclass(frozen=True)
class ClusterLabel:
    """Keywords (best first), a short label, and the keys of the most central members."""

    keywords: tuple[str, ...]
    label: str
    representatives: tuple[int, ...]


@runtime_checkable
class Labeller(Protocol):
    """Texts, vectors and cluster labels of a set of signals in; one :class:`ClusterLabel` per cluster out."""

    def label(
        self, texts: Sequence[str], vectors: Matrix, labels: Labels, keys: Sequence[int]
    ) -> dict[int, ClusterLabel]:
        """Label each cluster ``0..max(labels)``; rows labelled ``-1`` are background only."""
        ...


@cache
def stopwords(path: Path = STOPWORDS_FILE) -> frozenset[str]:
    """The stop-word list (comments and blank lines skipped)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def terms(text: str, stop: frozenset[str] | None = None) -> list[str]:
    """Keyword candidates of ``text``: content words and adjacent content-word pairs ("grijze container")."""
    stop = stopwords() if stop is None else stop
    # Placeholders go before lower-casing, so the ordinary words "naam" and "adres" stay usable.
    words = [word.lower() for word in _WORD.findall(_PLACEHOLDER.sub(" | ", text))]
    content = [w if len(w) >= _MIN_LETTERS and w not in stop else None for w in words]
    out = [w for w in content if w is not None]
    out.extend(f"{a} {b}" for a, b in itertools.pairwise(content) if a is not None and b is not None)
    return out


class CtfidfLabeller:
    """c-TF-IDF keywords and centroid-nearest representatives (see the module docstring)."""

    def __init__(self, *, keywords: int = 8, representatives: int = 3, min_term_count: int = 2) -> None:
        self.keywords = keywords
        self.representatives = representatives
        self.min_term_count = min_term_count

    def label(
        self, texts: Sequence[str], vectors: Matrix, labels: Labels, keys: Sequence[int]
    ) -> dict[int, ClusterLabel]:
        """Label every cluster; deterministic (ties broken alphabetically and by key)."""
        count = int(labels.max()) + 1 if len(labels) and labels.max() >= 0 else 0
        if count == 0:
            return {}
        per_cluster = [Counter[str]() for _ in range(count)]
        background = Counter[str]()
        for text, label in zip(texts, labels.tolist(), strict=True):
            found = terms(text)
            background.update(found)
            if label >= 0:
                per_cluster[label].update(found)
        average = sum(sum(c.values()) for c in per_cluster) / count
        centroids = centroids_of(vectors, labels)
        key_array = np.asarray(keys, dtype=np.int64)
        out: dict[int, ClusterLabel] = {}
        for label, counter in enumerate(per_cluster):
            chosen = self._keywords(counter, background, average)
            members = np.flatnonzero(labels == label)
            sims = vectors[members] @ centroids[label]
            order = sorted(range(members.size), key=lambda i: (-float(sims[i]), int(key_array[members[i]])))
            central = self._distinct(texts, members, order, key_array)
            out[label] = ClusterLabel(keywords=chosen, label=", ".join(chosen[:3]), representatives=central)
        return out

    def _distinct(
        self, texts: Sequence[str], members: npt.NDArray[np.int64], order: list[int], keys: npt.NDArray[np.int64]
    ) -> tuple[int, ...]:
        """The first ``representatives`` members in ``order`` whose texts differ (case and spacing aside): the same
        complaint sent twice shows once."""
        seen: set[str] = set()
        chosen: list[int] = []
        for i in order:
            text = " ".join(texts[int(members[i])].lower().split())
            if text in seen:
                continue
            seen.add(text)
            chosen.append(int(keys[members[i]]))
            if len(chosen) == self.representatives:
                break
        return tuple(chosen)

    def _keywords(self, counter: Counter[str], background: Counter[str], average: float) -> tuple[str, ...]:
        total = sum(counter.values())
        if total == 0:
            return ()
        # Terms seen at least ``min_term_count`` times rank first: in a small cluster a word used once would
        # otherwise win on rarity alone. Single-use words only fill up what is left.
        scored = sorted(
            (n < self.min_term_count, -(n / total) * math.log(1.0 + average / background[term]), term)
            for term, n in counter.items()
            if n >= self.min_term_count or " " not in term
        )
        chosen: list[str] = []
        for _, _, term in scored:
            words = term.split(" ")
            # Skip a word already inside a chosen pair, and a pair whose words are both already chosen.
            if len(words) == 1 and any(term in c.split(" ") for c in chosen if " " in c):
                continue
            if len(words) == 2 and all(w in chosen for w in words):
                continue
            chosen.append(term)
            if len(chosen) == self.keywords:
                break
        return tuple(chosen)
