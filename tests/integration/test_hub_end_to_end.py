# SPDX-License-Identifier: EUPL-1.2
"""End to end through real processes, for "The hub takes in signed batches": SIGKILLs on both sides.

Twelve agencies (seven municipalities, five national agencies) each get a key pair from ``hartslag connector keygen``
and are registered with ``hartslag hub agency add``. A ``hartslag hub serve`` process takes in 5,000 signals that
twelve concurrent ``hartslag connector push`` processes deliver: once over HTTP, once over a real Kafka-protocol
broker (Tansu, on a fresh free port). During each run the hub and the connectors are killed with SIGKILL at random
moments (drawn as points of progress: "when the hub holds k signals", one in each stretch of the run, plus one
connector killed during its start-up) and started again: a connector with the same command and state folder, the
hub with the same data folder and port. At the end the hub is killed once more (what its receipts promised must be
on disk), and then:

* ``hartslag hub stats --json`` counts 5,000 signals, and the ``signals`` table of ``DATA/hartslag.db`` holds
  exactly the planted (agency, id) pairs, each once;
* ``hartslag connector status --json`` of every connector shows all its signals delivered, none waiting or set aside.

The kills, the reruns and the resends the outboxes counted are printed (run with ``-s``). ``HARTSLAG_E2E_SEED``
replays a run's random choices (the moments still depend on the machine's speed).
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.factories import make_agency, make_signals, write_jsonl
from tests.integration.processes import HubProcess, Managed, hartslag, hartslag_json, run_all
from tests.receivers import TansuBroker, free_port

pytestmark = pytest.mark.integration

AGENCIES = {
    "GM0363": "Gemeente Amsterdam",
    "GM0599": "Gemeente Rotterdam",
    "GM0344": "Gemeente Utrecht",
    "GM0518": "Gemeente 's-Gravenhage",
    "GM0855": "Gemeente Tilburg",
    "GM0014": "Gemeente Groningen",
    "GM0193": "Gemeente Zwolle",
    "UWV": "Uitvoeringsinstituut Werknemersverzekeringen",
    "DUO": "Dienst Uitvoering Onderwijs",
    "BD-TOESLAGEN": "Belastingdienst/Toeslagen",
    "SVB": "Sociale Verzekeringsbank",
    "CJIB": "Centraal Justitieel Incassobureau",
}
TOTAL = 5000
BATCH_SIZE = 25  # ~17 batches per agency: many moments at which a kill lands between two batches
HUB_ID = "hub-e2e"
HUB_KILLS = 4
CONNECTOR_KILLS = 5  # one during start-up, the others at points of progress
DEADLINE = {"http": 150.0, "kafka": 180.0}  # seconds for the deliveries of one run, kills and restarts included
TICK = 0.1


@dataclass(frozen=True)
class World:
    """What both runs share: keys, exports, the planted signals and a hub data folder with the agencies registered."""

    keys: Path
    template: Path
    exports: dict[str, Path]
    sizes: dict[str, int]
    planted: frozenset[tuple[str, str]]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("e2e")
    keys, template = root / "keys", root / "hub-template"
    codes = list(AGENCIES)
    run_all([[*hartslag(), "connector", "keygen", "--agency", code, "--out", str(keys)] for code in codes])

    def register(code: str) -> list[str]:
        kind, jwks = make_agency(code).kind, str(keys / f"{code}.jwks.json")
        agency = [code, "--name", AGENCIES[code], "--kind", kind, "--jwks", jwks]
        return [*hartslag(), "hub", "agency", "add", *agency, "--data", str(template), "--actor", "e2e-test"]

    run_all([register(codes[0])])  # creates the database on its own; the others only add rows, side by side
    run_all([register(code) for code in codes[1:]])
    exports: dict[str, Path] = {}
    sizes: dict[str, int] = {}
    planted: set[tuple[str, str]] = set()
    for number, code in enumerate(codes):
        size = TOTAL // len(codes) + (number < TOTAL % len(codes))
        signals = make_signals(size, seed=1000 + number, agency=make_agency(code))
        exports[code] = write_jsonl(root / f"{code}.jsonl", signals)
        sizes[code] = size
        planted.update((code, signal["id"]) for signal in signals)
    assert len(planted) == TOTAL
    return World(keys, template, exports, sizes, frozenset(planted))


@dataclass
class Tally:
    """What happened during one run."""

    hub_kills: int = 0
    connector_kills: int = 0
    reruns: int = 0
    moments: list[str] = field(default_factory=list)


def _marks(rng: random.Random, n: int, low: float, high: float) -> list[float]:
    """``n`` random points of progress (signals stored), one in each of ``n`` equal stretches of [low, high]·TOTAL."""
    width = (high - low) / n
    return [TOTAL * rng.uniform(low + i * width, low + (i + 1) * width) for i in range(n)]


class Chaos:
    """Runs the connectors to completion against the hub while SIGKILLing both at random moments."""

    def __init__(self, hub: HubProcess, connectors: dict[str, Managed], db: Path, rng: random.Random) -> None:
        self.hub = hub
        self.connectors = connectors
        self.rng = rng
        self.done: set[str] = set()
        self.tally = Tally()
        self.hub_marks = _marks(rng, HUB_KILLS, 0.03, 0.8)
        self.connector_marks = _marks(rng, CONNECTOR_KILLS - 1, 0.0, 0.8)
        # Seconds after the start: the connectors are importing, reading and scrubbing, queueing or sealing.
        self.startup_kill_at: float | None = rng.uniform(0.5, 5.0)
        self.hub_ready = True
        self.stored_at_hub_kill = -1
        self.next_kill_at = 0.0
        self._db = sqlite3.connect(db, timeout=10)

    def close(self) -> None:
        """Close the progress probe's connection."""
        self._db.close()

    def stored(self) -> int:
        """Signals in the hub's database now (read from the file; the hub may be down)."""
        return int(self._db.execute("SELECT count(*) FROM signals").fetchone()[0])

    def drive(self, deadline: float) -> Tally:
        """Start the connectors and tend them until every push has exited 0; kill and restart along the way."""
        started = time.monotonic()
        for connector in self.connectors.values():
            connector.start()
        while True:
            elapsed = time.monotonic() - started
            if elapsed > deadline:
                raise AssertionError(f"not delivered within {deadline:g} s; {self.tally}\n{self.diagnose()}")
            self.tend()
            if len(self.done) == len(self.connectors):
                return self.tally
            if not self.hub.running:
                raise AssertionError(f"the hub exited by itself ({self.hub.returncode}):\n{self.hub.tail()}")
            if not self.hub_ready:
                self.hub_ready = self.hub.healthy()
            self.maybe_kill(elapsed)
            time.sleep(TICK)

    def tend(self) -> None:
        """Note pushes that finished; run again those that stopped for another reason than our kill."""
        for code, connector in self.connectors.items():
            exit_code = connector.returncode
            if code in self.done or exit_code is None:
                continue
            if exit_code == 0:  # push exits 0 only when everything in its outbox is delivered
                self.done.add(code)
                continue
            # Exit 1: push gave up with signals still queued (its --timeout ran out while the hub was down, say).
            # The outbox keeps them, so the operator's remedy is to run the same command again; so do we.
            # Exit 2 is bad input: running again would not help.
            assert exit_code == 1, f"push for {code} exited {exit_code}:\n{connector.tail()}"
            self.tally.reruns += 1
            connector.start()

    def maybe_kill(self, elapsed: float) -> None:
        """Kill the hub or a connector when progress passes the next mark (and the previous kill is a moment ago)."""
        now = time.monotonic()
        if now < self.next_kill_at:
            return
        stored = self.stored()
        if self.startup_kill_at is not None and elapsed >= self.startup_kill_at:
            self.startup_kill_at = None
            self.kill_connector(stored, "start-up")
        elif self.hub_marks and stored >= self.hub_marks[0] and self.hub_ready and stored > self.stored_at_hub_kill:
            # Only a hub that came back and stored something since its last kill: each kill interrupts real work.
            self.hub_marks.pop(0)
            time.sleep(self.rng.uniform(0.0, 0.2))
            if self.hub.kill():
                self.tally.hub_kills += 1
                self.tally.moments.append(f"hub@{stored}")
            self.stored_at_hub_kill = self.stored()
            self.hub.restart()  # same data folder, same port, once the port is free
            self.hub_ready = False
        elif self.connector_marks and stored >= self.connector_marks[0]:
            if self.kill_connector(stored, str(stored)):
                self.connector_marks.pop(0)
        else:
            return
        self.next_kill_at = time.monotonic() + self.rng.uniform(0.2, 0.8)  # short: a quick machine is done soon

    def kill_connector(self, stored: int, moment: str) -> bool:
        """SIGKILL a random running connector and start it again on the same state folder; False if none runs."""
        running = [code for code, c in self.connectors.items() if c.running and code not in self.done]
        if not running:
            return False
        code = self.rng.choice(running)
        time.sleep(self.rng.uniform(0.0, 0.2))
        if self.connectors[code].kill():
            self.tally.connector_kills += 1
            self.tally.moments.append(f"{code}@{moment}")
        self.connectors[code].start()
        return True

    def diagnose(self) -> str:
        """Who is still busy, and the ends of their logs."""
        busy = [code for code in self.connectors if code not in self.done]
        tails = "\n".join(f"--- {code}:\n{self.connectors[code].tail(800)}" for code in busy[:3])
        return f"stored {self.stored()}; still busy: {busy}\n--- hub:\n{self.hub.tail(2000)}\n{tails}"


