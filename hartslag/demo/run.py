# SPDX-License-Identifier: EUPL-1.2
"""``hartslag demo``: a year of signals from fourteen organisations travels the real path to a running hub.

The stages, each shown in a progress display on standard error:

1. generate the scenario (:func:`hartslag.demo.generate`; deterministic for ``--seed`` and ``--scale``);
2. write each organisation's own export and the mapping its connector reads it with;
3. make each organisation's key pair (the connector's keygen) and declare the scenario's policies to matching;
   set the working group's scene in the registry (:mod:`hartslag.demo.workgroup`: members, two proposals, votes);
4. start the hub (``hartslag hub serve --matching``, its own process) and register every organisation with its
   public keys through the admin API;
5. each connector reads and scrubs its export;
6. the connectors sign and deliver their signals over HTTP, day by day of the year (see :mod:`hartslag.demo.replay`);
7. wait until the hub's matching worker has processed every stored signal;
8. print the summary and the addresses, then keep serving until Ctrl-C (``--headless``: stop here).

The composition root may use every package; it still talks to the hub only over HTTP and through its data folder,
like an operator.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from governance.errors import HartslagError, InvalidInputError, MissingExtraError
from hartslag.demo.folder import DemoFolder, prepare
from hartslag.demo.hub_process import DemoHub, check_port_free, hartslag_command
from hartslag.demo.logins import analyst_token, make_logins, read_logins
from hartslag.demo.model import Scenario
from hartslag.demo.replay import DemoConnector, make_connectors, replay
from hartslag.demo.stages import Stages
from hartslag.demo.summary import DemoSummary, collect, render

__all__ = ["DemoOptions", "MatchingStalledError", "run_demo"]

_STALL_SECONDS = 900.0  # no matching progress for this long while signals wait: something is wrong


class MatchingStalledError(HartslagError):
    """The hub's matching worker stopped making progress."""

    code = "demo-matching-stalled"


@dataclass(frozen=True)
class DemoOptions:
    """What ``hartslag demo`` was asked for."""

    data: Path = Path(".demo")
    port: int = 8000
    host: str = "127.0.0.1"
    scale: float = 1.0
    seed: int = 7
    days: int = 365
    serve: bool = True  # keep serving after the summary until Ctrl-C; False for --headless


def _declare_policies(scenario: Scenario, matching: Path) -> None:
    from matching.findings import Findings
    from matching.policies import Policy
    from matching.state import MatchingState

    state = MatchingState(matching)
    try:
        findings = Findings(state)
        for policy in scenario.policies:
            findings.add_policy(Policy(policy.name, policy.date, policy.refs))
    finally:
        state.close()


def _watermark(matching: Path) -> int:
    """The last hub sequence number matching has processed, read without taking any lock from the hub's worker."""
    from matching.state import STATE_FILENAME

    path = matching / STATE_FILENAME
    if not path.is_file():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=5)) as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'watermark'").fetchone()
    except sqlite3.Error:
        return 0
    return int(row[0]) if row else 0


class _MatchingWatch:
    """Follows the hub's matching in the background and shows it as a stage."""

    def __init__(self, hub: DemoHub, folder: DemoFolder, stages: Stages) -> None:
        self.hub, self.folder, self.stages = hub, folder, stages
        self.task = stages.begin("matching", "Matching: embedding, clustering and detecting", total=None)
        self.stored = self.watermark = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._follow, name="demo-matching-watch", daemon=True)
        self._thread.start()

    def _follow(self) -> None:
        while not self._stop.wait(1.0):
            with contextlib.suppress(HartslagError):
                self.stored = int(self.hub.stats()["signals"])
            self.watermark = _watermark(self.folder.matching)
            if self.stored:
                self.stages.advance(self.task, min(self.watermark, self.stored), total=self.stored)

    def wait(self) -> None:
        """Return once every stored signal is processed; raise when the hub died or matching stalls."""
        last, since = -1, time.monotonic()
        while True:
            self.hub.check_alive()
            stored = int(self.hub.stats()["signals"])
            watermark = _watermark(self.folder.matching)
            if stored and watermark >= stored:
                break
            if watermark != last:
                last, since = watermark, time.monotonic()
            elif time.monotonic() - since > _STALL_SECONDS:
                raise MatchingStalledError(f"matching made no progress for {_STALL_SECONDS:g} s; see {self.hub.log}")
            time.sleep(0.5)
        self._stop.set()
        self._thread.join()
        self.stages.done(self.task, f"Matching: {stored} signals embedded, clustered and checked for patterns")

    def close(self) -> None:
        """Stop following (also when the demo is interrupted)."""
        self._stop.set()


