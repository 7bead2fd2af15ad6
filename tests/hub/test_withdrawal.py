# SPDX-License-Identifier: EUPL-1.2
"""A signed withdrawal end to end: signals delivered over HTTP, matched by the real engine (hashing embedder, FAISS
index, embedding cache), withdrawn by their agency, and then findable by no API, search, export or table."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from connectors.cli import sign_withdrawal
from governance.audit import AuditLog
from hub.insights import Insights
from hub.matching_source import HubSignalSource
from matching.cleaning import make_cleaner
from matching.embedding_cache import EmbeddingCache, text_key
from matching.faiss_index import FaissIndex
from matching.fake_embedder import FakeEmbedder
from matching.patterns import member_ids
from matching.pipeline import INDEX_FILENAME, build_engine, load_config
from matching.state import MatchingState
from tests.hub.support import HUB_ID, Hub, assert_problem, open_hub
from tests.matching.streams import make_stream

_TOML = (
    'cleaner = { name = "channel-nl" }\n[clusterer]\nname = "agglomerative"\noptions = { distance_threshold = 0.65 }\n'
)
_AGENCIES = ("GM0363", "GM0599", "UWV", "BD")
_LETTERS = str.maketrans("0123456789", "ghijklmnop")


@dataclass
class World:
    hub: Hub
    texts: dict[str, str]  # signal id -> text as sent
    agency: dict[str, str]  # signal id -> agency
    batch_of: dict[str, str]  # signal id -> batch jti

    @property
    def folder(self) -> Path:
        return self.hub.settings.data / "matching"


def _deliver(hub: Hub) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """The stream's records as real signals, delivered in stream order (one batch per run of one agency)."""
    records = make_stream(5, 40)
    texts: dict[str, str] = {}
    agency: dict[str, str] = {}
    batch_of: dict[str, str] = {}
    runs: list[list[Any]] = []
    for record in records:
        if runs and runs[-1][0].agency == record.agency:
            runs[-1].append(record)
        else:
            runs.append([record])
    for run in runs:
        code = run[0].agency
        signals = hub.signals(len(run), code)
        for signal, record in zip(signals, run, strict=True):
            marker = uuid.uuid4().hex[:10].translate(_LETTERS)
            signal["text"] = f"{record.text[:-1]} kenmerk{marker}."
            signal["observed_at"] = record.observed_at.isoformat()
            signal["published_at"] = record.observed_at.isoformat()
            signal["themes"] = list(record.themes) or ["afval"]
            signal.pop("location", None)
            texts[signal["id"]] = signal["text"]
            agency[signal["id"]] = code
        signed = hub.signers[code].sign(signals)
        response = hub.post(signed.token)
        assert response.status_code == 202, response.text
        assert response.json()["accepted"] == len(run)
        batch_of.update({s["id"]: signed.jti for s in signals})
    return texts, agency, batch_of


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    config = tmp_path / "matching.toml"
    config.write_text(_TOML, encoding="utf-8")
    with open_hub(tmp_path, agencies=_AGENCIES, matching_config=config) as hub:
        texts, agency, batch_of = _deliver(hub)
        folder = hub.settings.data / "matching"
        engine = build_engine(load_config(config), folder, embedder=FakeEmbedder(256))
        engine.run(HubSignalSource(hub.storage))
        engine.save_index(folder / INDEX_FILENAME)
        engine.state.close()
        engine.embedder.cache.close()  # type: ignore[attr-defined]
        hub.services._insights = Insights(hub.services, embedder=lambda: FakeEmbedder(256))
        yield World(hub, texts, agency, batch_of)
        hub.services.insights.close()


