# SPDX-License-Identifier: EUPL-1.2
"""``hartslag connector pack|push|run|status`` end to end, against the real HTTP receiver on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.envelope import verify_batch
from connectors.keys import KeyRing, load_jwks
from hartslag.cli import app
from tests.factories import make_keypair, make_signals, write_jsonl
from tests.receivers import HttpReceiver, KafkaReceiver, ReceiverCore, TansuBroker

runner = CliRunner()
AUD = "hartslag-hub"


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, KeyRing]:
    pair = make_keypair(tmp_path / "keys", "GM0363")
    ring = KeyRing()
    ring.add_jwks("GM0363", load_jwks(pair.jwks))
    return pair.private_pem, ring


@pytest.fixture
def receiver(keys: tuple[Path, KeyRing]) -> Iterator[HttpReceiver]:
    server = HttpReceiver(ReceiverCore(keys=keys[1], audience=AUD))
    yield server
    server.stop()


def status_of(state: Path) -> dict[str, object]:
    result = runner.invoke(app, ["connector", "status", "--state", str(state), "--json"])
    assert result.exit_code == 0, result.output
    doc: dict[str, object] = json.loads(result.stdout)
    return doc


def test_pack_prints_verifiable_batches_and_sends_nothing(tmp_path: Path, keys: tuple[Path, KeyRing]) -> None:
    export = write_jsonl(tmp_path / "signals.jsonl", make_signals(25))
    args = ["connector", "pack", str(export), "--agency", "GM0363", "--key", str(keys[0]), "--aud", AUD]
    result = runner.invoke(app, [*args, "--batch-size", "10"])
    assert result.exit_code == 0, result.output
    tokens = result.stdout.strip().splitlines()
    assert len(tokens) == 3
    verified = [verify_batch(token, keys[1], audience=AUD) for token in tokens]
    assert [len(v.signals) for v in verified] == [10, 10, 5]
    assert len({v.jti for v in verified}) == 3


def test_push_delivers_everything_and_status_shows_it(
    tmp_path: Path, keys: tuple[Path, KeyRing], receiver: HttpReceiver
) -> None:
    signals = make_signals(120)
    export = write_jsonl(tmp_path / "signals.jsonl", signals)
    state = tmp_path / "state"
    args = ["connector", "push", str(export), "--hub", receiver.url, "--agency", "GM0363", "--key", str(keys[0])]
    result = runner.invoke(app, [*args, "--state", str(state), "--batch-size", "50"])
    assert result.exit_code == 0, result.output
    assert set(receiver.core.signals) == {s["id"] for s in signals}
    doc = status_of(state)
    assert (doc["queued"], doc["in_flight"], doc["delivered"], doc["set_aside"]) == (0, 0, 120, 0)
    # Pushing the same export again sends nothing new.
    again = runner.invoke(app, [*args, "--state", str(state)])
    assert again.exit_code == 0 and receiver.core.counts["batches"] == 3


def test_push_with_an_unregistered_key_sets_aside_and_exits_1(tmp_path: Path, receiver: HttpReceiver) -> None:
    stranger = make_keypair(tmp_path / "stranger", "GM0363")
    export = write_jsonl(tmp_path / "signals.jsonl", make_signals(5))
    state = tmp_path / "state"
    result = runner.invoke(
        app,
        [
            *("connector", "push", str(export), "--hub", receiver.url, "--agency", "GM0363"),
            *("--key", str(stranger.private_pem), "--state", str(state)),
        ],
    )
    assert result.exit_code == 1
    assert "unknown-key" in result.output
    doc = status_of(state)
    assert doc["set_aside"] == 5 and doc["set_aside_reasons"] == {"unknown-key": 5}
    human = runner.invoke(app, ["connector", "status", "--state", str(state)])
    assert human.exit_code == 0 and "unknown-key" in human.output


def test_push_bad_input_exits_2(tmp_path: Path, keys: tuple[Path, KeyRing]) -> None:
    export = write_jsonl(tmp_path / "signals.jsonl", make_signals(1))
    base = ["connector", "push", str(export), "--agency", "GM0363", "--state", str(tmp_path / "s")]
    bad_url = runner.invoke(app, [*base, "--hub", "ftp://hub", "--key", str(keys[0])])
    assert bad_url.exit_code == 2 and "hub-url-invalid" in bad_url.output
    no_key = runner.invoke(app, [*base, "--hub", "http://127.0.0.1:9", "--key", str(tmp_path / "missing.pem")])
    assert no_key.exit_code == 2 and "Traceback" not in no_key.output
    no_outbox = runner.invoke(app, ["connector", "status", "--state", str(tmp_path / "nowhere")])
    assert no_outbox.exit_code == 2 and "outbox-missing" in no_outbox.output


def test_run_once_follows_a_folder(tmp_path: Path, keys: tuple[Path, KeyRing], receiver: HttpReceiver) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    first, second = make_signals(30, seed=1), make_signals(20, seed=2)
    write_jsonl(exports / "week-1.jsonl", first)
    write_jsonl(exports / "notes.txt", make_signals(3, seed=3))  # not matched by the pattern
    config = tmp_path / "connector.toml"
    config.write_text(
        f'agency = "GM0363"\nhub = "{receiver.url}"\nkey = "{keys[0]}"\nstate = "state"\n'
        '[source]\nfolder = "exports"\npattern = "*.jsonl"\n[delivery]\nbatch_size = 25\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["connector", "run", "--config", str(config), "--once"])
    assert result.exit_code == 0, result.output
    assert set(receiver.core.signals) == {s["id"] for s in first}
    # A new file and a changed one (one signal added to week 1): only the new signals travel.
    write_jsonl(exports / "week-2.jsonl", second)
    write_jsonl(exports / "week-1.jsonl", [*first, *make_signals(1, seed=4)])
    result = runner.invoke(app, ["connector", "run", "--config", str(config), "--once"])
    assert result.exit_code == 0, result.output
    assert len(receiver.core.signals) == 51 and receiver.core.counts["duplicates"] == 0
    assert status_of(tmp_path / "state")["delivered"] == 51


def test_run_refuses_an_unknown_config_key(tmp_path: Path) -> None:
    config = tmp_path / "connector.toml"
    config.write_text(
        'agency = "GM0363"\nhub = "http://x"\nkey = "k"\n[source]\nfolder = "f"\n[delivery]\nbatchsize = 5\n'
    )
    result = runner.invoke(app, ["connector", "run", "--config", str(config), "--once"])
    assert result.exit_code == 2 and "batchsize" in result.output


@pytest.mark.integration
def test_push_over_kafka(tmp_path: Path, keys: tuple[Path, KeyRing]) -> None:
    broker = TansuBroker()
    try:
        receiver = KafkaReceiver(ReceiverCore(keys=keys[1], audience=AUD), broker)
        try:
            signals = make_signals(60, seed=21)
            export = write_jsonl(tmp_path / "signals.jsonl", signals)
            result = runner.invoke(
                app,
                [
                    *("connector", "push", str(export), "--hub", receiver.url, "--agency", "GM0363"),
                    *("--key", str(keys[0]), "--state", str(tmp_path / "state"), "--batch-size", "25"),
                ],
            )
            assert result.exit_code == 0, result.output
            assert set(receiver.core.signals) == {s["id"] for s in signals}
            assert status_of(tmp_path / "state")["delivered"] == 60
        finally:
            receiver.stop()
    finally:
        broker.stop()


@pytest.mark.integration
def test_run_keeps_following_the_folder_until_stopped(
    tmp_path: Path, keys: tuple[Path, KeyRing], receiver: HttpReceiver
) -> None:
    import signal
    import subprocess
    import sys
    import time

    exports = tmp_path / "exports"
    exports.mkdir()
    first, second = make_signals(12, seed=5), make_signals(8, seed=6)
    write_jsonl(exports / "monday.jsonl", first)
    config = tmp_path / "connector.toml"
    config.write_text(
        f'agency = "GM0363"\nhub = "{receiver.url}"\nkey = "{keys[0]}"\nstate = "state"\n'
        '[source]\nfolder = "exports"\npattern = "*.jsonl"\n'
        "[delivery]\nbatch_size = 10\nmax_age = 0.5\ninterval = 0.5\n",
        encoding="utf-8",
    )
    hartslag = str(Path(sys.executable).parent / "hartslag")
    process = subprocess.Popen([hartslag, "connector", "run", "--config", str(config)], stderr=subprocess.PIPE)

    def wait_for(n: int) -> None:
        deadline = time.monotonic() + 30
        while len(receiver.core.signals) < n and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(receiver.core.signals) == n

    try:
        wait_for(12)
        write_jsonl(exports / "tuesday.jsonl", second)  # arrives while the connector runs
        wait_for(20)
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    assert process.returncode in (0, 130, -signal.SIGTERM), err
    assert b"Traceback" not in err
    assert set(receiver.core.signals) == {s["id"] for s in first + second}
    assert status_of(tmp_path / "state")["delivered"] == 20
