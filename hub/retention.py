# SPDX-License-Identifier: EUPL-1.2
"""Retention: signals' texts and then the signals themselves leave the hub once their rules' months have passed.

:meth:`Retention.run` compares each stored signal's own time (``observed_at``) with the rules of its organisation
kind (:mod:`hub.retention_rules`) on a reference date (``as_of``, today by default, so a replay of old data behaves
as it did then) and removes, per agency, in the order withdrawal uses, so that running again repairs a crash:

- a signal past its ``signal`` period: from matching (:meth:`MatchingRemoval.withdraw`: state, clusters, cache,
  indexes), then from storage with a tombstone of cause ``retention`` (a late re-delivery of its id is counted as a
  duplicate and not stored again), exactly as a withdrawal does;
- the text of a signal past its ``text`` period: first what matching derived from it (its text and vector in the
  state, its cache entries, its vectors in the indexes: no search finds it any more), then the ``text`` member of
  the stored document, with a text tombstone. The signal stays, counted in its pattern and every aggregate. A signal
  matching has not processed yet keeps its text until it has (``texts_deferred``), so it is counted first.

A run records one ``retention.run`` entry in the audit log: the rules' SHA-256, the reference date and the counts
per organisation kind and field (never ids or text). A dry run only counts. Runs are idempotent: what was removed
is not found again. :class:`RetentionScheduler` runs it in the serving hub every ``retention_interval`` seconds.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from governance.audit import AuditSink
from hub.matching_removal import MatchingRemoval, matching_removal_for, refresh_read_model
from hub.retention_rules import FIELDS, RetentionRules, load_rules, months_before
from hub.storage import Storage, chunks

if TYPE_CHECKING:
    from hub.services import HubServices

__all__ = ["CAUSE", "Retention", "RetentionReport", "RetentionScheduler", "retention_for"]

log = logging.getLogger("hartslag.hub.retention")

CAUSE = "retention"
_PAGE = 5000


@dataclass
class RetentionReport:
    """What one run removed (or, dry, would remove): counts per organisation kind and field."""

    as_of: date
    rules_sha256: str
    dry_run: bool
    removed: dict[str, dict[str, int]] = field(default_factory=dict)
    texts_deferred: int = 0
    matching: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, what: str, n: int) -> None:
        """Count ``n`` removals of ``what`` (``text`` or ``signal``) for organisation kind ``kind``."""
        if n:
            counts = self.removed.setdefault(kind, dict.fromkeys(FIELDS, 0))
            counts[what] += n

    def total(self, what: str) -> int:
        """Removals of ``what`` over every organisation kind."""
        return sum(counts[what] for counts in self.removed.values())

    def as_dict(self) -> dict[str, Any]:
        """The machine form (``--json``, and the audit entry's details)."""
        return {
            "as_of": self.as_of.isoformat(),
            "rules_sha256": self.rules_sha256,
            "dry_run": self.dry_run,
            "removed": {kind: dict(counts) for kind, counts in sorted(self.removed.items())},
            "texts_removed": self.total("text"),
            "signals_removed": self.total("signal"),
            "texts_deferred": self.texts_deferred,
            **self.matching,
        }


def _observed(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


class Retention:
    """Applies ``rules`` to a hub's ``storage`` and ``matching``; records each run in ``audit``."""

    def __init__(
        self,
        storage: Storage,
        rules: RetentionRules,
        *,
        matching: MatchingRemoval | None = None,
        audit: AuditSink | None = None,
        on_removed: Callable[[], None] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.storage = storage
        self.rules = rules
        self.matching = matching or MatchingRemoval(None)
        self.audit = audit
        self.on_removed = on_removed
        self.clock = clock

    def run(self, as_of: date | None = None, *, dry_run: bool = False, actor: str = "retention") -> RetentionReport:
        """Remove what is due on ``as_of`` (default: today, UTC) and record the run; ``dry_run`` only counts."""
        day = as_of or self.clock().date()
        report = RetentionReport(day, self.rules.sha256, dry_run)
        texts, signals = self._due(day, report)
        if not dry_run:
            now = self.clock()
            reference = f"{day.isoformat()}/{report.rules_sha256[:16]}"
            for agency, (kind, ids) in sorted(signals.items()):
                for part in chunks(ids):
                    self._remove_signals(agency, kind, list(part), now, reference, report)
            for agency, (kind, ids) in sorted(texts.items()):
                for part in chunks(ids):
                    self._remove_texts(agency, kind, list(part), now, reference, report)
            if self.audit is not None:
                details = {k: v for k, v in report.as_dict().items() if k != "dry_run"}
                self.audit.record(actor, "retention.run", CAUSE, details)
            if (report.total("signal") or report.total("text")) and self.on_removed is not None:
                self.on_removed()
        log.info(
            "retention run",
            extra={"dry_run": dry_run, "texts": report.total("text"), "signals": report.total("signal")},
        )
        return report

    def _due(self, day: date, report: RetentionReport) -> tuple[dict[str, Any], dict[str, Any]]:
        """Per agency, (organisation kind, ids) whose text and whose signal are due; dry counts go to ``report``."""
        cutoffs: dict[str, tuple[datetime, datetime]] = {}
        watermark = self.matching.watermark()
        texts: dict[str, tuple[str, list[str]]] = {}
        signals: dict[str, tuple[str, list[str]]] = {}
        after = 0
        while page := self.storage.signal_ages(after, _PAGE):
            after = page[-1].seq
            for age in page:
                if age.organisation_kind not in cutoffs:
                    period = self.rules.period(age.organisation_kind)
                    cutoffs[age.organisation_kind] = (
                        months_before(day, period.text),
                        months_before(day, period.signal),
                    )
                text_cutoff, signal_cutoff = cutoffs[age.organisation_kind]
                observed = _observed(age.observed_at)
                if observed is None:  # the schema requires an offset; never guess an age
                    continue
                if observed < signal_cutoff:
                    signals.setdefault(age.agency, (age.organisation_kind, []))[1].append(age.id)
                elif age.text_kept and observed < text_cutoff:
                    if watermark is not None and age.seq > watermark:
                        report.texts_deferred += 1
                    else:
                        texts.setdefault(age.agency, (age.organisation_kind, []))[1].append(age.id)
        if report.dry_run:
            for due, what in ((signals, "signal"), (texts, "text")):
                for kind, ids in due.values():
                    report.add(kind, what, len(ids))
        return texts, signals

    def _remove_signals(
        self, agency: str, kind: str, ids: list[str], now: datetime, reference: str, report: RetentionReport
    ) -> None:
        found = self.storage.signals_of(agency, ids)
        texts = [str(s.document["text"]) for _, s in found if "text" in s.document]
        _merge(report.matching, self.matching.withdraw([seq for seq, _ in found], texts, now))
        removed = self.storage.remove_signals(agency, ids, now, cause=CAUSE, reference=reference)
        report.add(kind, "signal", len(removed))

    def _remove_texts(
        self, agency: str, kind: str, ids: list[str], now: datetime, reference: str, report: RetentionReport
    ) -> None:
        found = self.storage.signals_of(agency, ids)
        texts = [str(s.document["text"]) for _, s in found if "text" in s.document]
        _merge(report.matching, self.matching.forget_texts([seq for seq, _ in found], texts))
        removed = self.storage.remove_texts(agency, ids, now, cause=CAUSE, reference=reference)
        report.add(kind, "text", len(removed))


def _merge(total: dict[str, int], counts: dict[str, int]) -> None:
    for key, value in counts.items():
        total[key] = total.get(key, 0) + value


def retention_for(services: HubServices, app_state: Any = None) -> Retention:
    """The retention of a running hub, with the rules in its data folder as they are now."""
    return Retention(
        services.storage,
        load_rules(services.settings.data),
        matching=matching_removal_for(services, app_state),
        audit=services.audit,
        on_removed=lambda: refresh_read_model(services),
    )


class RetentionScheduler:
    """Runs ``run`` on a background thread once at start-up and then every ``interval`` seconds until stopped.

    A failing run (unreadable rules, a busy database) is logged by its error code and tried again next time.
    """

    def __init__(self, run: Callable[[], object], interval: float) -> None:
        self._run = run
        self.interval = interval
        self.runs = 0
        self.failures = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread; the first run starts at once."""
        self._thread = threading.Thread(target=self._loop, name="hartslag-retention", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the run in hand."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._run()
                self.runs += 1
            except Exception as exc:  # keep the hub up; the rules or the database may be fixed by the next run
                self.failures += 1
                log.error("retention run failed", extra={"error": type(exc).__name__, "code": getattr(exc, "code", "")})
            self._stop.wait(self.interval)
