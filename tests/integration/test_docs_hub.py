# SPDX-License-Identifier: EUPL-1.2
"""Runs the operator's sections of docs/hub.md and the examples of docs/api/read.md, as written, against a real
``hartslag hub serve``, so the guides cannot rot.

How the guides are read (their conventions, kept by these tests):

- A ```sh block runs as one bash script; the variables it sets carry over to the next block, as in one terminal.
  A ```python block runs with those variables in its environment, except the webhook receiver (first line
  ``# receiver.py``), which is saved as ``receiver.py`` and started by the block that runs it, as a second terminal.
- A ```json, ```csv, ```http or ```text block right after a block is that block's output, trimmed: it must have the
  shape the hub gives (the same fields at every level; lists may be shorter; ``…`` in text stands for anything).
- ``/var/lib/hartslag``, the hub's ``127.0.0.1:8000`` and the receiver's port ``8900`` are replaced by the test's
  data folder and free ports; read.md's ``$HUB`` and ``$TOKEN`` are set by the test.

The hub's data folder holds three agencies' signals (the overview's volume) and matching's state with twelve patterns,
alerts and a policy (:func:`seed_hub`); read.md's example answers were made by calling the API (``TestClient``) over
the same state, and the shape checks here keep them true.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hub.settings import Settings
from matching.state import MatchingState
from tests.hub.support import Hub, open_hub
from tests.hub.test_insights import seed_world
from tests.hub.test_read_routes import searchable  # noqa: F401  (the fixture the search examples run on)
from tests.integration.guides import Terminal, assert_output, blocks, free_port
from tests.integration.processes import HubProcess, hartslag

__all__ = ["seed_hub"]

ROOT = Path(__file__).resolve().parents[2]
HUB_GUIDE = ROOT / "docs" / "hub.md"
READ_GUIDE = ROOT / "docs" / "api" / "read.md"
BIN = Path(sys.executable).parent
HUB_ID = "hub.example.nl"  # the guide's --hub-id
#: The sections of docs/hub.md these tests run: the operator's sections of issue 7 (the older ones are not run here).
NEW_SECTIONS = (
    "User accounts and roles",
    "Bearer tokens for scripts and other tools",
    "Logging in with OpenID Connect",
    "Dashboard sessions and CSRF",
    "The disclosure threshold",
    "Webhooks: alerts to other systems",
    "Retention",
    "What is where in the data folder",
)
pytestmark = [pytest.mark.integration, pytest.mark.slow]

_START = datetime(2025, 6, 2, 8, tzinfo=UTC)  # seed_world's first day
_LABELS = {
    1: "parkeervergunning, wachttijd, aanvraag", 2: "toeslag, terugbetalen, brief", 3: "lachgas, ballonnen, rijden",
    4: "container, vol, ophalen", 5: "laadpaal, parkeerplaats, bezet", 6: "huurtoeslag, inkomen, wijziging",
    7: "fietspad, gladheid, strooien", 8: "grofvuil, afspraak, ophalen", 9: "parkeerboete, bezwaar, kenteken",
    10: "kinderopvangtoeslag, uren, formulier", 11: "verkeerslicht, storing, kruispunt", 12: "zwerfafval, park, bakken",
}  # fmt: skip


def seed_hub(hub: Hub, per_agency: int = 300) -> None:
    """Signals of three agencies over seed_world's eight weeks, delivered as signed batches, and matching's state
    (:func:`tests.hub.test_insights.seed_world`) with labels that read like real ones (they match the themes)."""
    for code in ("GM0363", "GM0599", "UWV"):
        signer = hub.register(code)
        signals = hub.signals(per_agency, code)
        for i, item in enumerate(signals):
            at = _START + timedelta(minutes=i * 56 * 24 * 60 // per_agency)
            item["observed_at"], item["published_at"] = at.isoformat(), (at + timedelta(hours=1)).isoformat()
        response = hub.post(signer.sign(signals).token)
        assert response.status_code == 202, response.text
    state = MatchingState(hub.settings.data / "matching")
    try:
        seed_world(state)
        renamed = [
            dataclasses.replace(row, label=_LABELS[row.id], keywords=tuple(_LABELS[row.id].split(", ")))
            for row in state.clusters()
            if row.id in _LABELS
        ]
        state.put_clusters(renamed)
    finally:
        state.close()
    if hub.services._insights is not None:  # the read model caches; start it again over the new state
        hub.services._insights.close()
        hub.services._insights = None


# --- running the hub ------------------------------------------------------------------------------------------------


def wait_listening(process: subprocess.Popen[str], port: int, seconds: float = 20.0) -> None:
    """Wait until ``process`` accepts connections on ``port``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the receiver exited: {process.communicate()[1][-2000:]}"
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError("the receiver did not start listening")


