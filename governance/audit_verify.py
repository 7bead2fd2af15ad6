# SPDX-License-Identifier: EUPL-1.2
"""Checking the audit log: recompute the hash chain, verify every checkpoint, compare checkpoints with the chain.

What each kind of tampering looks like:

- an entry's field modified: its hash no longer matches its content (``hash-mismatch``);
- an entry deleted: a gap in ``seq`` (``entry-missing``);
- an entry inserted, or two entries swapped: a ``prev_hash`` that is not the previous entry's hash
  (``prev-hash-mismatch``);
- entries removed from the end: a checkpoint that covers more entries than the log holds (``checkpoint-beyond-log``);
- history rewritten with every later hash recomputed: a checkpoint's head that is no longer the hash of the entry it
  covers (``checkpoint-head-mismatch``);
- a checkpoint forged or altered: a signature that does not verify, or another key (``checkpoint-signature``,
  ``checkpoint-key``); with the local key file replaced too, only a verifier holding the published public key
  (``--public-key``) or earlier published checkpoints still sees it.

The chain is read in one transaction, so a hub appending meanwhile does not disturb the check.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519

from governance.audit import GENESIS, AuditEntry, AuditLog, AuditSnapshot, entry_hash
from governance.audit_checkpoint import Checkpoint, CheckpointError, read_checkpoint
from governance.hub_key import HubKeyError

__all__ = ["AuditProblem", "AuditReport", "verify_log"]


@dataclass(frozen=True)
class AuditProblem:
    """One sign of tampering: a stable ``code``, a message naming the entry or checkpoint, and which one."""

    code: str
    message: str
    seq: int | None = None
    checkpoint: int | None = None


@dataclass(frozen=True)
class AuditReport:
    """The outcome of a check: sizes, the head hash and the problems (the first is the first bad entry)."""

    entries: int
    checkpoints: int
    head: str
    published: int = 0
    problems: list[AuditProblem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        """Whether nothing was found wrong."""
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        """The report as a JSON object."""
        return {**asdict(self), "intact": self.intact}


def verify_log(
    log: AuditLog, public_key: ed25519.Ed25519PublicKey | None = None, published: Sequence[str] = ()
) -> AuditReport:
    """Check ``log`` and its checkpoints (and ``published`` checkpoint JWSs kept by outsiders) against the hub's
    public key: ``public_key`` when given (the outsider's copy), else the key file next to the log.

    Raises :class:`governance.hub_key.HubKeyError` when there are checkpoints but no key to check them with.
    """
    with log.snapshot() as view:
        stored = view.checkpoints()
        checks: list[tuple[str, Checkpoint | None, str]] = [(f"checkpoint {c.id}", c, c.jws) for c in stored]
        checks += [(f"published checkpoint {n}", None, jws) for n, jws in enumerate(published, start=1)]
        key = _key_for(log, public_key) if checks else None
        signed: list[tuple[str, int | None, Checkpoint]] = []
        problems: list[AuditProblem] = []
        for label, row, jws in checks:
            cid = None if row is None else row.id
            try:
                statement = read_checkpoint(jws, key) if key is not None else None
            except CheckpointError as exc:
                problems.append(AuditProblem(exc.code, f"{label}: {exc.message}", checkpoint=cid))
                continue
            if statement is None:
                continue
            claims = (statement.size, statement.head, statement.at, statement.kid)
            if row is not None and (row.size, row.head, row.at, row.kid) != claims:
                message = f"{label}: its stored columns differ from what it signs"
                problems.append(AuditProblem("checkpoint-row-mismatch", message, checkpoint=cid))
                continue
            signed.append((label, cid, statement))
        count, chain_problem, heads = _walk(view, {s.size for _, _, s in signed})
    if chain_problem is not None:
        problems.insert(0, chain_problem)
    for label, cid, statement in signed:
        if statement.size > count:
            message = f"{label} covers {statement.size} entries but the log holds {count}: entries were removed"
            problems.append(AuditProblem("checkpoint-beyond-log", message, statement.size, cid))
        elif statement.size in heads and heads[statement.size] != statement.head:
            message = f"{label}: entry {statement.size} is not the head it signs: entries up to it were rewritten"
            problems.append(AuditProblem("checkpoint-head-mismatch", message, statement.size, cid))
    head = heads.get(count, GENESIS) if chain_problem is None else ""
    return AuditReport(count, len(stored), head, len(published), problems)


def _key_for(log: AuditLog, given: ed25519.Ed25519PublicKey | None) -> ed25519.Ed25519PublicKey:
    """The key that checks the checkpoints: the one given (an outsider's copy), else the log's own key file."""
    if given is not None:
        return given
    local = log.stored_hub_key()
    if local is None:
        raise HubKeyError(f"no hub key at {log.key_path} to check the checkpoints with; pass --public-key")
    return local.public_key


def _walk(view: AuditSnapshot, wanted: set[int]) -> tuple[int, AuditProblem | None, dict[int, str]]:
    """(entries in the log, the first chain problem or None, the hash at each wanted size and at the end)."""
    count = int(view.conn.execute("SELECT count(*) FROM audit_entries").fetchone()[0])
    heads: dict[int, str] = {}
    expected, previous = 1, GENESIS
    for seq, at, actor, action, subject, details_text, prev_hash, stored_hash in view.rows():
        if seq != expected:
            message = f"entry {expected} is missing (the next entry is {seq}): it was deleted or renumbered"
            return count, AuditProblem("entry-missing", message, expected), heads
        if prev_hash != previous:
            message = (
                f"entry {seq}: its prev_hash is not the hash of entry {seq - 1}: "
                "entries were inserted, deleted or reordered"
            )
            return count, AuditProblem("prev-hash-mismatch", message, seq), heads
        try:
            details = json.loads(details_text)
            if not isinstance(details, dict):
                raise ValueError("details are not an object")
            recomputed = entry_hash(AuditEntry(seq, at, actor, action, subject, details, prev_hash, "").content())
        except (TypeError, ValueError):
            message = f"entry {seq}: its details are not a JSON object"
            return count, AuditProblem("entry-unreadable", message, seq), heads
        if recomputed != stored_hash:
            message = f"entry {seq}: its hash does not match its content: the entry was modified"
            return count, AuditProblem("hash-mismatch", message, seq), heads
        if seq in wanted or seq == count:
            heads[seq] = stored_hash
        expected, previous = seq + 1, stored_hash
    return count, None, heads
