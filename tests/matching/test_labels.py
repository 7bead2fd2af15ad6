# SPDX-License-Identifier: EUPL-1.2
"""Cluster labels: terms, the stop-word list, c-TF-IDF keywords and representative members."""

from __future__ import annotations

import numpy as np

from matching.fake_embedder import FakeEmbedder
from matching.labels import PLACEHOLDERS, STOPWORDS_FILE, CtfidfLabeller, Labeller, stopwords, terms


def test_terms_drop_stop_words_placeholders_and_short_words_and_keep_pairs() -> None:
    found = terms("Mevrouw [NAAM] belt: de grijze container op ADRES is al 2 weken niet geleegd.")
    assert {"grijze", "container", "geleegd", "weken", "grijze container"} <= set(found)
    assert not {"mevrouw", "naam", "adres", "belt", "de", "op", "is", "al", "niet"} & set(found)
    assert "2" not in found and not any(len(t) < 3 for t in found)
    # Only the anonymiser's upper-case placeholders go; the ordinary Dutch words stay usable.
    assert "naam" in terms("Mijn naam staat verkeerd gespeld in de brief.")
    assert "digid-app" in terms("De DigiD-app geeft een foutmelding.")


def test_the_stop_word_list_is_clean() -> None:
    lines = [line for line in STOPWORDS_FILE.read_text(encoding="utf-8").splitlines() if line and line[0] != "#"]
    assert len(lines) == len(set(lines)) >= 150
    assert all(line == line.strip().lower() for line in lines)
    assert {"de", "het", "een", "niet", "graag", "mevrouw"} <= stopwords()
    topical = {"container", "afval", "toeslag", "zorgtoeslag", "digid", "parkeren", "bus", "geluid", "paspoort"}
    assert not topical & stopwords()
    assert "NAAM" in PLACEHOLDERS and "ADRES" in PLACEHOLDERS


def _clusters() -> tuple[list[str], np.ndarray]:
    texts = [
        "De container is niet geleegd, container stinkt",
        "Container vol, vuilnis naast de container",
        "Grijze container al weken niet geleegd",
        "Parkeervergunning aangevraagd maar geen parkeervergunning ontvangen",
        "Wachten op de parkeervergunning duurt lang",
        "Parkeervergunning verlopen, parkeerplaats bezet",
        "Iets heel anders over de bibliotheek",
    ]
    return texts, np.array([0, 0, 0, 1, 1, 1, -1])


def test_keywords_are_distinctive_per_cluster_and_noise_is_only_background() -> None:
    texts, labels = _clusters()
    vectors = FakeEmbedder(128).embed(texts)
    labeller = CtfidfLabeller()
    assert isinstance(labeller, Labeller)
    result = labeller.label(texts, vectors, labels, [10, 11, 12, 13, 14, 15, 16])
    assert set(result) == {0, 1}
    assert result[0].keywords[0] == "container" and result[1].keywords[0] == "parkeervergunning"
    assert result[0].label.startswith("container")
    assert not {"bibliotheek"} & set(result[0].keywords + result[1].keywords)
    assert set(result[0].representatives) <= {10, 11, 12} and len(result[0].representatives) == 3


def test_representatives_are_the_members_closest_to_the_centroid() -> None:
    vectors = np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0], [0.6, 0.8]], dtype=np.float32)
    labels = np.array([0, 0, 0, 0])
    result = CtfidfLabeller(representatives=2).label(
        ["a b c", "a b d", "a b e", "a b f"], vectors, labels, [4, 3, 2, 1]
    )
    assert result[0].representatives == (1, 3)  # the two diagonal vectors tie for nearest: lower key first
    assert result[0].keywords == ()  # nothing left once short words are gone


def test_a_text_sent_twice_is_one_representative() -> None:
    vectors = np.array([[0.8, 0.6], [0.6, 0.8], [1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    texts = ["Lege flessen bij de school.", "lege flessen  bij de School.", "Kapotte lamp.", "Gat in de weg."]
    result = CtfidfLabeller(representatives=3).label(texts, vectors, np.zeros(4, dtype=np.int64), [1, 2, 3, 4])
    assert result[0].representatives == (1, 3, 4)  # 2 says what 1 says; the next distinct texts fill in


def test_labels_are_deterministic_and_empty_input_gives_nothing() -> None:
    texts, labels = _clusters()
    vectors = FakeEmbedder(128).embed(texts)
    keys = list(range(len(texts)))
    assert CtfidfLabeller().label(texts, vectors, labels, keys) == CtfidfLabeller().label(texts, vectors, labels, keys)
    assert CtfidfLabeller().label([], np.zeros((0, 4), dtype=np.float32), np.zeros(0, dtype=np.int64), []) == {}
