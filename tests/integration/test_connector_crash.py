# SPDX-License-Identifier: EUPL-1.2
"""Crash safety of the connector: a real ``hartslag connector push`` process, killed with SIGKILL again and again.

5,000 signals go to the real HTTP receiver (in this test process, verifying every signature). The push process is
killed at random moments: after a random delay (during start-up, reading, sealing or sending), or by the receiver
itself right after it stored a batch and before it answered (the worst moment: the hub has the batch, the connector
never hears so). Each time the process is started again on the same state folder. At the end the receiver holds every
signal exactly once and the outbox shows every signal delivered.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from connectors.keys import KeyRing, load_jwks
from connectors.outbox import Outbox
from connectors.receipts import Receipt
from tests.factories import make_keypair, make_signals, write_jsonl
from tests.receivers import HttpReceiver, ReceiverCore

pytestmark = pytest.mark.integration

SIGNALS = 5000
BATCH_SIZE = 50


def _command() -> list[str]:
    """``python -m hartslag`` when the composition root is importable, else the connector sub-app directly."""
    probe = subprocess.run([sys.executable, "-c", "import hartslag.cli"], capture_output=True, check=False)
    if probe.returncode == 0:
        return [sys.executable, "-m", "hartslag", "connector"]
    return [sys.executable, "-c", "from connectors.cli import app; app()"]


def test_push_survives_repeated_sigkill(tmp_path: Path) -> None:
    seed = int(os.environ.get("HARTSLAG_CRASH_SEED", time.time_ns() % 100_000))
    rng = random.Random(seed)
    pair = make_keypair(tmp_path / "keys", "GM0363")
    ring = KeyRing()
    ring.add_jwks("GM0363", load_jwks(pair.jwks))
    # A little work per batch so that the process is busy sending when the timer fires.
    # Signals are not schema-validated here (the readers did; the contract tests cover the receiver's validation).
    core = ReceiverCore(keys=ring, audience="hartslag-hub", delay=0.02, validate_signals=False)
    receiver = HttpReceiver(core)
    signals = make_signals(SIGNALS, seed=seed)
    export = write_jsonl(tmp_path / "export.jsonl", signals)
    state = tmp_path / "state"
    command = [
        *_command(),
        "push",
        str(export),
        "--hub",
        receiver.url,
        "--agency",
        "GM0363",
        "--key",
        str(pair.private_pem),
        "--state",
        str(state),
        "--batch-size",
        str(BATCH_SIZE),
    ]
    current: dict[str, subprocess.Popen[bytes]] = {}
    kill_after: dict[str, int] = {}
    killed_in_receiver = threading.Event()

    def kill_after_store(receipt: Receipt) -> None:
        # Runs in the receiver right after a batch is stored and BEFORE the answer goes out.
        if "left" in kill_after:
            kill_after["left"] -= 1
            if kill_after["left"] <= 0:
                del kill_after["left"]
                current["process"].send_signal(signal.SIGKILL)
                killed_in_receiver.set()

    core.after_store = kill_after_store
    plan = ["timer"] * 3 + ["after-store"] * 5
    rng.shuffle(plan)
    kills, moments = 0, []
    started = time.monotonic()
    try:
        for moment in plan:
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            current["process"] = process
            if moment == "timer":
                delay = rng.uniform(0.1, 1.0)
                try:
                    process.wait(timeout=delay)
                except subprocess.TimeoutExpired:
                    process.send_signal(signal.SIGKILL)
            else:
                killed_in_receiver.clear()
                kill_after["left"] = rng.randint(1, 3)
                try:
                    process.wait(timeout=120)  # the first full read of the export takes a while
                finally:
                    kill_after.pop("left", None)
            process.wait(timeout=120)
            if process.returncode == -signal.SIGKILL:
                kills += 1
                moments.append(moment)
        final = subprocess.run(command, capture_output=True, timeout=120, check=False)
    finally:
        receiver.stop()
    elapsed = time.monotonic() - started

    assert final.returncode == 0, final.stderr.decode(errors="replace")[-2000:]
    with Outbox(state) as outbox:
        status = outbox.status()
    print(
        f"\ncrash test (seed {seed}): {kills} SIGKILLs ({', '.join(moments)}), {status.resends} resends of a batch"
        f" already sent, {core.counts['replays']} replayed receipts, {core.counts['duplicates']} duplicate signals"
        f" under a new jti, {core.counts['batches']} batches received, {elapsed:.1f} s"
    )
    assert kills >= 5
    assert core.counts["accepted"] == SIGNALS  # each signal stored once, however often it travelled
    assert set(core.signals) == {s["id"] for s in signals}
    assert (status.delivered, status.queued, status.in_flight, status.set_aside) == (SIGNALS, 0, 0, 0)
    assert status.resends >= 0 and core.counts["refused"] == 0 and core.counts["conflicts"] == 0
