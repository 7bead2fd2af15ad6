# SPDX-License-Identifier: EUPL-1.2
"""What ``hartslag connector pack|push|run|status`` do, kept out of the CLI module so that it stays thin.

* ``pack``: read an export, sign batches, print one compact JWS per line; sends nothing, keeps no state.
* ``push``: read an export into the outbox (not read again when the same bytes were queued before), then deliver
  until everything is settled or the timeout passes, with a progress bar on stderr.
* ``run``: follow a folder of exports (``connector.toml``), queue new and changed files, keep delivering.
* ``status``: the outbox's counts and set-aside reasons.

Exit codes: 0 everything delivered; 1 something was set aside, skipped while reading, or is still waiting;
2 bad input (file, mapping, key, configuration or URL), raised as :class:`~governance.errors.InvalidInputError`.
"""

from __future__ import annotations

import hashlib
import json
import signal
import sys
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors.delivery import BatchOutcome, DeliveryReport, deliver
from connectors.envelope import BatchSigner
from connectors.keys import load_signing_key, passphrase_from_env
from connectors.outbox import DB_NAME, DEFAULT_BATCH_SIZE, Outbox, OutboxStatus
from connectors.transport import Transport, open_transport
from governance.errors import HartslagError, InvalidInputError

__all__ = [
    "DEFAULT_AUDIENCE",
    "DEFAULT_STATE",
    "RunConfig",
    "pack_file",
    "push_file",
    "read_export",
    "run_cli",
    "run_connector",
    "show_status",
]

DEFAULT_AUDIENCE = "hartslag-hub"
DEFAULT_STATE = Path(".hartslag-connector")
DEFAULT_TIMEOUT = 300.0


def run_cli(call: Callable[[], int]) -> int:
    """Run a command body; a Hartslag error becomes one line on stderr and exit code 2 (bad input) or 1."""
    try:
        return call()
    except InvalidInputError as exc:
        _err(f"error: {exc.message} [{exc.code}]")
        return 2
    except HartslagError as exc:
        _err(f"error: {exc.message} [{exc.code}]")
        return 1


def _err(message: str) -> None:
    from rich.console import Console

    Console(stderr=True, highlight=False, soft_wrap=True).print(message, markup=False)


def read_export(file: Path, mapping: Path | None, fmt: str | None = None) -> tuple[list[dict[str, Any]], int]:
    """The scrubbed standard signals of one export, and how many records were skipped (each listed on stderr)."""
    from connectors.preview import default_anonymiser
    from connectors.readers import read_signals

    signals, report = read_signals(file, mapping, default_anonymiser(), fmt)
    for issue in report.issues[:20]:
        _err(f"skipped {issue}")
    if report.skipped > 20:
        _err(f"... and {report.skipped - 20} more skipped records")
    return signals, report.skipped


def _signer(key: Path, agency: str, audience: str, passphrase_env: str | None) -> BatchSigner:
    return BatchSigner(load_signing_key(key, passphrase_from_env(passphrase_env)), issuer=agency, audience=audience)


def pack_file(
    file: Path,
    mapping: Path | None,
    *,
    agency: str,
    key: Path,
    audience: str,
    batch_size: int = DEFAULT_BATCH_SIZE,
    passphrase_env: str | None = None,
    fmt: str | None = None,
) -> int:
    """Write signed batches of ``file`` to stdout, one compact JWS per line; returns the exit code."""
    signer = _signer(key, agency, audience, passphrase_env)
    signals, skipped = read_export(file, mapping, fmt)
    out = sys.stdout.buffer
    for start in range(0, len(signals), batch_size):
        out.write(signer.sign(signals[start : start + batch_size]).token + b"\n")
    out.flush()
    _err(f"{len(signals)} signals in {-(-len(signals) // batch_size)} signed batches; {skipped} records skipped")
    return 1 if skipped else 0


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _queue_file(outbox: Outbox, file: Path, mapping: Path | None, fmt: str | None) -> tuple[int, int]:
    """Queue one export unless these exact bytes (with this mapping and format) were queued before; (added, skipped)."""
    if not file.is_file():
        raise InvalidInputError(f"{file} does not exist or is not a file", code="file-not-found")
    fingerprint = f"{_digest(file)}:{_digest(mapping) if mapping else ''}:{fmt or ''}"
    digest = hashlib.sha256(fingerprint.encode()).hexdigest()
    source = str(file.resolve())
    if outbox.source_digest(source) == digest:
        return 0, 0  # re-queueing would be a no-op anyway (ids are the key); this only saves the reading
    signals, skipped = read_export(file, mapping, fmt)
    added = outbox.enqueue(signals).added
    outbox.mark_source(source, digest, len(signals))
    return added, skipped


