# SPDX-License-Identifier: EUPL-1.2
"""The demo's organisations as agencies: each connector reads its own export, scrubs, signs and delivers over HTTP.

Every step is the connector's own: :func:`connectors.keys.write_keypair` makes the key pair,
:func:`connectors.readers.read_signals` with the default anonymiser reads and scrubs the export through its mapping,
and the outbox with :func:`connectors.delivery.deliver` signs batches with the organisation's key and delivers them
to the hub over the HTTP transport until each has a receipt.

Only the pace differs from ``hartslag connector push``. Pushing each export whole would bring the year to the hub
one organisation after another, and matching, which runs on the signals' own clock (docs/matching.md), would find
every organisation after the first a year late. So :func:`replay` plays the year back as connectors that follow
their export folders would have lived it: every organisation delivers its signals of day one, then of day two, and
so on, all in step per day, always in the same order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connectors.delivery import deliver
from connectors.envelope import BatchSigner
from connectors.keys import load_jwks, load_signing_key, write_keypair
from connectors.outbox import Outbox
from connectors.preview import default_anonymiser
from connectors.readers import read_signals
from connectors.receipts import Receipt
from connectors.transport import Transport, open_transport
from governance.errors import HartslagError
from hartslag.demo.model import Organisation

__all__ = ["DeliveryIncompleteError", "DemoConnector", "make_connectors", "replay"]

_DAY_TIMEOUT = 300.0  # seconds one organisation may take to deliver one day (retries included)


class DeliveryIncompleteError(HartslagError):
    """A connector could not deliver a day's signals in time (the hub is down or keeps refusing)."""

    code = "demo-delivery-incomplete"


@dataclass
class DemoConnector:
    """One organisation's connector: its export, mapping, key and outbox, and what happened to its signals."""

    organisation: Organisation
    export: Path
    mapping: Path
    key: Path
    jwks: dict[str, Any]
    state: Path
    read: int = 0  # signals made from the export
    skipped: int = 0  # records the reader could not use
    scrubbed: int = 0  # signals whose text had personal data replaced by placeholders
    placeholders: int = 0
    delivered: int = 0
    set_aside: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    by_day: dict[str, list[dict[str, Any]]] = field(default_factory=dict, repr=False)

    @property
    def code(self) -> str:
        """The organisation code (the batches' issuer)."""
        return self.organisation.code

    def read_export(self) -> None:
        """Read and scrub the export through its mapping; keep the signals by day of observation."""
        signals, report = read_signals(self.export, self.mapping, default_anonymiser())
        self.read, self.skipped = len(signals), report.skipped
        self.by_day = {}
        for signal in signals:
            placed = sum(signal["privacy"].get("placeholders", {}).values())
            self.scrubbed += placed > 0
            self.placeholders += placed
            self.by_day.setdefault(signal["observed_at"][:10], []).append(signal)


def make_connectors(
    organisations: Sequence[Organisation], exports: dict[str, tuple[Path, Path]], keys: Path, states: Path
) -> list[DemoConnector]:
    """A connector per organisation, each with a fresh key pair in ``keys`` and an outbox under ``states``."""
    connectors = []
    for organisation in organisations:
        pair = write_keypair(organisation.code, keys)
        export, mapping = exports[organisation.code]
        state = states / organisation.code
        connectors.append(DemoConnector(organisation, export, mapping, pair.private_pem, load_jwks(pair.jwks), state))
    return connectors


def replay(
    connectors: Sequence[DemoConnector],
    hub_url: str,
    *,
    audience: str = "hartslag-hub",
    on_day: Callable[[str, int], None] | None = None,
) -> None:
    """Deliver every connector's signals day by day, all organisations in step; ``on_day(day, delivered)``.

    Each connector runs in its own thread with its own outbox and HTTP connection, so queueing, signing and the
    outboxes' disk writes overlap. The sends themselves take turns in a fixed order (day by day, organisation by
    organisation within a day), so the hub stores the signals in the same order on every run and matching, which is
    a function of that order, finds the same patterns.
    """
    days = sorted({day for c in connectors for day in c.by_day})

    def day_done(index: int) -> None:
        if on_day is not None:
            on_day(days[index], sum(c.delivered for c in connectors))

    turns = _Turns(len(connectors), day_done)
    errors: list[BaseException] = []

    def run(lane: int, connector: DemoConnector) -> None:
        try:
            _deliver_days(connector, lane, days, hub_url, audience, turns)
        except _Stopped:
            pass
        except BaseException as exc:
            errors.append(exc)
            turns.stop()

    threads = [
        threading.Thread(target=run, args=(lane, connector), name=f"connector-{connector.code}")
        for lane, connector in enumerate(connectors)
    ]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(0.5)
    finally:
        turns.stop()
        for thread in threads:
            thread.join()
    if errors:
        raise errors[0]


class _Stopped(Exception):
    """Another connector failed or the demo is stopping."""


class _Turns:
    """Whose turn it is to send: (day, connector) in order."""

    def __init__(self, lanes: int, day_done: Callable[[int], None]) -> None:
        self._lanes = lanes
        self._day_done = day_done
        self._now = (0, 0)
        self._stopped = False
        self._changed = threading.Condition()

    def wait(self, day: int, lane: int) -> None:
        """Block until it is ``lane``'s turn on ``day``; :class:`_Stopped` when the replay stops."""
        with self._changed:
            self._changed.wait_for(lambda: self._stopped or self._now == (day, lane))
            if self._stopped:
                raise _Stopped

    def pass_on(self) -> None:
        """The current connector is done with its day: the next one's turn (the next day after the last)."""
        with self._changed:
            day, lane = self._now
            self._now = (day, lane + 1) if lane + 1 < self._lanes else (day + 1, 0)
            self._changed.notify_all()
        if lane + 1 == self._lanes:
            self._day_done(day)

    def stop(self) -> None:
        """Wake everyone up to stop."""
        with self._changed:
            self._stopped = True
            self._changed.notify_all()


class _InTurn:
    """The connector's transport, sending only in its turn (a retry keeps the turn, so the order holds)."""

    def __init__(self, inner: Transport, turns: _Turns, lane: int) -> None:
        self.inner, self.turns, self.lane = inner, turns, lane
        self.day = 0

    def send(self, agency: str, token: bytes) -> Receipt:
        """Wait for the turn, then send."""
        self.turns.wait(self.day, self.lane)
        return self.inner.send(agency, token)

    def close(self) -> None:
        """Close the real transport."""
        self.inner.close()


def _deliver_days(
    connector: DemoConnector, lane: int, days: Sequence[str], hub_url: str, audience: str, turns: _Turns
) -> None:
    signer = BatchSigner(load_signing_key(connector.key), issuer=connector.code, audience=audience)
    transport = _InTurn(open_transport(hub_url), turns, lane)
    try:
        # The outbox is opened in this thread: its SQLite connection belongs to the thread that made it.
        with Outbox(connector.state, signer=signer, exclusive=True) as outbox:
            for index, day in enumerate(days):
                transport.day = index
                signals = connector.by_day.get(day)
                if signals:
                    outbox.enqueue(signals)  # queued and signed while others send; sent in turn
                    report = deliver(outbox, transport, agency=connector.code, timeout=_DAY_TIMEOUT)
                    if not report.settled:
                        raise DeliveryIncompleteError(f"{connector.code} could not deliver the signals of {day}")
                    status = outbox.status()
                    connector.delivered, connector.set_aside = status.delivered, status.set_aside
                    connector.reasons = dict(status.reasons)
                turns.wait(index, lane)  # also without signals: the turn passes on in order
                turns.pass_on()
    finally:
        transport.close()