def _state_rows(folder: Path, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    state = MatchingState(folder)
    try:
        with state.connection() as db:
            return list(db.execute(sql, args).fetchall())
    finally:
        state.close()


def _pick(world: World) -> tuple[int, str, list[str], dict[str, int]]:
    """A listed pattern with texts shown, the agency to withdraw from, its members there (one a representative)."""
    hub = world.hub
    analist = hub.bearer("analist")
    listed = hub.client.get("/v1/patterns?per_page=200", headers=analist).json()["items"]
    seqs = dict(_state_rows(world.folder, "SELECT id, seq FROM signals"))
    for row in listed:
        detail = hub.client.get(f"/v1/patterns/{row['id']}", headers=analist).json()
        if not detail["representatives"]["texts"] or row["signals"]["value"] is None:
            continue
        members = member_ids(MatchingState(world.folder), row["id"])
        representatives = _state_rows(world.folder, "SELECT representatives FROM clusters WHERE id = ?", (row["id"],))
        first = json.loads(representatives[0][0])[0]
        code = next(world.agency[sid] for sid in members if seqs[sid] == first)
        own = [sid for sid in members if world.agency[sid] == code]
        chosen = [sid for sid in own if seqs[sid] == first] + [sid for sid in own if seqs[sid] != first][:2]
        return int(row["id"]), code, chosen, seqs
    raise AssertionError("no pattern with texts shown")


def test_a_withdrawn_signal_is_found_by_no_api_search_export_or_table(world: World) -> None:
    hub = world.hub
    analist = hub.bearer("analist")
    pattern_id, code, victims, seqs = _pick(world)
    victim_seqs = [seqs[sid] for sid in victims]
    cleaner = make_cleaner("channel-nl")
    before = hub.client.get(f"/v1/patterns/{pattern_id}", headers=analist).json()
    size_before = _state_rows(world.folder, "SELECT size FROM clusters WHERE id = ?", (pattern_id,))[0][0]
    assert any(world.texts[victims[0]] == text for text in before["representatives"]["texts"])
    found = hub.client.get("/v1/search", params={"q": world.texts[victims[0]], "k": 5}, headers=analist).json()
    assert victims[0] in {hit["signal_id"] for hit in found}  # also builds the search engine and its live index
    assert hub.client.get("/v1/search", params={"signal": victims[1], "k": 3}, headers=analist).status_code == 200
    with EmbeddingCache(world.folder) as cache:
        cached_before = cache.count()
        assert cache.get_many("fake-hash", [text_key(cleaner.clean(world.texts[victims[0]]))], 256) or cached_before

    other = next(sid for sid, owner in world.agency.items() if owner != code)
    stranger = str(uuid.uuid4())
    token = sign_withdrawal(hub.keys[code], code, HUB_ID, [*victims, other, stranger], reason="sent-in-error")
    response = hub.client.post("/v1/withdrawals", content=token, headers={"Content-Type": "application/jose"})
    assert response.status_code == 202, response.text
    receipt = response.json()
    assert receipt["withdrawn"] == victims and receipt["unknown"] == [other, stranger]
    assert receipt["already_withdrawn"] == [] and receipt["agency"] == code and receipt["reason"] == "sent-in-error"
    secrets = [world.texts[sid] for sid in victims]
    # the embedding cache first: a search below embeds its query text (the victim's own) and caches that query
    with EmbeddingCache(world.folder) as cache:
        keys = [text_key(t) for t in secrets] + [text_key(cleaner.clean(t)) for t in secrets]
        for name in cache.embedder_names():
            assert cache.get_many(name, keys, 256) == {}
        assert cache.count() < cached_before

    # the same bytes: the same receipt (200); the same jti with other content: 409
    again = hub.client.post("/v1/withdrawals", content=token, headers={"Content-Type": "application/jose"})
    assert again.status_code == 200 and again.json() == receipt
    jti = receipt["withdrawal_id"]
    forged = _resign(hub, code, token, signal_ids=[other])
    assert_problem(
        hub.client.post("/v1/withdrawals", content=forged, headers={"Content-Type": "application/jose"}),
        409,
        "withdrawal-conflict",
    )

    # the agency's batch read-back keeps the ids it sent (like the tombstone), never a text
    batch = hub.client.get(
        f"/v1/batches/{world.batch_of[victims[0]]}", headers={"Authorization": f"Bearer {hub.agency_jwt(code)}"}
    )
    assert batch.status_code == 200 and not any(secret in batch.text for secret in secrets)

    # patterns: counts dropped, members and representatives replaced
    size_after = _state_rows(world.folder, "SELECT size FROM clusters WHERE id = ?", (pattern_id,))[0][0]
    assert size_after == size_before - len(victims)
    after = hub.client.get(f"/v1/patterns/{pattern_id}", headers=analist).json()
    if before["total"]["value"] is not None and after["total"]["value"] is not None:
        assert after["total"]["value"] == before["total"]["value"] - len(victims)
    assert not set(victims) & set(member_ids(MatchingState(world.folder), pattern_id))
    representatives = json.loads(
        _state_rows(world.folder, "SELECT representatives FROM clusters WHERE id = ?", (pattern_id,))[0][0]
    )
    assert not set(representatives) & set(victim_seqs) and representatives
    for path in (
        "/v1/patterns?per_page=200",
        f"/v1/patterns/{pattern_id}",
        "/v1/patterns?per_page=200&format=csv",
        f"/v1/patterns/{pattern_id}/series?format=csv",
        "/v1/overview",
        "/v1/themes?format=csv",
    ):
        page = hub.client.get(path, headers=analist)
        assert page.status_code == 200, (path, page.text)
        assert not any(secret in page.text or sid in page.text for secret, sid in zip(secrets, victims, strict=True))

    # search: by text, by id, as an export
    for sid in victims:
        hits = hub.client.get("/v1/search", params={"q": world.texts[sid], "k": 20}, headers=analist)
        assert hits.status_code == 200 and sid not in hits.text and world.texts[sid] not in hits.text
        exported = hub.client.get("/v1/search", params={"q": world.texts[sid], "format": "csv"}, headers=analist)
        assert exported.status_code == 200 and sid not in exported.text
        assert_problem(hub.client.get("/v1/search", params={"signal": sid}, headers=analist), 404, "not-found")

    # the hub's tables: no document, no text; a tombstone without content
    db = sqlite3.connect(hub.settings.data / "hartslag.db")
    try:
        marks = ",".join("?" * len(victims))
        assert db.execute(f"SELECT count(*) FROM signals WHERE id IN ({marks})", victims).fetchone() == (0,)
        for secret in secrets:
            assert db.execute("SELECT count(*) FROM signals WHERE document LIKE ?", (f"%{secret}%",)).fetchone() == (0,)
        stones = db.execute("SELECT agency, id, cause, reference FROM tombstones ORDER BY id").fetchall()
        assert stones == sorted((code, sid, "withdrawal", jti) for sid in victims)
        assert [r[1] for r in db.execute("PRAGMA table_info(tombstones)")] == [
            "agency", "id", "removed_at", "cause", "reference"
        ]  # fmt: skip
    finally:
        db.close()

    # matching: rows, withdrawn record, index file, live search index, embedding cache
    assert _state_rows(world.folder, f"SELECT count(*) FROM signals WHERE id IN ({marks})", tuple(victims)) == [(0,)]
    assert {r[0] for r in _state_rows(world.folder, "SELECT seq FROM withdrawn")} == set(victim_seqs)
    saved = FaissIndex.from_file(world.folder / INDEX_FILENAME)
    assert not any(seq in saved for seq in victim_seqs) and len(saved) > 0
    live = hub.services.insights.searcher().engine().index
    assert live is not None and not any(seq in live for seq in victim_seqs)

    # the audit log: who, how many, which jti; never an id's text
    with AuditLog.in_folder(hub.settings.data) as audit:
        entry = audit.latest(1)[0]
    assert entry.action == "signals.withdrawn" and entry.actor == code
    assert entry.details["withdrawn"] == len(victims) and entry.details["jti"] == jti and entry.details["unknown"] == 2
    assert not any(secret in json.dumps(entry.as_dict()) for secret in secrets)

    # withdrawing again: already withdrawn
    second = sign_withdrawal(hub.keys[code], code, HUB_ID, victims[:1])
    repeat = hub.client.post("/v1/withdrawals", content=second, headers={"Content-Type": "application/jose"})
    assert repeat.status_code == 202 and repeat.json()["already_withdrawn"] == victims[:1]


def _resign(hub: Hub, code: str, token: bytes, **claims: Any) -> bytes:
    """``token``'s claims with ``claims`` changed, signed again with ``code``'s key (same jti)."""
    import base64

    from jwt import api_jws

    payload = json.loads(base64.urlsafe_b64decode(token.split(b".")[1] + b"=="))
    payload.update(claims)
    key = hub.keys[code]
    headers = {"kid": key.kid, "typ": "hartslag-withdrawal+jwt"}
    body = json.dumps(payload).encode()
    return api_jws.encode(body, key.private_key, algorithm=key.alg, headers=headers).encode("ascii")