@dataclass(frozen=True)
class Served:
    """The running hub of these tests: its data folder, address and base environment."""

    data: Path
    url: str
    env: dict[str, str]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("docs-hub")
    with open_hub(root, agencies=(), hub_id=HUB_ID) as hub:
        seed_hub(hub)
    data, port = root / "data", free_port()
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}", "HF_HUB_OFFLINE": "1"}
    command = [*hartslag(), "hub", "serve", "--data", str(data), "--port", str(port), "--hub-id", HUB_ID]
    process = HubProcess(command, port, root / "hub.log", env)
    process.start()
    try:
        process.wait_healthy()
        yield Served(data, process.url, env)
    finally:
        assert process.process is not None
        process.process.terminate()
        process.process.wait(timeout=30)


# --- the tests ------------------------------------------------------------------------------------------------------


def test_every_command_of_the_operators_sections_runs(served: Served, tmp_path: Path) -> None:
    guide = [b for b in blocks(HUB_GUIDE) if b.section in NEW_SECTIONS and b.lang in ("sh", "python")]
    assert set(re.findall(r"^## (.+)$", HUB_GUIDE.read_text(encoding="utf-8"), re.M)) >= set(NEW_SECTIONS)
    receiver_port = free_port()
    terminal = Terminal(
        tmp_path, dict(served.env),
        {"/var/lib/hartslag": str(served.data), "127.0.0.1:8000": served.url[len("http://"):],
         "8900": str(receiver_port)},
    )  # fmt: skip
    receiver: subprocess.Popen[str] | None = None
    outputs: dict[str, str] = {}
    try:
        for block in guide:
            if block.lang == "python" and block.code.startswith("# receiver.py"):
                (tmp_path / "receiver.py").write_text(terminal.localise(block.code), encoding="utf-8")
            elif "receiver.py" in block.code:
                receiver = terminal.start(block)
                wait_listening(receiver, receiver_port)
            else:
                outputs[block.code] = terminal.run(block)
    finally:
        if receiver is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(receiver.pid, signal.SIGTERM)  # its own group: bash and the receiver it started
    assert receiver is not None, "the webhook section starts its receiver"
    received, _ = receiver.communicate(timeout=20)
    tested = [json.loads(out) for code, out in outputs.items() if "/test" in code]
    assert tested and tested[0]["status"] == "delivered", tested
    assert "nl.hartslag.webhook.test.v1" in received, received


def test_every_example_of_the_read_api_guide_answers_as_documented(served: Served, tmp_path: Path) -> None:
    added = subprocess.run(
        ["hartslag", "hub", "user", "add", "ontwikkelaar", "--role", "analist", "--password-stdin",
         "--data", str(served.data)],
        input="een-wachtwoord-voor-de-test\n", env=served.env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "added account ontwikkelaar" in added.stdout
    token = subprocess.run(
        ["hartslag", "hub", "token", "ontwikkelaar", "--hub-id", HUB_ID, "--data", str(served.data)],
        env=served.env, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    terminal = Terminal(tmp_path, {**served.env, "HUB": served.url, "TOKEN": token}, {})
    ran = 0
    for block in blocks(READ_GUIDE):
        if block.lang != "sh" or "/v1/search" in block.code:
            continue  # search needs a language model: see the next test
        code = "\n".join(line for line in block.code.splitlines() if not re.match(r"export (HUB|TOKEN)=", line))
        if code.strip():
            terminal.run(dataclasses.replace(block, code=code))
            ran += 1
    assert ran >= 10


def test_the_search_examples_answer_as_documented(request: pytest.FixtureRequest) -> None:
    hub: Hub = request.getfixturevalue("searchable")[0]  # search over a real engine's state, hashing embedder
    examples = [b for b in blocks(READ_GUIDE) if b.lang == "sh" and "/v1/search" in b.code]
    assert examples
    for block in examples:
        path = re.search(r'"\$HUB(/v1/search[^"]*)"', block.code)
        assert path is not None, block.code
        response = hub.client.get(path.group(1), headers=hub.bearer("analist"))
        assert response.status_code == 200, response.text
        assert_output(block, response.text)


def test_every_setting_the_guides_name_exists(tmp_path: Path) -> None:
    text = HUB_GUIDE.read_text(encoding="utf-8") + READ_GUIDE.read_text(encoding="utf-8")
    fields = {f"HARTSLAG_{name.upper()}" for name in Settings.model_fields}
    assert set(re.findall(r"HARTSLAG_[A-Z_]+", text)) <= fields
    for block in blocks(HUB_GUIDE):
        if block.lang == "ini":  # an example environment of the hub: it must make valid settings
            pairs = [line.split("=", 1) for line in block.code.splitlines() if "=" in line and line[0] != "#"]
            values: dict[str, Any] = {key[len("HARTSLAG_") :].lower(): value for key, value in pairs}
            Settings(data=tmp_path, **values)
