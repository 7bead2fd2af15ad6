# SPDX-License-Identifier: EUPL-1.2
"""The demo path, headless, on a reduced year: ``hartslag demo --headless`` with a real hub process and real matching.

One run (module fixture) of ``hartslag demo --headless --scale SCALE --days DAYS --seed 7`` on a temporary folder and
a free port: fourteen connectors read their own exports, scrub, sign and deliver day by day over HTTP to a
``hartslag hub serve --matching`` process, and the demo waits until matching has processed everything. Then:

* delivery: the hub's database holds exactly the scenario's (organisation, signal id) pairs, each once, and refused
  nothing; no connector skipped a record or set a batch aside;
* privacy: no planted personal value appears in the raw bytes of any file the hub wrote (its SQLite database and
  write-ahead log, matching's database and log, the index, the embedding cache, the hub's log), nor in the
  connectors' outboxes (what left the organisations); the same search does find them in the exports, so it works;
* patterns (judged as :func:`hartslag.demo.evaluation.score` does): both planted cross-organisation surges get a
  ``cross_org`` alert with scope ``landelijk`` during their surge (within three weeks of their onset; issue 6 asks
  two days, which the benefits wave meets and nitrous oxide does not yet: a strict expected failure), and the local
  festival is found as a local pattern, with no ``cross_org`` alert and never called ``landelijk``;
* the working group's scene: signal 1.1.0 proposed with two approvals, the themes 2.0.0 proposal incompatible.

The scenario is generated again here with the same arguments (it is deterministic) to know what was planted.
``HARTSLAG_DEMO_TEST_SCALE`` and ``HARTSLAG_DEMO_TEST_DAYS`` change the size; the run's timings are printed (``-s``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from hartslag.demo import Scenario, generate
from hartslag.demo.evaluation import ScenarioScore, score
from hartslag.demo.logins import read_logins
from tests.integration.processes import HubProcess, hartslag
from tests.receivers import free_port

pytestmark = pytest.mark.integration

# 255 days hold both cross-organisation surges (onsets on days 152 and 244, after 12 weeks of history, and at least
# a week of each surge) and the festival (day 170); a fifth of the signals (about 5,500) keeps the run near three
# minutes on two busy cores, most of it matching's embedding.
SCALE = float(os.environ.get("HARTSLAG_DEMO_TEST_SCALE", "0.5"))
DAYS = int(os.environ.get("HARTSLAG_DEMO_TEST_DAYS", "255"))
SEED = 7
TIMEOUT = 1200.0
MAX_DELAY = 2  # event-time days from a surge's onset to its alert: issue 6's goal (evaluation.score's default)
SURGE_DELAY = 21  # found during the surge (the surges last 12 weeks): what a newcomer of the demo must see


@dataclass(frozen=True)
class DemoRun:
    """One finished headless demo run and the scenario it played."""

    scenario: Scenario
    root: Path
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def hub(self) -> Path:
        """The hub's data folder."""
        return self.root / "hub"

    def summary(self) -> dict[str, Any]:
        """The demo's summary.json."""
        loaded: dict[str, Any] = json.loads((self.root / "summary.json").read_text(encoding="utf-8"))
        return loaded


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    root = tmp_path_factory.mktemp("demo") / "data"
    command = [*hartslag(), "demo", "--headless", "--data", str(root), "--port", str(free_port())]
    command += ["--scale", str(SCALE), "--days", str(DAYS), "--seed", str(SEED)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARTSLAG_")} | {"HF_HUB_OFFLINE": "1"}
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, env=env, check=False)
    seconds = time.monotonic() - started
    print(f"\ndemo at scale {SCALE}, {DAYS} days: exit {done.returncode} after {seconds:.0f} s\n{done.stderr[-3000:]}")
    scenario = generate(seed=SEED, scale=SCALE, days=DAYS)
    return DemoRun(scenario, root, done.returncode, done.stdout, done.stderr, seconds)


def test_the_demo_ends_ready_with_a_summary(demo: DemoRun) -> None:
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert "The Hartslag demo is ready" in demo.stdout
    assert "/docs" in demo.stdout and "Open the dashboard: http://127.0.0.1:" in demo.stdout
    for login in read_logins(demo.root / "logins"):  # each role's login and password is printed
        assert f"name {login.name}  password {login.password}" in demo.stdout
    summary = demo.summary()
    print("timings:", summary["timings"])
    assert summary["scenario_signals"] == len(demo.scenario.signals)
    assert summary["patterns"] > 0


def _log_in(client: httpx.Client, name: str, password: str) -> httpx.Response:
    """Log in through the dashboard's form, as a browser does (the form's CSRF token and pre-session cookie)."""
    form = client.get("/inloggen")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert form.status_code == 200 and token, form.text[:500]
    data = {"naam": name, "wachtwoord": password, "csrf_token": token.group(1), "next": "/patronen"}
    return client.post("/inloggen", data=data, follow_redirects=True)