def _prepare_run(options: DemoOptions, stages: Stages) -> tuple[Scenario, DemoFolder, list[DemoConnector]]:
    from hartslag.demo import generate, write_exports
    from hartslag.demo.workgroup import set_scene

    folder = prepare(options.data)
    task = stages.begin("generation", "Generating the scenario")
    scenario = generate(seed=options.seed, scale=options.scale, days=options.days)
    stages.done(task, f"Scenario: {len(scenario.signals)} signals, {len(scenario.planted)} planted patterns")
    task = stages.begin("exports", "Writing each organisation's export and mapping")
    exports = write_exports(scenario, folder.exports)
    stages.done(task, f"Exports: {len(exports)} organisations, each in its own format (CSV, Signalen, Open311, KTO)")
    task = stages.begin("keys", "Making key pairs, declaring policies")
    connectors = make_connectors(scenario.organisations, exports, folder.keys, folder.outboxes)
    _declare_policies(scenario, folder.matching)
    stages.done(task, f"Keys: {len(connectors)} key pairs; policies: {len(scenario.policies)} declared to matching")
    task = stages.begin("werkgroep", "The working group: members, proposals and signed votes")
    scene = set_scene(folder.hub, folder.workgroup)
    stages.done(
        task,
        f"Werkgroep: {len(scene.members)} members; {scene.minor[0]} {scene.minor[1]} proposed "
        f"({scene.minor_approvals} of {scene.minor_needed} approvals), {scene.major[0]} {scene.major[1]} proposed "
        f"({scene.major_breaking} breaking change)",
    )
    return scenario, folder, connectors


def _deliver(options: DemoOptions, folder: DemoFolder, connectors: list[DemoConnector], stages: Stages) -> DemoHub:
    token = secrets.token_urlsafe(32)
    folder.admin_token.touch(mode=0o600)
    folder.admin_token.write_text(token + "\n", encoding="utf-8")
    task = stages.begin("logins", "Adding a dashboard login for each role")
    logins = make_logins(hartslag_command(), folder.hub, folder.logins)
    stages.done(task, f"Logins: {', '.join(login.name for login in logins)} (passwords in {folder.logins})")
    hub = DemoHub(folder.hub, options.port, folder.hub_log, token, host=options.host)
    hub.start()  # starts up while the connectors read their exports
    task = stages.begin("reading", "Connectors read and scrub their exports", total=len(connectors))
    for number, connector in enumerate(connectors, start=1):
        connector.read_export()
        stages.advance(task, number, description=f"Connectors read and scrub their exports ({connector.code})")
    scrubbed = sum(c.scrubbed for c in connectors)
    stages.done(task, f"Read and scrubbed: {sum(c.read for c in connectors)} signals, {scrubbed} texts scrubbed")
    task = stages.begin("hub", f"Starting the hub on {hub.url}, registering the organisations")
    hub.wait_ready()
    for connector in connectors:
        organisation = connector.organisation
        hub.register(organisation.code, organisation.name, organisation.kind, connector.jwks)
    stages.done(task, f"Hub on {hub.url}: {len(connectors)} organisations registered with their public keys")
    return hub


def _push(hub: DemoHub, folder: DemoFolder, connectors: list[DemoConnector], stages: Stages) -> _MatchingWatch:
    """Deliver everything; matching follows in the hub meanwhile (the returned watch shows and awaits it)."""
    total = sum(c.read for c in connectors)
    task = stages.begin("delivery", "Connectors sign and deliver, day by day", total=total)
    watch = _MatchingWatch(hub, folder, stages)
    try:

        def on_day(day: str, delivered: int) -> None:
            stages.advance(task, delivered, description=f"Connectors sign and deliver, day by day ({day})")

        replay(connectors, hub.url, on_day=on_day)
    except BaseException:
        watch.close()
        raise
    delivered = sum(c.delivered for c in connectors)
    stages.done(task, f"Delivered: {delivered} signals in signed batches ({len(connectors)} keys) over HTTP")
    return watch