class _Stop:
    """SIGTERM/SIGINT ask the loop to stop after the batch at hand (a kill -9 is safe too, just less tidy)."""

    def __init__(self) -> None:
        self.requested = False
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _Stop:
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                self._previous[sig] = signal.signal(sig, self._handle)
            except ValueError:  # not the main thread (embedded use): leave the signals alone
                break
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)

    def _handle(self, signum: int, frame: Any) -> None:
        self.requested = True

    def __call__(self) -> bool:
        return self.requested

    def nap(self, seconds: float) -> None:
        """Sleep up to ``seconds``, waking early when a stop is requested."""
        deadline = time.monotonic() + seconds
        while not self.requested and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 0.2))


def _deliver_with_progress(
    outbox: Outbox, transport: Transport, agency: str, *, timeout: float, stop: Callable[[], bool]
) -> DeliveryReport:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    outbox.seal(force=True)
    start = outbox.status()
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=False,
    ) as progress:
        task = progress.add_task("delivering", total=start.queued + start.in_flight)

        def advance(outcome: BatchOutcome) -> None:
            if outcome.result == "retry":
                progress.update(task, description=f"retry in {outcome.delay:.1f} s ({outcome.reason})")
            else:
                progress.update(task, advance=outcome.batch.n_signals, description="delivering")

        return deliver(outbox, transport, agency=agency, timeout=timeout, on_outcome=advance, stop=stop)


def _verdict(before: OutboxStatus, after: OutboxStatus, report: DeliveryReport, skipped: int) -> int:
    set_aside = after.set_aside - before.set_aside
    lines = [
        f"delivered {report.delivered_signals} signals in {report.delivered_batches} batches"
        f" ({report.resends} resends, {report.replays} replayed receipts, {report.retries} retries)"
    ]
    if set_aside:
        reasons = ", ".join(f"{reason}: {count}" for reason, count in sorted(after.reasons.items()))
        lines.append(f"{set_aside} signals set aside ({reasons}); see 'hartslag connector status'")
    if not after.settled:
        lines.append(f"{after.queued + after.in_flight} signals still waiting in the outbox; they go with the next run")
    if skipped:
        lines.append(f"{skipped} records skipped while reading")
    for line in lines:
        _err(line)
    return 0 if after.settled and not set_aside and not skipped else 1


