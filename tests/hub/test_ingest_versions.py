# SPDX-License-Identifier: EUPL-1.2
"""The hub's ingest follows the working group's registry: a version counts once it is published, a deprecated one
is answered with Deprecation and Sunset headers, a retired one is refused naming its sunset, and an older minor is
stored as the current version. Everything goes through a real hub (HTTP), a real registry with members who sign
their votes, and, for "another process", a second registry connection to the same file.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest

from governance.registry_status import Status
from governance.schema_registry import SchemaRegistry
from hub.ingest import Ingest
from hub.validation import SignalValidator
from tests.governance.registry_support import Group, publish_signal, working_group
from tests.governance.versions_support import signal_v1_1
from tests.hub.support import Hub, assert_problem, batch_document, open_hub, sign_document


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    with open_hub(tmp_path) as opened:
        yield opened


@pytest.fixture
def group(hub: Hub) -> Group:
    """Three members of the working group with real Ed25519 keys, in the hub's own registry."""
    return working_group(hub.services.schema_registry)


def publish_v1_1(registry: SchemaRegistry, group: Group) -> None:
    """Propose 1.1.0 (optional members, some with a default), two signed approvals, publish."""
    publish_signal(registry, group, "1.1.0", signal_v1_1())


def retire_v1_0(registry: SchemaRegistry, group: Group, days: int = 30) -> date:
    """Publish 1.1.0, deprecate 1.0.0 with a sunset ``days`` ahead and retire it early (force, with a reason)."""
    publish_v1_1(registry, group)
    sunset = date.today() + timedelta(days=days)
    registry.deprecate("signal", "1.0.0", sunset=sunset, actor="voorzitter")
    registry.retire("signal", "1.0.0", actor="voorzitter", force=True, reason="vervroegd ingetrokken")
    return sunset


def signals_of(hub: Hub, n: int, version: str, **members: Any) -> list[dict[str, Any]]:
    return [{**signal, "schema_version": version, **members} for signal in hub.signals(n)]


def send(hub: Hub, signals: list[dict[str, Any]]) -> Any:
    return hub.post(hub.signers["GM0363"].sign(signals).token)


def stored(hub: Hub, signal_id: str) -> dict[str, Any]:
    found = hub.storage.signals_of("GM0363", [signal_id])
    assert len(found) == 1
    document: dict[str, Any] = found[0][1].document
    return document


def test_a_new_version_counts_from_its_publication(hub: Hub, group: Group) -> None:
    early = send(hub, signals_of(hub, 2, "1.1.0", urgency="urgent"))
    assert early.status_code == 202
    assert early.json()["accepted"] == 0
    assert {r["reason"] for r in early.json()["rejected"]} == {"schema-invalid"}
    assert {r["detail"].split(":")[0] for r in early.json()["rejected"]} == {"/schema_version"}

    registry = hub.services.schema_registry
    registry.propose("signal", "1.1.0", signal_v1_1(), rationale="Spoed", actor="anna")
    group.vote(registry, "anna", "signal", "1.1.0")
    assert registry.status_of("signal", "1.1.0") is Status.VOORGESTELD
    proposed = send(hub, signals_of(hub, 1, "1.1.0"))
    assert proposed.json()["accepted"] == 0  # voorgesteld is not published: still unknown to the ingest

    group.vote(registry, "bert", "signal", "1.1.0")
    assert registry.status_of("signal", "1.1.0") is Status.GOEDGEKEURD
    assert send(hub, signals_of(hub, 1, "1.1.0")).json()["accepted"] == 0  # approved, not yet published
    registry.publish("signal", "1.1.0", actor="voorzitter")

    later = signals_of(hub, 3, "1.1.0", urgency="urgent")
    response = send(hub, later)
    assert response.status_code == 202, response.text
    assert response.json()["accepted"] == 3 and response.json()["rejected"] == []
    assert "Deprecation" not in response.headers and "Sunset" not in response.headers
    assert stored(hub, later[0]["id"])["urgency"] == "urgent"