def run_demo(options: DemoOptions, *, out: Console, err: Console) -> int:
    """Run the demo; returns the exit code (0 ready, or stopped with Ctrl-C once ready; 1 failed; 2 bad input)."""
    ready = False
    hub: DemoHub | None = None
    watch: _MatchingWatch | None = None
    try:
        _check(options)
        started = time.monotonic()
        stages = Stages(err)
        with stages.shown():
            scenario, folder, connectors = _prepare_run(options, stages)
            hub = _deliver(options, folder, connectors, stages)
            watch = _push(hub, folder, connectors, stages)
            watch.wait()
            task = stages.begin("dashboard", "Preparing the dashboard: protecting every pattern's counts")
            hub.prepare_read_side(analyst_token(hartslag_command(), folder.hub))
            stages.done(task, "Dashboard ready: every count below 10 suppressed, with complementary suppression")
            stats = hub.stats()
        summary = collect(connectors, len(scenario.signals), stats, folder.matching)
        summary.timings = {**stages.timings, "total": round(time.monotonic() - started, 1)}
        summary.addresses = {"api": hub.url, "docs": f"{hub.url}/docs", "dashboard": f"{hub.url}/"}
        folder.summary.write_text(json.dumps(summary.as_dict(), indent=2, ensure_ascii=False) + "\n", "utf-8")
        render(summary, out)
        _addresses(summary, folder, out, serving=options.serve)
        ready = True
        if not _complete(summary):
            err.print("[bold yellow]warning:[/] not every signal reached the hub; see the table and the hub's log")
        if options.serve:
            while True:
                hub.check_alive()
                time.sleep(1.0)
        return 0 if _complete(summary) else 1
    except KeyboardInterrupt:
        err.print("Stopping the hub ..." if hub is not None else "Stopped.")
        return 0 if ready else 130
    except (InvalidInputError, MissingExtraError) as exc:
        err.print(f"[bold red]error:[/] {escape(exc.message)}")
        return 2
    except HartslagError as exc:
        err.print(f"[bold red]error:[/] {escape(exc.message)}")
        return 1
    finally:
        if watch is not None:
            watch.close()
        if hub is not None:
            hub.stop()


def _check(options: DemoOptions) -> None:
    """Refuse what cannot work before anything is written: missing extras, bad numbers, a port in use."""
    from governance.extras import require_extra

    require_extra("hub", "fastapi", "uvicorn")
    require_extra("matching", "numpy", "faiss")
    if options.scale <= 0:
        raise InvalidInputError("--scale must be greater than 0", code="demo-scale-invalid")
    if options.days < 1:
        raise InvalidInputError("--days must be at least 1", code="demo-days-invalid")
    check_port_free(options.host, options.port)


def _complete(summary: DemoSummary) -> bool:
    """Every signal read was stored, none set aside or refused."""
    read = sum(r["read"] for r in summary.organisations)
    set_aside = sum(r["set_aside"] for r in summary.organisations)
    return summary.stored == read and not set_aside and not summary.refusals


def _shown_command() -> str:
    """How to call ``hartslag`` from here: ``.venv/bin/hartslag`` in a checkout, the full path elsewhere."""
    command = Path(hartslag_command()[0])
    if command.name != "hartslag":
        return "hartslag"
    with contextlib.suppress(ValueError):
        return str(command.relative_to(Path.cwd()))
    return str(command)


def _addresses(summary: DemoSummary, folder: DemoFolder, out: Console, *, serving: bool) -> None:
    api, docs = summary.addresses["api"], summary.addresses["docs"]
    data, hartslag = folder.hub, _shown_command()
    dashboard = summary.addresses["dashboard"]
    out.print(f"\n[bold green]The Hartslag demo is ready.[/] Open the dashboard: [bold]{dashboard}[/]")
    for login in read_logins(folder.logins):
        password = escape(login.password)
        out.print(f"  Log in as {login.role:<9}  name [bold]{login.name}[/]  password [bold]{password}[/]")
    out.print(f"  The hub's API: {api}; its documentation (OpenAPI): {docs}")
    out.print(f"  Admin API token: {folder.admin_token}; the hub's log: {folder.hub_log}")
    out.print(f"  Explore: {hartslag} patterns list --data {data}")
    out.print(f"           {hartslag} patterns show ID --data {data}")
    out.print(f'           {hartslag} search "lege lachgasflessen in de berm" --data {data}')
    out.print(f"  Werkgroep: {hartslag} governance review signal 1.1.0 --data {data}")
    out.print(f"           the missing approval: {hartslag} governance approve signal 1.1.0 --member uwv \\")
    out.print(f"             --key {folder.workgroup / 'uwv.key.pem'} --data {data}")
    if serving:
        out.print("Press Ctrl-C to stop the hub.")
