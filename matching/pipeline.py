# SPDX-License-Identifier: EUPL-1.2
"""The matching pipeline's name → factory tables, its settings (:class:`MatchingConfig`) and assembly.

Each step is a small Protocol with a default, chosen by name with options:

==============  =========================================  ============================================
step            table                                      default
==============  =========================================  ============================================
embedder        :data:`matching.embedder.EMBEDDERS`        ``use-multilingual`` (ADR 0002)
index           :data:`matching.index.INDEXES`             ``faiss`` (exact, IVF-Flat past 50,000)
clusterer       :data:`CLUSTERERS`                         ``agglomerative`` (average linkage, 0.75)
labeller        :data:`LABELLERS`                          ``ctfidf``
themes          :data:`THEME_ASSIGNERS`                    ``knn`` (seed examples + source themes)
terms           :data:`TERM_FINDERS`                       ``fragments`` (emerging word pieces)
==============  =========================================  ============================================

:func:`build_engine` puts them together over a data folder: ``matching.db`` (state), ``embeddings.sqlite3``
(embedding cache: it also makes replays bitwise reproducible) and ``matching.faiss`` (index). The settings that
change results form a fingerprint stored in the state; an engine with other settings refuses to continue on it.
Nothing here imports the hub.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from governance.errors import InvalidInputError
from matching.cleaning import make_cleaner
from matching.clusters import AgglomerativeClusterer, Clusterer
from matching.detection import DAILY_DETECTORS, Detection
from matching.embedder import DEFAULT_EMBEDDER, Embedder, make_embedder
from matching.embedding_cache import CachedEmbedder, EmbeddingCache
from matching.engine import MatchingEngine
from matching.index import DEFAULT_INDEX, make_index
from matching.labels import CtfidfLabeller, Labeller
from matching.schedule import Schedule
from matching.state import MatchingState
from matching.terms import EmergingTerms, TermFinder
from matching.themes import KnnThemeAssigner, ThemeAssigner

__all__ = [
    "CLUSTERERS",
    "INDEX_FILENAME",
    "LABELLERS",
    "TERM_FINDERS",
    "THEME_ASSIGNERS",
    "DetectionConfig",
    "MatchingConfig",
    "ScheduleConfig",
    "StepConfig",
    "UnknownStepError",
    "build_engine",
    "load_config",
    "make_clusterer",
    "make_labeller",
    "make_term_finder",
    "make_theme_assigner",
]

INDEX_FILENAME = "matching.faiss"


def _graph(**options: Any) -> Clusterer:
    from matching.graph_clusters import GraphClusterer  # networkx: loaded only when chosen

    return GraphClusterer(**options)


CLUSTERERS: dict[str, Callable[..., Clusterer]] = {"agglomerative": AgglomerativeClusterer, "graph": _graph}
LABELLERS: dict[str, Callable[..., Labeller]] = {"ctfidf": CtfidfLabeller}
THEME_ASSIGNERS: dict[str, Callable[..., ThemeAssigner]] = {"knn": KnnThemeAssigner.from_examples}
TERM_FINDERS: dict[str, Callable[..., TermFinder]] = {"fragments": EmergingTerms}


class UnknownStepError(InvalidInputError):
    """A configured step name that its table does not hold."""

    code = "unknown-matching-step"


class StepConfig(BaseModel):
    """One step: the name in its table and the options for its factory."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    options: dict[str, Any] = Field(default_factory=dict)


class ScheduleConfig(BaseModel):
    """Event-time schedule and online rule (see :class:`matching.schedule.Schedule`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    epoch_days: float = Field(default=7.0, gt=0)
    window_epochs: int = Field(default=8, ge=1)
    lateness_hours: float = Field(default=48.0, ge=0)
    advance_after: int = Field(default=3, ge=1)
    assign_threshold: float = Field(default=0.5, ge=-1.0, le=1.0)
    min_overlap: float = Field(default=0.5, gt=0.0, le=1.0)
    theme_top: int = Field(default=3, ge=1)
    promote_min_size: int = Field(default=6, ge=0)
    promote_days: int = Field(default=14, ge=1)
    promote_broad_min_size: int = Field(default=4, ge=0)
    promote_broad_organisations: int = Field(default=3, ge=1)

    def schedule(self) -> Schedule:
        """The engine's :class:`~matching.schedule.Schedule`."""
        return Schedule(
            epoch=timedelta(days=self.epoch_days),
            window_epochs=self.window_epochs,
            lateness=timedelta(hours=self.lateness_hours),
            advance_after=self.advance_after,
            assign_threshold=self.assign_threshold,
            min_overlap=self.min_overlap,
            theme_top=self.theme_top,
            promote_min_size=self.promote_min_size,
            promote_days=self.promote_days,
            promote_broad_min_size=self.promote_broad_min_size,
            promote_broad_organisations=self.promote_broad_organisations,
        )


