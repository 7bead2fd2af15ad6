# SPDX-License-Identifier: EUPL-1.2
"""Retention end to end: signals delivered over HTTP and matched by the real engine (hashing embedder, FAISS index,
embedding cache, as in test_withdrawal), then texts and whole signals removed by the rules of DATA/retention.toml."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from connectors.cli import sign_withdrawal
from governance.audit import AuditLog
from hartslag.cli import app as cli
from hub.matching_removal import MatchingRemoval
from hub.retention import Retention, retention_for
from hub.retention_rules import load_rules
from matching.cleaning import make_cleaner
from matching.embedding_cache import EmbeddingCache, text_key
from matching.faiss_index import FaissIndex
from matching.pipeline import INDEX_FILENAME
from matching.state import MatchingState
from tests.hub.support import HUB_ID, open_hub
from tests.hub.test_withdrawal import World, _pick, _state_rows
from tests.hub.test_withdrawal import world as matched  # noqa: F401  (the fixture: a hub with matched signals)

_ALL_TEXTS = "[default]\ntext = 1\n"  # the stream is observed 2026-03-02 .. 2026-04-07: every text is due in June
_AS_OF = date(2026, 6, 1)


def _rules(world: World, text: str) -> None:
    (world.hub.settings.data / "retention.toml").write_text(text, encoding="utf-8")


def _hub_db(world: World, sql: str, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    db = sqlite3.connect(world.hub.settings.data / "hartslag.db")
    try:
        return list(db.execute(sql, args).fetchall())
    finally:
        db.close()


def _audit_intact(data: Path) -> None:
    result = CliRunner().invoke(cli, ["governance", "audit", "verify", "--data", str(data)])
    assert result.exit_code == 0, result.output


def test_text_removal_keeps_the_counts_and_shows_the_text_nowhere(matched: World) -> None:  # noqa: F811
    world = matched
    hub = world.hub
    analist = hub.bearer("analist")
    pattern_id, _, victims, seqs = _pick(world)
    before = hub.client.get(f"/v1/patterns/{pattern_id}", headers=analist).json()
    sizes = dict(_state_rows(world.folder, "SELECT id, size FROM clusters"))
    found = hub.client.get("/v1/search", params={"q": world.texts[victims[0]], "k": 5}, headers=analist).json()
    assert victims[0] in {hit["signal_id"] for hit in found}  # builds the search engine and its live index
    stored = hub.storage.count_signals()
    _rules(world, _ALL_TEXTS)

    report = retention_for(hub.services, hub.app.state).run(_AS_OF, actor="tester")

    assert report.total("text") == stored == len(world.texts) and report.total("signal") == 0
    assert report.texts_deferred == 0
    by_kind = {kind: counts["text"] for kind, counts in report.removed.items()}
    assert set(by_kind) == {"municipality", "national_agency"} and sum(by_kind.values()) == stored
    # the signals stay, counted as before
    assert hub.storage.count_signals() == stored
    assert dict(_state_rows(world.folder, "SELECT id, size FROM clusters")) == sizes
    after = hub.client.get(f"/v1/patterns/{pattern_id}", headers=analist).json()
    assert after["total"] == before["total"]
    assert after["representatives"] == {"texts": [], "reason": "niet-bewaard"}
    # no text anywhere: search, pages, exports
    for sid in victims:
        hits = hub.client.get("/v1/search", params={"q": world.texts[sid], "k": 20}, headers=analist)
        assert hits.status_code == 200 and hits.json() == []
        by_id = hub.client.get("/v1/search", params={"signal": sid}, headers=analist)
        assert by_id.status_code == 404
    for path in ("/v1/patterns?per_page=200", f"/v1/patterns/{pattern_id}", "/v1/patterns?per_page=200&format=csv"):
        page = hub.client.get(path, headers=analist)
        assert page.status_code == 200 and not any(text in page.text for text in world.texts.values())
    # the hub's table: documents without a text, a text tombstone each
    for (document,) in _hub_db(world, "SELECT document FROM signals"):
        assert "text" not in json.loads(str(document))
    removals = _hub_db(world, "SELECT cause, count(*) FROM text_removals GROUP BY cause")
    assert removals == [("retention", stored)]
    assert _hub_db(world, "SELECT count(*) FROM tombstones") == [(0,)]
    # matching: no text or vector in the state, none in the index file, the live index or the cache
    assert _state_rows(world.folder, "SELECT count(*) FROM signals WHERE text IS NOT NULL OR vector IS NOT NULL") == [
        (0,)
    ]
    assert len(FaissIndex.from_file(world.folder / INDEX_FILENAME)) == 0
    live = hub.services.insights.searcher().engine().index
    assert live is not None and not any(seq in live for seq in seqs.values())
    cleaner = make_cleaner("channel-nl")
    with EmbeddingCache(world.folder) as cache:
        keys = [text_key(t) for t in world.texts.values()] + [text_key(cleaner.clean(t)) for t in world.texts.values()]
        for name in cache.embedder_names():
            assert cache.get_many(name, keys, 256) == {}
    # the audit log: one entry with the rules' hash, the date and the counts; never an id or a text
    with AuditLog.in_folder(hub.settings.data) as audit:
        entry = audit.latest(1)[0]
    assert (entry.action, entry.actor, entry.subject) == ("retention.run", "tester", "retention")
    assert entry.details["as_of"] == "2026-06-01" and entry.details["texts_removed"] == stored
    assert entry.details["rules_sha256"] == load_rules(hub.settings.data).sha256
    written = json.dumps(entry.as_dict())
    assert not any(sid in written or text in written for sid, text in world.texts.items())
    _audit_intact(hub.settings.data)

    again = retention_for(hub.services, hub.app.state).run(_AS_OF)
    assert again.removed == {} and again.total("text") == 0


def test_signals_past_their_period_go_with_a_tombstone_and_stay_out(matched: World) -> None:  # noqa: F811
    world = matched
    hub = world.hub
    _rules(world, "[municipality]\ntext = 1\nsignal = 2\n")
    municipal = sorted(sid for sid, code in world.agency.items() if code.startswith("GM"))
    national = len(world.agency) - len(municipal)
    size_total = sum(size for (size,) in _state_rows(world.folder, "SELECT size FROM clusters"))

    report = retention_for(hub.services, hub.app.state).run(date(2026, 6, 15))

    assert report.removed == {"municipality": {"text": 0, "signal": len(municipal)}}
    assert hub.storage.count_signals() == national
    stones = hub.storage.tombstones()
    assert sorted(s[1] for s in stones) == municipal and {s[3] for s in stones} == {"retention"}
    assert {s[4] for s in stones} == {f"2026-06-15/{report.rules_sha256[:16]}"}
    # matching lost them too: rows, cluster sizes, search
    assert _state_rows(world.folder, "SELECT count(*) FROM signals")[0][0] == national
    assert sum(size for (size,) in _state_rows(world.folder, "SELECT size FROM clusters")) == size_total - len(
        municipal
    )
    analist = hub.bearer("analist")
    hits = hub.client.get("/v1/search", params={"q": world.texts[municipal[0]], "k": 20}, headers=analist)
    assert hits.status_code == 200 and not set(municipal) & {hit["signal_id"] for hit in hits.json()}
    # a connector's late retry of a removed signal: counted as a duplicate, not stored again
    code = world.agency[municipal[0]]
    resent = hub.signals(1, code)
    resent[0]["id"] = municipal[0]
    receipt = hub.post(hub.signers[code].sign(resent).token)
    assert receipt.status_code == 202 and receipt.json()["duplicate"] == 1 and receipt.json()["accepted"] == 0
    assert hub.storage.count_signals() == national
    # the agency withdrawing it afterwards: already gone
    token = sign_withdrawal(hub.keys[code], code, HUB_ID, [municipal[0]])
    answer = hub.client.post("/v1/withdrawals", content=token, headers={"Content-Type": "application/jose"})
    assert answer.status_code == 202 and answer.json()["already_withdrawn"] == [municipal[0]]
    assert retention_for(hub.services, hub.app.state).run(date(2026, 6, 15)).removed == {}
    _audit_intact(hub.settings.data)


def test_a_dry_run_counts_and_changes_nothing(matched: World) -> None:  # noqa: F811
    world = matched
    hub = world.hub
    _rules(world, "[default]\ntext = 2\n[national_agency]\ntext = 1\nsignal = 2\n")
    documents = _hub_db(world, "SELECT seq, document FROM signals ORDER BY seq")
    state = _state_rows(world.folder, "SELECT seq, text IS NULL, vector IS NULL FROM signals ORDER BY seq")
    with AuditLog.in_folder(hub.settings.data) as audit:
        head = audit.head()

    dry = retention_for(hub.services, hub.app.state).run(date(2026, 6, 10), dry_run=True)

    assert dry.dry_run and dry.removed["national_agency"]["signal"] > 0 and dry.removed["municipality"]["text"] > 0
    assert _hub_db(world, "SELECT seq, document FROM signals ORDER BY seq") == documents
    assert _state_rows(world.folder, "SELECT seq, text IS NULL, vector IS NULL FROM signals ORDER BY seq") == state
    with AuditLog.in_folder(hub.settings.data) as audit:
        assert audit.head() == head
    real = retention_for(hub.services, hub.app.state).run(date(2026, 6, 10))
    assert real.removed == dry.removed and not real.dry_run


def test_texts_wait_until_matching_has_counted_their_signals(tmp_path: Path) -> None:
    with open_hub(tmp_path) as hub:
        assert hub.post(hub.token(4)).status_code == 202  # observed in 2026
        storage = hub.storage
        rules = load_rules(tmp_path)  # the defaults: texts 24 months, signals 84
        folder = tmp_path / "matching"
        MatchingState(folder).close()  # matching ran here, but processed nothing yet (watermark 0)
        waiting = Retention(storage, rules, matching=MatchingRemoval(folder)).run(date(2040, 1, 1), dry_run=True)
        assert waiting.texts_deferred == 0 and waiting.removed == {"municipality": {"text": 0, "signal": 4}}
        deferred = Retention(storage, rules, matching=MatchingRemoval(folder)).run(date(2029, 1, 1))
        assert deferred.texts_deferred == 4 and deferred.removed == {}
        removed = Retention(storage, rules).run(date(2029, 1, 1))  # a hub without matching
        assert removed.removed == {"municipality": {"text": 4, "signal": 0}}
        assert all("text" not in s.document for _, s in storage.signals_after(0, 10))


def test_the_serving_hub_runs_retention_on_its_schedule(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "retention.toml").write_text("[default]\ntext = 1\nsignal = 1\n", encoding="utf-8")
    with open_hub(tmp_path, retention_interval=3600) as hub:  # the first run starts with the hub
        scheduler = hub.app.state.retention
        deadline = time.monotonic() + 20
        while scheduler.runs < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert scheduler.runs >= 1 and scheduler.failures == 0
        with AuditLog.in_folder(hub.settings.data) as audit:
            actions = [(e.action, e.actor) for e in audit.entries()]
        assert ("retention.run", "retention") in actions
    with open_hub(tmp_path / "off") as hub:
        assert getattr(hub.app.state, "retention", None) is None