def _push(world: World, code: str, target: str, state: Path) -> list[str]:
    """The agency operator's command: queue the export in the outbox at ``state`` and deliver it to ``target``."""
    key = str(world.keys / f"{code}.key.pem")
    signing = ["--agency", code, "--key", key, "--aud", HUB_ID, "--batch-size", str(BATCH_SIZE)]
    export = str(world.exports[code])
    return [*hartslag(), "connector", "push", export, "--hub", target, *signing, "--state", str(state)]


def _failed_attempts(state: Path) -> int:
    """Transient failures the outbox recorded (refused connections, timeouts, no receipt), read from its file."""
    with contextlib.closing(sqlite3.connect(state / "outbox.sqlite3")) as db:
        (failures,) = db.execute("SELECT coalesce(sum(failures), 0) FROM batches").fetchone()
    return int(failures)


@contextlib.contextmanager
def _broker(transport: str) -> Iterator[TansuBroker | None]:
    broker = TansuBroker() if transport == "kafka" else None
    try:
        yield broker
    finally:
        if broker is not None:
            broker.stop()


@pytest.mark.parametrize("transport", ["http", "kafka"])
def test_every_signal_arrives_once_while_hub_and_connectors_are_killed(
    world: World, transport: str, tmp_path: Path
) -> None:
    seed = int(os.environ.get("HARTSLAG_E2E_SEED", time.time_ns() % 100_000))
    rng = random.Random(f"{seed}:{transport}")
    data = tmp_path / "hub-data"
    shutil.copytree(world.template, data)
    started = time.monotonic()
    with _broker(transport) as broker:
        port = free_port()
        serve = [*hartslag(), "hub", "serve", "--data", str(data), "--port", str(port), "--hub-id", HUB_ID]
        # Over HTTP a quiet hub stores 5,000 signals in a second or two, before the killer's marks come round: a
        # per-agency rate limit paces the run (and exercises 429 with Retry-After) so that every kill lands mid-run.
        env: dict[str, str] = {"HARTSLAG_RATE_PER_SECOND": "1.5", "HARTSLAG_RATE_BURST": "2"} if broker is None else {}
        if broker is not None:
            serve += ["--kafka", broker.bootstrap]
            env["HARTSLAG_KAFKA_GROUP"] = HUB_ID  # one group across restarts: a new hub resumes at the commits
        hub = HubProcess(serve, port, tmp_path / "hub.log", env)
        target = hub.url if broker is None else f"kafka://{broker.bootstrap}"
        states = {code: tmp_path / "state" / code for code in AGENCIES}
        connectors = {
            code: Managed(code, _push(world, code, target, states[code]), tmp_path / f"connector-{code}.log")
            for code in AGENCIES
        }
        hub.start()
        chaos = Chaos(hub, connectors, data / "hartslag.db", rng)
        try:
            hub.wait_healthy(60.0)
            tally = chaos.drive(DEADLINE[transport])
            # Every push has its receipts. One more SIGKILL: what the hub acknowledged must be on disk.
            hub.kill()
        finally:
            chaos.close()
            for process in (*connectors.values(), hub):
                process.kill()
    elapsed = time.monotonic() - started

    status_calls = [["connector", "status", "--state", str(states[code]), "--json"] for code in AGENCIES]
    stats, *reported = hartslag_json(["hub", "stats", "--data", str(data), "--json"], *status_calls)
    statuses: dict[str, Any] = dict(zip(AGENCIES, reported, strict=True))
    with contextlib.closing(sqlite3.connect(data / "hartslag.db")) as db:
        rows = db.execute("SELECT agency, id FROM signals").fetchall()
        (batches,) = db.execute("SELECT count(*) FROM batches").fetchone()
    resends = sum(status["resends"] for status in statuses.values())
    failed = sum(_failed_attempts(states[code]) for code in AGENCIES)
    expected_batches = sum(-(-size // BATCH_SIZE) for size in world.sizes.values())
    print(
        f"\n{transport} (seed {seed}): {tally.hub_kills} hub SIGKILLs, {tally.connector_kills} connector SIGKILLs"
        f" [{', '.join(tally.moments)}], {tally.reruns} pushes run again after giving up; {resends} resends"
        f" (sends of a batch sent before: {failed} after a failed attempt, the others after a kill);"
        f" hub: {stats['signals']} signals in {batches} batches; {elapsed:.1f} s"
    )

    assert tally.hub_kills >= 3 and tally.connector_kills >= 3, tally
    assert stats["signals"] == TOTAL and stats["agencies"] == len(AGENCIES)
    assert set(stats["refusals"]) <= {"rate-limited"}, stats["refusals"]  # nothing refused for good
    assert len(rows) == len(set(rows)) == TOTAL  # no signal twice
    assert set(rows) == world.planted  # and every planted signal, under its own agency
    assert batches == expected_batches  # each batch stored once; its resends were answered as replays
    for code, status in statuses.items():
        counts = (status["delivered"], status["queued"], status["in_flight"], status["set_aside"])
        assert counts == (world.sizes[code], 0, 0, 0), f"{code}: {status}"