def test_an_older_minor_is_stored_as_the_current_version(hub: Hub, group: Group) -> None:
    publish_v1_1(hub.services.schema_registry, group)
    old = hub.signals(2)
    mixed = [*old, *signals_of(hub, 1, "1.1.0", urgency="urgent")]
    response = send(hub, mixed)
    assert response.status_code == 202 and response.json()["accepted"] == 3, response.text
    read = stored(hub, old[0]["id"])
    # Read as 1.1.0: relabelled, the defaults 1.1.0 added filled in, everything else as delivered.
    assert read["schema_version"] == "1.1.0"
    assert read["urgency"] == "normal" and read["privacy"]["review"] == "automatic"
    assert {k: v for k, v in read.items() if k not in ("schema_version", "urgency", "privacy")} == {
        k: v for k, v in old[0].items() if k not in ("schema_version", "privacy")
    }
    assert stored(hub, mixed[2]["id"])["urgency"] == "urgent"  # the current version is stored as it came


def test_a_deprecated_version_is_accepted_with_deprecation_and_sunset_headers(hub: Hub, group: Group) -> None:
    registry = hub.services.schema_registry
    publish_v1_1(registry, group)
    sunset = date.today() + timedelta(days=90)
    before = int(time.time())
    registry.deprecate("signal", "1.0.0", sunset=sunset, actor="voorzitter", reason="1.1.0 is er")

    response = send(hub, hub.signals(2))
    assert response.status_code == 202 and response.json()["accepted"] == 2
    assert parsedate_to_datetime(response.headers["Sunset"]) == datetime.combine(sunset, datetime.min.time(), UTC)
    deprecated_at = int(response.headers["Deprecation"].removeprefix("@"))  # RFC 9745: "@" and Unix seconds
    assert before - 5 <= deprecated_at <= time.time() + 5
    assert '</v1/schemas/signal>; rel="deprecation"' in response.headers["Link"]

    current = send(hub, signals_of(hub, 1, "1.1.0"))
    assert current.status_code == 202 and "Sunset" not in current.headers


def test_a_retired_version_refuses_the_whole_batch_naming_its_sunset(hub: Hub, group: Group) -> None:
    sunset = retire_v1_0(hub.services.schema_registry, group)
    count_before = hub.counts()

    signals = [*signals_of(hub, 2, "1.1.0"), *hub.signals(1)]  # one retired signal sinks the batch
    response = send(hub, signals)
    body = assert_problem(response, 422, "schema-version-retired", secrets=[s["text"] for s in signals])
    assert body["sunset"] == sunset.isoformat() and sunset.isoformat() in body["detail"]
    assert body["version"] == "1.0.0" and body["subject"] == "signal"
    assert hub.counts() == count_before
    assert hub.refusals()["schema-version-retired"] == 1

    assert send(hub, signals_of(hub, 2, "1.1.0")).json()["accepted"] == 2


def test_a_retired_batch_version_is_refused(hub: Hub) -> None:
    # The batch subject's only version cannot be deprecated through the rules (it is the last published one), so
    # the record is set as an operator could have left it: the refusal must still name the sunset.
    registry = hub.services.schema_registry
    record = registry.get("batch", "1.0.0")
    from dataclasses import replace

    registry.store.update_version(replace(record, status=Status.INGETROKKEN, sunset=date(2026, 1, 1)))
    document = batch_document(hub.signals(2), "GM0363")
    body = assert_problem(hub.post(sign_document(document, hub.keys["GM0363"])), 422, "schema-version-retired")
    assert body["sunset"] == "2026-01-01" and body["subject"] == "batch"


def test_changes_from_another_process_count_without_a_restart(hub: Hub, group: Group) -> None:
    publish_v1_1(hub.services.schema_registry, group)
    # Another process (the governance command line) opens the same file: its own connection, its own commits.
    other = SchemaRegistry.open(hub.settings.data)
    try:
        other.deprecate("signal", "1.0.0", sunset=date.today() + timedelta(days=10), actor="cli")
        assert "Sunset" in send(hub, hub.signals(1)).headers
        other.retire("signal", "1.0.0", actor="cli", force=True, reason="nu al")
    finally:
        other.close()
    assert_problem(send(hub, hub.signals(1)), 422, "schema-version-retired")


def test_a_hub_without_a_registry_file_accepts_the_files_and_creates_nothing(tmp_path: Path) -> None:
    with open_hub(tmp_path) as hub:
        assert send(hub, hub.signals(2)).json()["accepted"] == 2
        assert not (hub.settings.data / "registry.sqlite3").exists()


