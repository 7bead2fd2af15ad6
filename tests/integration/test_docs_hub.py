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
import csv
import dataclasses
import json
import os
import re
import shlex
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
from tests.integration.processes import HubProcess, hartslag

__all__ = ["Block", "assert_output", "assert_shape", "blocks", "seed_hub"]

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


# --- reading the guides ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A fenced code block of a guide, the level-2 section it is in, and the output block right after it."""

    lang: str
    code: str
    section: str
    output_lang: str | None = None
    output: str | None = None


_FENCE = re.compile(r"^```(\w*)\n(.*?)^```[ \t]*$", re.M | re.S)
_OUTPUTS = ("json", "csv", "http", "text")


def blocks(guide: Path) -> list[Block]:
    """The code blocks of ``guide`` in order, each with its output block (which is not listed by itself)."""
    text = guide.read_text(encoding="utf-8")
    headings = [(m.start(), m.group(1).strip()) for m in re.finditer(r"^## (.+)$", text, re.M)]
    fences = list(_FENCE.finditer(text))
    found: list[Block] = []
    skip = False
    for index, fence in enumerate(fences):
        if skip:
            skip = False
            continue
        section = next((name for at, name in reversed(headings) if at < fence.start()), "")
        after = fences[index + 1] if index + 1 < len(fences) else None
        output = None
        if after is not None and after.group(1) in _OUTPUTS and not text[fence.end() : after.start()].strip():
            output, skip = after, True
        found.append(
            Block(
                fence.group(1), fence.group(2), section,
                output.group(1) if output else None, output.group(2) if output else None,
            )
        )  # fmt: skip
    return found


# --- checking outputs -----------------------------------------------------------------------------------------------


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    return "number" if isinstance(value, int | float) else type(value).__name__


def assert_shape(documented: Any, actual: Any, where: str = "$") -> None:
    """``documented`` (a trimmed example) has the shape of ``actual``: the same keys in every object, the same kind
    of every value (``null`` goes with anything), and no list documented with items that came back empty."""
    if isinstance(documented, dict):
        assert isinstance(actual, dict), f"{where}: documented an object, got {_kind(actual)}"
        assert set(documented) == set(actual), f"{where}: documented {sorted(documented)}, got {sorted(actual)}"
        for key, value in documented.items():
            assert_shape(value, actual[key], f"{where}.{key}")
    elif isinstance(documented, list):
        assert isinstance(actual, list), f"{where}: documented a list, got {_kind(actual)}"
        assert actual or not documented, f"{where}: documented items, none came"
        for i, item in enumerate(documented):
            assert_shape(item, actual[min(i, len(actual) - 1)], f"{where}[{i}]")
    elif documented is not None and actual is not None:
        assert _kind(documented) == _kind(actual), f"{where}: documented {documented!r}, got {actual!r}"


def assert_output(block: Block, stdout: str) -> None:
    """The block's documented output (if any) has the shape of what it printed."""
    if block.output is None:
        return
    where = block.code.strip().splitlines()[-1]
    if block.output_lang == "json":
        assert_shape(json.loads(block.output), json.loads(stdout), where)
    elif block.output_lang == "csv":
        table = list(csv.reader(block.output.splitlines()))
        got_table = list(csv.reader(stdout.splitlines()))
        assert table[0] == got_table[0], where
        assert all(len(row) == len(got_table[0]) for row in table) and len(got_table) >= len(table), where
    elif block.output_lang == "http":
        status, *lines = block.output.strip().splitlines()
        got_status, *got = stdout.strip().splitlines()
        assert status.split()[1] == got_status.split()[1], f"{where}: {got_status}"
        names = {line.split(":")[0].lower() for line in got if ":" in line}
        assert {line.split(":")[0].lower() for line in lines} <= names, where
    else:
        printed = [line.strip() for line in stdout.splitlines()]
        for line in filter(None, (line.strip() for line in block.output.splitlines())):
            pattern = ".*".join(re.escape(part) for part in line.split("…"))
            assert any(re.fullmatch(pattern, got) for got in printed), f"{where}: no line like {line!r} in\n{stdout}"


# --- running blocks -------------------------------------------------------------------------------------------------


@dataclass
class Terminal:
    """Where the guide's commands run: a folder, the environment they carry over, and the replacements."""

    cwd: Path
    env: dict[str, str]
    replacements: dict[str, str]

    def localise(self, code: str) -> str:
        """The block with the guide's folder and addresses replaced by the test's."""
        for old, new in self.replacements.items():
            code = code.replace(old, new)
        return code

    def run(self, block: Block) -> str:
        """Run a sh or python block as the guide says; its standard output (asserted to succeed)."""
        code = self.localise(block.code)
        if block.lang == "python":
            result = subprocess.run(
                ["python3", "-"], input=code, cwd=self.cwd, env=self.env, capture_output=True, text=True, timeout=60
            )
        else:
            dump = self.cwd / ".variables"
            script = f"set -a -euo pipefail\n{code}\nenv -0 > {shlex.quote(str(dump))}\n"
            result = subprocess.run(
                ["bash", "-c", script], cwd=self.cwd, env=self.env, capture_output=True, text=True, timeout=120
            )
        assert result.returncode == 0, f"{code}\n{result.stdout[-1000:]}\n{result.stderr[-2000:]}"
        assert "Traceback" not in result.stderr, f"{code}\n{result.stderr[-2000:]}"
        if block.lang != "python":
            variables = dump.read_text(encoding="utf-8").split("\0")
            self.env = dict(item.split("=", 1) for item in variables if "=" in item)
        assert_output(block, result.stdout)
        return result.stdout

    def start(self, block: Block) -> subprocess.Popen[str]:
        """Start a block that keeps running (the webhook receiver), in its own process group."""
        return subprocess.Popen(
            ["bash", "-c", self.localise(block.code)], cwd=self.cwd, env=self.env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        )  # fmt: skip


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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