def test_the_printed_logins_open_the_dashboard_on_the_demo_data(demo: DemoRun, tmp_path: Path) -> None:
    logins = {login.role: login for login in read_logins(demo.root / "logins")}
    assert set(logins) == {"analist", "beheerder", "werkgroep"}
    port = free_port()
    hub = HubProcess(
        [*hartslag(), "hub", "serve", "--data", str(demo.hub), "--port", str(port)], port, tmp_path / "log"
    )
    hub.start()
    try:
        hub.wait_healthy(60)
        with httpx.Client(base_url=hub.url, timeout=60) as client:
            analist = logins["analist"]
            patterns = _log_in(client, analist.name, analist.password)
            assert patterns.status_code == 200 and "/patronen" in str(patterns.url), patterns.text[:500]
            assert "lachgas" in patterns.text.lower()  # a planted pattern, visible on the dashboard
        with httpx.Client(base_url=hub.url, timeout=60) as client:
            refused = _log_in(client, analist.name, "niet-het-wachtwoord")
            assert "/inloggen" in str(refused.url) and "lachgas" not in refused.text.lower()
    finally:
        hub.kill()


def test_the_working_group_finds_a_proposal_halfway_and_an_incompatible_one(demo: DemoRun) -> None:
    printed = " ".join(demo.stdout.split())  # the console wraps long lines
    assert "governance approve signal 1.1.0 --member uwv" in printed  # the missing vote
    done = subprocess.run(
        [*hartslag(), "governance", "versions", "signal", "--data", str(demo.hub), "--json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert {v["version"]: v["status"] for v in json.loads(done.stdout)} == {
        "1.0.0": "gepubliceerd",
        "1.1.0": "voorgesteld",
    }
    done = subprocess.run(
        [*hartslag(), "governance", "review", "codelist/themes", "2.0.0", "--data", str(demo.hub), "--json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    review = json.loads(done.stdout)
    assert review["status"] == "voorgesteld" and not review["compatible"] and review["change"] == "major"


def test_every_organisation_delivered_every_signal_once(demo: DemoRun) -> None:
    expected = {(s["source"]["organisation"], s["id"]) for s in demo.scenario.signals}
    with contextlib.closing(sqlite3.connect(demo.hub / "hartslag.db")) as db:
        rows = db.execute("SELECT agency, id FROM signals").fetchall()
        refusals = db.execute("SELECT code, agency, count FROM refusals").fetchall()
    assert len(rows) == len(set(rows)) == len(expected)
    assert set(rows) == expected
    assert refusals == []
    organisations = demo.summary()["organisations"]
    assert {row["code"] for row in organisations} == {o.code for o in demo.scenario.organisations}
    for row in organisations:
        assert (row["skipped"], row["set_aside"]) == (0, 0), row["code"]
        assert row["read"] == row["delivered"] > 0, row["code"]
    assert demo.summary()["stored"] == len(expected)


def _forms(value: str) -> tuple[bytes, ...]:
    """``value`` as stored raw (UTF-8) and as it would look escaped in JSON text."""
    return tuple({value.encode(), json.dumps(value)[1:-1].encode()})


def _innocent(scenario: Scenario) -> list[bytes]:
    """Text the hub rightly holds that may contain a planted value by chance: the organisations' category labels
    (CJIB's "Verkeersboete (Wet Mulder)" names the traffic-fines act, and Mulder is also a planted surname) and the
    organisations' names. Removed from the bytes before searching; the longest first."""
    labels = {s["category"]["label"] for s in scenario.signals if s.get("category", {}).get("label")}
    labels |= {o.name for o in scenario.organisations}
    return sorted({form for label in labels for form in _forms(label)}, key=len, reverse=True)


def _leaks(files: list[Path], scenario: Scenario) -> dict[str, list[str]]:
    """Which files hold which planted personal values as whole words (the message names files and counts only)."""
    innocent = _innocent(scenario)
    found: dict[str, list[str]] = {}
    for path in files:
        content = path.read_bytes()
        candidates = [v for v in scenario.personal_values if any(form in content for form in _forms(v))]
        if not candidates:
            continue
        for text in innocent:
            content = content.replace(text, b"")
        hits = [value for value in candidates if any(re.search(_as_word(form), content) for form in _forms(value))]
        if hits:
            found[path.name] = hits
    return found


_TEXT = rb"[\t\n\x20-\x7e]"  # a byte of plain text


def _as_word(form: bytes) -> bytes:
    """A pattern for ``form`` as a whole word. A short value (a surname like "Bos") must also stand in text, four
    plain-text bytes on each side: random bytes of stored vectors and indexes hold any three given letters by chance
    (about twice in the 40 MB of a half-scale demo), four text bytes on each side only once in about 2,500 times as
    often; a real leak stands in text ("meneer Bos belde")."""
    word = rb"(?<![A-Za-z])" + re.escape(form) + rb"(?![A-Za-z])"
    return word if len(form) >= 6 else rb"(?<=" + _TEXT + rb"{4})" + word + rb"(?=" + _TEXT + rb"{4})"


def test_no_planted_personal_value_reaches_the_hub_or_leaves_an_organisation(demo: DemoRun) -> None:
    scenario = demo.scenario
    assert len(scenario.personal_values) > 50
    hub_files = sorted(p for p in demo.hub.rglob("*") if p.is_file())
    names = {p.name for p in hub_files}
    assert {"hartslag.db", "matching.db"} <= names, names
    # Counts per file only: a failure must not print the values themselves.
    leaked = {
        name: len(values)
        for name, values in _leaks([*hub_files, demo.root / "hub.log", demo.root / "summary.json"], scenario).items()
    }
    assert leaked == {}
    outboxes = sorted(p for p in (demo.root / "outboxes").rglob("*") if p.is_file())
    assert outboxes
    left = {name: len(values) for name, values in _leaks(outboxes, scenario).items()}
    assert left == {}
    # The search finds what is there: the organisations' own exports do hold the planted values.
    exports = sorted((demo.root / "exports").iterdir())
    in_exports = {value for values in _leaks(exports, scenario).values() for value in values}
    assert len(in_exports) > 0.9 * len(scenario.personal_values)


def _alerts_about(demo: DemoRun, name: str, kind: str) -> list[Any]:
    """Alerts of ``kind`` about planted pattern ``name``: most signals behind the alert (``details["signal_ids"]``,
    as in :func:`hartslag.demo.evaluation.score`) are signals it planted. Cluster ids change as patterns merge and
    split; the signals do not."""
    from matching.findings import Findings
    from matching.state import MatchingState

    planted = frozenset().union(*(p.signal_ids for p in demo.scenario.planted_named(name)))
    state = MatchingState(demo.hub / "matching")
    try:
        alerts = Findings(state).alerts(kind=kind)
    finally:
        state.close()
    about = []
    for alert in alerts:
        ids = alert.details.get("signal_ids") or []
        if ids and sum(1 for i in ids if i in planted) * 2 > len(ids):
            about.append(alert)
    return about


def _scopes_of(demo: DemoRun, clusters: tuple[int, ...]) -> set[str]:
    from matching.findings import Findings
    from matching.patterns import get_pattern
    from matching.state import MatchingState

    state = MatchingState(demo.hub / "matching")
    try:
        findings = Findings(state)
        return {get_pattern(state, findings, cluster).scope for cluster in clusters}
    finally:
        state.close()


@pytest.fixture(scope="module")
def result(demo: DemoRun) -> ScenarioScore:
    scored = score(demo.scenario, demo.hub, max_delay=MAX_DELAY)
    print("score:", json.dumps(scored.as_dict()))
    return scored


def _national_within(demo: DemoRun, name: str, days: int) -> list[Any]:
    (planted,) = demo.scenario.planted_named(name)
    window = (planted.onset, planted.onset + timedelta(days=days))
    return [
        a
        for a in _alerts_about(demo, name, "cross_org")
        if window[0] <= a.detected_at <= window[1] and a.details.get("scope") == "landelijk"
    ]


@pytest.mark.parametrize("name", ["lachgas", "terugvordering"])
def test_the_cross_organisation_surges_are_found_as_national(demo: DemoRun, result: ScenarioScore, name: str) -> None:
    report = json.dumps(result.as_dict())
    national = _national_within(demo, name, SURGE_DELAY)
    assert national, f"no cross_org alert on {name} with scope landelijk within {SURGE_DELAY} days: {report}"


@pytest.mark.parametrize("name", ["lachgas", "terugvordering"])
def test_the_cross_organisation_surges_are_found_within_two_days(
    demo: DemoRun, result: ScenarioScore, name: str
) -> None:
    report = json.dumps(result.as_dict())
    (pattern,) = [p for p in result.patterns if p.name == name]
    assert pattern.found_on is not None, f"no cross_org alert on {name} within {MAX_DELAY} days of its onset: {report}"
    assert _national_within(demo, name, MAX_DELAY), f"none with scope landelijk within {MAX_DELAY} days: {report}"


def test_the_festival_is_found_as_a_local_pattern(demo: DemoRun, result: ScenarioScore) -> None:
    report = json.dumps(result.as_dict())
    (pattern,) = [p for p in result.patterns if p.name == "festival"]
    assert pattern.clusters, f"the festival was not grouped into a pattern: {report}"
    assert "landelijk" not in pattern.scopes and result.local_called_national == 0, report
    assert not _alerts_about(demo, "festival", "cross_org"), report
    assert _scopes_of(demo, pattern.clusters) == {"lokaal"}, report
