# SPDX-License-Identifier: EUPL-1.2
"""The quorum rule: when the working group's votes approve a proposal, and when it can no longer be approved.

A rule per kind of change, read from ``DATA/registry.toml`` (or ``registry.json``, same keys) when present::

    [minor]                       # a change compatible with every published version
    approvals = "2/3"             # share of the registered members that must approve (rounded up, at least 1)
    require_kinds = ["municipality", "national_agency"]   # at least one approver of each organisation kind
    # max_rejections = 1          # optional (no limit when left out): more rejections sink the proposal

    [major]                       # an incompatible change (and a subject's first version)
    approvals = "3/4"
    require_kinds = ["municipality", "national_agency"]
    max_rejections = 0            # a single rejection sinks it

    [levels]                      # compatibility level per subject (default BACKWARD)
    "codelist/themes" = "FULL"

Without a file the defaults are the rules shown (minor: no rejection limit). A section given replaces that default
rule as a whole. Unknown keys are refused, so a typo does not silently weaken the rule. Only votes on the schema as
it is now count (a vote on an earlier text of the proposal is void).
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from governance.compat import Level, parse_level
from governance.errors import InvalidInputError
from governance.registry_model import ChangeKind, Decision, Member, Vote

__all__ = ["DEFAULT_POLICY", "QuorumPolicy", "QuorumResult", "QuorumRule", "load_policy", "policy_from"]


@dataclass(frozen=True)
class QuorumRule:
    """Approvals needed (a share of the members), organisation kinds that must be among the approvers, and how many
    rejections are tolerated (None: rejections only count by not being approvals)."""

    approvals: Fraction
    require_kinds: tuple[str, ...] = ()
    max_rejections: int | None = None

    def needed(self, members: int) -> int:
        """Approvals needed out of ``members`` (at least one: an empty working group approves nothing)."""
        return max(1, math.ceil(self.approvals * members))

    def as_dict(self) -> dict[str, Any]:
        """The rule as the settings file writes it."""
        shown: dict[str, Any] = {"approvals": str(self.approvals), "require_kinds": list(self.require_kinds)}
        if self.max_rejections is not None:
            shown["max_rejections"] = self.max_rejections
        return shown


@dataclass(frozen=True)
class QuorumResult:
    """Where a proposal stands: ``reached`` (approve it), ``impossible`` (reject it) or still open."""

    reached: bool
    impossible: bool
    approvals: int
    rejections: int
    needed: int
    members: int
    missing_kinds: tuple[str, ...]
    why: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {**self.__dict__, "missing_kinds": list(self.missing_kinds)}


@dataclass(frozen=True)
class QuorumPolicy:
    """The rule for minor and for major changes, and the compatibility level of each subject."""

    minor: QuorumRule
    major: QuorumRule
    levels: Mapping[str, Level] = field(default_factory=dict)

    def rule_for(self, change: ChangeKind) -> QuorumRule:
        """The rule a change of this kind must meet (a subject's first version is held to the major rule)."""
        return self.minor if change is ChangeKind.MINOR else self.major

    def level_of(self, subject: str) -> Level:
        """The compatibility level a subject's new versions are checked at."""
        return self.levels.get(subject, Level.BACKWARD)

    def evaluate(self, change: ChangeKind, members: Iterable[Member], votes: Iterable[Vote]) -> QuorumResult:
        """Count the (valid) ``votes`` of the current ``members`` against the rule for ``change``."""
        rule = self.rule_for(change)
        kinds = {member.name: member.kind for member in members}
        counted = [vote for vote in votes if vote.member in kinds]
        approvers = {vote.member for vote in counted if vote.decision is Decision.APPROVE}
        rejecters = {vote.member for vote in counted if vote.decision is Decision.REJECT}
        needed = rule.needed(len(kinds))
        missing = tuple(kind for kind in rule.require_kinds if kind not in {kinds[name] for name in approvers})
        undecided = [name for name in kinds if name not in approvers | rejecters]
        open_kinds = {kinds[name] for name in undecided}
        too_many = rule.max_rejections is not None and len(rejecters) > rule.max_rejections
        out_of_reach = len(approvers) + len(undecided) < needed or any(kind not in open_kinds for kind in missing)
        reached = not too_many and len(approvers) >= needed and not missing
        if too_many:
            why = f"{len(rejecters)} rejection(s), more than the {rule.max_rejections} the rule tolerates"
        elif reached:
            why = f"{len(approvers)} of {len(kinds)} members approved ({needed} needed)"
        elif out_of_reach:
            why = f"{needed} approvals{' incl. ' + ', '.join(missing) if missing else ''} can no longer be reached"
        else:
            lacking = f"; still needs an approver of kind {', '.join(missing)}" if missing else ""
            why = f"{len(approvers)} of {needed} approvals{lacking}"
        return QuorumResult(
            reached, not reached and (too_many or out_of_reach), len(approvers), len(rejecters), needed, len(kinds),
            missing, why,
        )  # fmt: skip


_KINDS = ("municipality", "national_agency")
DEFAULT_POLICY = QuorumPolicy(
    minor=QuorumRule(Fraction(2, 3), _KINDS),
    major=QuorumRule(Fraction(3, 4), _KINDS, max_rejections=0),
)


def _fraction(value: Any, where: str) -> Fraction:
    try:
        share = Fraction(value) if isinstance(value, str | int | float) and not isinstance(value, bool) else None
    except (ValueError, ZeroDivisionError):
        share = None
    if share is None or not 0 < share <= 1:
        raise InvalidInputError(f'{where}.approvals must be a share such as "2/3" or 0.75', code="quorum-invalid")
    return share


def _rule(raw: Any, where: str, default: QuorumRule) -> QuorumRule:
    """A section given replaces the default rule as a whole (so leaving out ``max_rejections`` means no limit)."""
    if raw is None:
        return default
    known = {"approvals", "require_kinds", "max_rejections"}
    if not isinstance(raw, dict) or set(raw) - known or "approvals" not in raw:
        unknown = sorted(set(raw) - known) if isinstance(raw, dict) else []
        message = f"[{where}] needs 'approvals' and takes only {sorted(known)}" + (
            f" (unknown: {unknown})" * bool(unknown)
        )
        raise InvalidInputError(message, code="quorum-invalid")
    kinds = raw.get("require_kinds", [])
    from governance.standard import codelist_codes

    known_kinds = codelist_codes("organisation-kinds")
    if not isinstance(kinds, list) or not all(isinstance(kind, str) and kind in known_kinds for kind in kinds):
        message = f"{where}.require_kinds must list organisation kinds ({', '.join(known_kinds)})"
        raise InvalidInputError(message, code="quorum-invalid")
    limit = raw.get("max_rejections")
    if limit is not None and (type(limit) is not int or limit < 0):
        raise InvalidInputError(f"{where}.max_rejections must be a whole number ≥ 0", code="quorum-invalid")
    return QuorumRule(_fraction(raw["approvals"], where), tuple(kinds), limit)


def load_policy(data: Path) -> QuorumPolicy:
    """The policy of a data folder: ``registry.toml`` or ``registry.json`` when present, else :data:`DEFAULT_POLICY`."""
    for name, parse in (("registry.toml", tomllib.loads), ("registry.json", json.loads)):
        path = data / name
        if path.is_file():
            try:
                raw = parse(path.read_text(encoding="utf-8"))
            except (ValueError, OSError) as exc:
                raise InvalidInputError(
                    f"{path}: cannot be read ({type(exc).__name__})", code="quorum-invalid"
                ) from None
            return policy_from(raw, str(path))
    return DEFAULT_POLICY


def policy_from(raw: Any, where: str = "settings") -> QuorumPolicy:
    """A policy from parsed settings (missing parts take the default's)."""
    if not isinstance(raw, dict) or set(raw) - {"minor", "major", "levels"}:
        unknown = sorted(set(raw) - {"minor", "major", "levels"}) if isinstance(raw, dict) else []
        raise InvalidInputError(
            f"{where}: unknown sections {unknown} (known: minor, major, levels)", code="quorum-invalid"
        )
    levels = raw.get("levels", {})
    if not isinstance(levels, dict):
        raise InvalidInputError(f"{where}: [levels] maps subjects to levels", code="quorum-invalid")
    return QuorumPolicy(
        _rule(raw.get("minor"), "minor", DEFAULT_POLICY.minor),
        _rule(raw.get("major"), "major", DEFAULT_POLICY.major),
        {str(subject): parse_level(str(level)) for subject, level in levels.items()},
    )