class DetectionConfig(BaseModel):
    """Daily detectors (name → options), policy-effect options and the day clock (see :mod:`matching.detection`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    detectors: dict[str, dict[str, Any]] = Field(default_factory=lambda: dict(DAILY_DETECTORS))
    policy_effect: dict[str, Any] = Field(default_factory=dict)
    lateness_hours: float = Field(default=24.0, ge=0)
    lookback_days: int = Field(default=100, ge=28)
    #: clusters at least this similar (centroid cosine) are also counted together by the cross-organisation
    #: detector (:mod:`matching.related`); ``None`` switches that off.
    related_threshold: float | None = Field(default=0.6, ge=-1.0, le=1.0)
    #: ... when at least one of the two was first seen within this many days.
    related_young_days: int = Field(default=21, ge=1)

    def detection(self, state: MatchingState, advance_after: int) -> Detection:
        """The engine's :class:`~matching.detection.Detection` over ``state``."""
        return Detection(
            state,
            detectors=self.detectors,
            policy_options=self.policy_effect,
            lateness=timedelta(hours=self.lateness_hours),
            advance_after=advance_after,
            lookback_days=self.lookback_days,
            related_threshold=self.related_threshold,
            related_young_days=self.related_young_days,
        )


class MatchingConfig(BaseModel):
    """Which implementation each step uses, with options; unknown keys are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cleaner: StepConfig | None = StepConfig(name="channel-nl")
    embedder: StepConfig = StepConfig(name=DEFAULT_EMBEDDER)
    cache_embeddings: bool = True
    index: StepConfig | None = StepConfig(name=DEFAULT_INDEX)
    clusterer: StepConfig = StepConfig(name="agglomerative")
    labeller: StepConfig = StepConfig(name="ctfidf")
    themes: StepConfig | None = StepConfig(name="knn")
    terms: StepConfig | None = StepConfig(name="fragments")
    schedule: ScheduleConfig = ScheduleConfig()
    detection: DetectionConfig | None = DetectionConfig()

    def fingerprint(self, embedder_name: str) -> str:
        """SHA-256 over everything that changes results (the index is excluded: it does not change clusters)."""
        relevant = self.model_dump(mode="json", exclude={"index", "cache_embeddings", "detection"})
        relevant["embedder_name"] = embedder_name
        return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()


def load_config(path: str | os.PathLike[str] | None) -> MatchingConfig:
    """Matching settings from a TOML file (``None``: the defaults); a bad file is an :class:`InvalidInputError`."""
    if path is None:
        return MatchingConfig()
    try:
        return MatchingConfig.model_validate(tomllib.loads(Path(path).read_text(encoding="utf-8")))
    except OSError:
        raise InvalidInputError(f"{path}: cannot read the matching settings file") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInputError(f"{path}: not valid TOML ({exc})") from None
    except ValueError as exc:
        raise InvalidInputError(f"{path}: invalid matching settings: {str(exc).splitlines()[0]}") from None


def _make(table: dict[str, Callable[..., Any]], kind: str, name: str, *args: Any, **options: Any) -> Any:
    try:
        factory = table[name]
    except KeyError:
        raise UnknownStepError(f"unknown {kind} {name!r}; choose one of: {', '.join(sorted(table))}") from None
    return factory(*args, **options)


def make_clusterer(name: str = "agglomerative", **options: Any) -> Clusterer:
    """The clusterer registered as ``name``."""
    clusterer: Clusterer = _make(CLUSTERERS, "clusterer", name, **options)
    return clusterer


def make_labeller(name: str = "ctfidf", **options: Any) -> Labeller:
    """The labeller registered as ``name``."""
    labeller: Labeller = _make(LABELLERS, "labeller", name, **options)
    return labeller


def make_theme_assigner(embedder: Embedder, name: str = "knn", **options: Any) -> ThemeAssigner:
    """The theme assigner registered as ``name``, seeded through ``embedder``."""
    assigner: ThemeAssigner = _make(THEME_ASSIGNERS, "theme assigner", name, embedder, **options)
    return assigner


def make_term_finder(name: str = "fragments", **options: Any) -> TermFinder:
    """The emerging-terms step registered as ``name``."""
    finder: TermFinder = _make(TERM_FINDERS, "term finder", name, **options)
    return finder


def build_engine(
    config: MatchingConfig, folder: str | os.PathLike[str], *, embedder: Embedder | None = None
) -> MatchingEngine:
    """Assemble a :class:`~matching.engine.MatchingEngine` over ``folder`` (created if missing).

    ``embedder`` replaces the configured one (tests pass the hashing embedder). The index, when configured, is
    loaded from ``folder/matching.faiss`` and caught up with the state; save it with
    ``engine.save_index(folder / INDEX_FILENAME)``.
    """
    root = Path(folder)
    state = MatchingState(root)
    chosen = embedder if embedder is not None else make_embedder(config.embedder.name, **config.embedder.options)
    if config.cache_embeddings:
        chosen = CachedEmbedder(chosen, EmbeddingCache(root))
    index = None
    if config.index is not None:
        index = make_index(config.index.name, dimension=chosen.dimension, **config.index.options)
    themes = None
    if config.themes is not None:
        themes = make_theme_assigner(chosen, config.themes.name, **config.themes.options)
    advance = config.schedule.advance_after
    engine = MatchingEngine(
        state,
        chosen,
        make_clusterer(config.clusterer.name, **config.clusterer.options),
        make_labeller(config.labeller.name, **config.labeller.options),
        schedule=config.schedule.schedule(),
        themes=themes,
        terms=make_term_finder(config.terms.name, **config.terms.options) if config.terms is not None else None,
        index=index,
        detection=config.detection.detection(state, advance) if config.detection is not None else None,
        cleaner=make_cleaner(config.cleaner.name, **config.cleaner.options) if config.cleaner is not None else None,
        fingerprint=config.fingerprint(chosen.name),
    )
    engine.restore_index(root / INDEX_FILENAME)
    return engine