def test_the_ingest_uses_one_validator_per_catalog(hub: Hub, group: Group) -> None:
    ingest: Ingest = hub.services.ingest
    first = ingest.validator
    assert ingest.validator is first  # nothing changed: the same compiled forms
    publish_v1_1(hub.services.schema_registry, group)
    second = ingest.validator
    assert second is not first and second.supported("signal", "1.1.0") and not first.supported("signal", "1.1.0")


def test_a_fixed_validator_is_kept(hub: Hub) -> None:
    validator = SignalValidator()
    assert Ingest(hub.storage, "hub-test", validator=validator).validator is validator


class _Sent:
    def get(self, timeout: float) -> None:
        return None


@dataclass
class _Producer:
    """Records what the Kafka intake produces (topic, value); the broker itself is tested in tests/integration."""

    sent: list[tuple[str, bytes]] = field(default_factory=list)

    def send(self, topic: str, key: bytes | None = None, value: bytes = b"", headers: Any = None) -> _Sent:
        self.sent.append((topic, value))
        return _Sent()


def test_a_kafka_refusal_carries_the_same_code_and_sunset(hub: Hub, group: Group) -> None:
    from connectors.kafka_bus import RECEIPT_TOPIC
    from hub.kafka_intake import KafkaIntake
    from hub.problems import PROBLEMS

    sunset = retire_v1_0(hub.services.schema_registry, group, days=5)
    status_of = {code: status for code, (status, _) in PROBLEMS.items()}
    intake = KafkaIntake(hub.services.ingest, "127.0.0.1:9", status_of=status_of)
    producer = _Producer()
    intake.handle(producer, b"GM0363", hub.token(2))
    (refusal,) = [json.loads(value) for topic, value in producer.sent if topic == RECEIPT_TOPIC]
    problem = refusal["problem"]
    assert (problem["code"], problem["status"], problem["sunset"]) == (
        "schema-version-retired",
        422,
        sunset.isoformat(),
    )
    assert sunset.isoformat() in problem["detail"]


def test_a_signal_that_cannot_be_read_as_the_stored_version_is_rejected_alone() -> None:
    # A catalog with a 2.0.0 that declares no migration (the registry refuses to publish such a version): a 2.0.0
    # signal cannot be read down to the hub's major, so it is rejected with the upcaster's code; the batch stands.
    from governance.schema_catalog import SchemaCatalog
    from governance.standard import load_schema
    from hub.ingest_versions import STORED_MAJOR, SignalReader
    from tests.factories import make_signal
    from tests.governance.versions_support import record, signal_v2

    assert STORED_MAJOR == 1
    catalog = SchemaCatalog([record("1.0.0", load_schema("signal", "1.0.0")), record("2.0.0", signal_v2())])
    signals, rejected = [make_signal(), make_signal(schema_version="2.0.0")], {}
    read = SignalReader().read(catalog, signals, [0, 1], rejected)
    assert read == {} and list(rejected) == [1]
    assert (rejected[1].reason, rejected[1].id) == ("migration-missing", signals[1]["id"])
    assert rejected[1].detail == "/schema_version: 2.0.0 cannot be read as 1.0.0"


def test_a_batch_version_published_only_in_the_registry_is_accepted(hub: Hub, group: Group) -> None:
    from governance.standard import load_schema

    document = json.loads(json.dumps(load_schema("batch", "1.0.0")))
    document["$id"] = document["$id"].replace("1.0.0", "1.1.0")
    document["properties"]["schema_version"]["const"] = "1.1.0"
    signals = hub.signals(2)
    token = sign_document(batch_document(signals, "GM0363", schema_version="1.1.0"), hub.signers["GM0363"].key)
    assert_problem(hub.post(token), 422, "unsupported-schema-version")  # not published: not a batch version yet
    registry = hub.services.schema_registry
    registry.propose("batch", "1.1.0", document, rationale="Een nieuwe versie van de bundel", actor="anna")
    for name in ("anna", "bert"):
        group.vote(registry, name, "batch", "1.1.0")
    registry.publish("batch", "1.1.0", actor="voorzitter")
    token = sign_document(batch_document(signals, "GM0363", schema_version="1.1.0"), hub.signers["GM0363"].key)
    accepted = hub.post(token)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["accepted"] == 2