def push_file(
    file: Path,
    mapping: Path | None,
    *,
    hub: str,
    agency: str,
    key: Path,
    audience: str = DEFAULT_AUDIENCE,
    state: Path = DEFAULT_STATE,
    batch_size: int = DEFAULT_BATCH_SIZE,
    passphrase_env: str | None = None,
    fmt: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> int:
    """Queue ``file`` in the outbox and deliver everything waiting; returns the exit code."""
    signer = _signer(key, agency, audience, passphrase_env)
    transport = open_transport(hub)
    try:
        with Outbox(state, signer=signer, batch_size=batch_size, exclusive=True) as outbox:
            before = outbox.status()
            added, skipped = _queue_file(outbox, file, mapping, fmt)
            if added:
                _err(f"queued {added} new signals from {file.name}")
            with _Stop() as stop:
                report = _deliver_with_progress(outbox, transport, agency, timeout=timeout, stop=stop)
            return _verdict(before, outbox.status(), report, skipped)
    finally:
        transport.close()


@dataclass(frozen=True)
class RunConfig:
    """``connector.toml``: who we are, where to deliver, which folder to follow. Paths are relative to the file."""

    agency: str
    hub: str
    key: Path
    folder: Path
    audience: str = DEFAULT_AUDIENCE
    passphrase_env: str | None = None
    state: Path = DEFAULT_STATE
    pattern: str = "*"
    mapping: Path | None = None
    format: str | None = None
    batch_size: int = DEFAULT_BATCH_SIZE
    max_age: float = 5.0
    interval: float = 10.0
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def load(cls, path: Path) -> RunConfig:
        """Read and check a ``connector.toml``; unknown keys are refused so that typos do not pass silently."""
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise InvalidInputError(f"cannot read {path} as TOML: {exc}", code="config-invalid") from exc
        base = path.resolve().parent
        sections = {"": {"agency", "hub", "key", "audience", "passphrase_env", "state"},
                    "source": {"folder", "pattern", "mapping", "format"},
                    "delivery": {"batch_size", "max_age", "interval", "timeout"}}  # fmt: skip
        flat: dict[str, Any] = {}
        for name, value in doc.items():
            if name in sections and name and isinstance(value, dict):
                unknown = set(value) - sections[name]
                flat.update(value)
            else:
                unknown = {name} - sections[""]
                flat[name] = value
            if unknown:
                raise InvalidInputError(
                    f"{path.name}: unknown key(s) {', '.join(sorted(unknown))}", code="config-invalid"
                )
        missing = [k for k in ("agency", "hub", "key", "folder") if k not in flat]
        if missing:
            raise InvalidInputError(f"{path.name}: missing {', '.join(missing)}", code="config-invalid")
        for name in ("key", "folder", "state", "mapping"):
            if name in flat:
                flat[name] = base / str(flat[name])
        flat.setdefault("state", base / DEFAULT_STATE)
        try:
            return cls(**flat)
        except TypeError as exc:
            raise InvalidInputError(f"{path.name}: {exc}", code="config-invalid") from exc


def _scan(outbox: Outbox, config: RunConfig) -> tuple[int, int, int]:
    """Queue every new or changed export in the folder; (signals added, records skipped, files that failed)."""
    added = skipped = failed = 0
    for file in sorted(p for p in config.folder.glob(config.pattern) if p.is_file()):
        try:
            new, lost = _queue_file(outbox, file, config.mapping, config.format)
        except HartslagError as exc:
            _err(f"{file.name}: {exc.message} [{exc.code}]")
            failed += 1
            continue
        if new:
            _err(f"queued {new} new signals from {file.name}")
        added, skipped = added + new, skipped + lost
    return added, skipped, failed


def run_connector(config: RunConfig, *, once: bool = False) -> int:
    """Follow ``config.folder``: queue new and changed exports and keep delivering; ``once`` makes a single pass."""
    if not config.folder.is_dir():
        raise InvalidInputError(f"the export folder {config.folder} does not exist", code="folder-not-found")
    signer = _signer(config.key, config.agency, config.audience, config.passphrase_env)
    transport = open_transport(config.hub)
    try:
        with (
            Outbox(
                config.state, signer=signer, batch_size=config.batch_size, max_age=config.max_age, exclusive=True
            ) as outbox,
            _Stop() as stop,
        ):
            before = outbox.status()
            if once:
                _, skipped, failed = _scan(outbox, config)
                report = deliver(outbox, transport, agency=config.agency, timeout=config.timeout, stop=stop)
                return max(_verdict(before, outbox.status(), report, skipped), 1 if failed else 0)
            _err(f"following {config.folder} ({config.pattern}), delivering to {config.hub}; Ctrl-C stops")
            while not stop():
                started = time.monotonic()
                _scan(outbox, config)
                report = deliver(
                    outbox, transport, agency=config.agency, flush=False, timeout=config.interval, stop=stop
                )
                if report.sends:
                    _err(f"delivered {report.delivered_signals} signals ({report.retries} retries)")
                stop.nap(config.interval - (time.monotonic() - started))  # settled early: wait for the next scan
            return 0
    finally:
        transport.close()


def show_status(state: Path, *, as_json: bool = False) -> int:
    """Print the outbox's counts (``--json``: machine output only on stdout)."""
    if not (state / DB_NAME).is_file():
        raise InvalidInputError(f"no connector outbox in {state}", code="outbox-missing")
    with Outbox(state) as outbox:
        status = outbox.status()
    if as_json:
        sys.stdout.write(json.dumps(status.as_dict(), indent=2) + "\n")
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Outbox {state}", show_header=True)
    table.add_column("state")
    table.add_column("signals", justify="right")
    for name, count in (
        ("queued", status.queued),
        ("in flight", status.in_flight),
        ("delivered", status.delivered),
        ("set aside", status.set_aside),
    ):
        table.add_row(name, str(count))
    console = Console()
    console.print(table)
    for reason, count in sorted(status.reasons.items()):
        console.print(f"set aside: {count} signals, reason [bold]{reason}[/bold]")
    if status.next_attempt_in is not None:
        console.print(f"next attempt in {status.next_attempt_in:.0f} s; {status.resends} resends so far")
    return 0
