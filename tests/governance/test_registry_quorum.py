# SPDX-License-Identifier: EUPL-1.2
"""The quorum rule: shares, required organisation kinds, rejections, and the settings file."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from governance.compat import Level
from governance.errors import InvalidInputError
from governance.registry_model import ChangeKind, Decision, Member, Vote
from governance.registry_quorum import DEFAULT_POLICY, QuorumRule, load_policy, policy_from

KINDS = {
    "gm-a": "municipality",
    "gm-b": "municipality",
    "uwv": "national_agency",
    "duo": "national_agency",
    "prov": "province",
    "ws": "water_board",
}
MEMBERS = [Member(name, "X", kind, {}, f"kid-{name}", "t") for name, kind in KINDS.items()]


def votes(approve: list[str], reject: tuple[str, ...] | list[str] = ()) -> list[Vote]:
    made = [(name, Decision.APPROVE) for name in approve] + [(name, Decision.REJECT) for name in reject]
    return [Vote("signal", "1.1.0", name, decision, "h", 0, "jws", "", "t") for name, decision in made]


def test_minor_needs_two_thirds_with_a_municipality_and_a_national_agency() -> None:
    # 6 members: two thirds is 4 approvals.
    three = DEFAULT_POLICY.evaluate(ChangeKind.MINOR, MEMBERS, votes(["gm-a", "uwv", "prov"]))
    assert (three.reached, three.impossible, three.needed, three.approvals) == (False, False, 4, 3)
    four = DEFAULT_POLICY.evaluate(ChangeKind.MINOR, MEMBERS, votes(["gm-a", "uwv", "prov", "ws"]))
    assert four.reached and not four.missing_kinds


def test_minor_without_a_national_agency_is_not_reached() -> None:
    result = DEFAULT_POLICY.evaluate(ChangeKind.MINOR, MEMBERS, votes(["gm-a", "gm-b", "prov", "ws"]))
    assert not result.reached and result.missing_kinds == ("national_agency",)
    assert not result.impossible  # uwv and duo have not voted yet
    both_rejected = DEFAULT_POLICY.evaluate(ChangeKind.MINOR, MEMBERS, votes(["gm-a", "gm-b", "prov"], ["uwv", "duo"]))
    assert both_rejected.impossible and not both_rejected.reached


def test_minor_tolerates_a_rejection_when_enough_approve() -> None:
    result = DEFAULT_POLICY.evaluate(ChangeKind.MINOR, MEMBERS, votes(["gm-a", "uwv", "prov", "ws"], ["duo"]))
    assert result.reached and result.rejections == 1


def test_minor_becomes_impossible_when_too_many_reject() -> None:
    result = DEFAULT_POLICY.evaluate(ChangeKind.MINOR, MEMBERS, votes(["gm-a"], ["uwv", "prov", "ws"]))
    assert result.impossible and not result.reached  # 1 approval + 2 open < 4


def test_major_needs_three_quarters_and_no_rejection() -> None:
    # 6 members: three quarters is 5 approvals.
    four = DEFAULT_POLICY.evaluate(ChangeKind.MAJOR, MEMBERS, votes(["gm-a", "uwv", "prov", "ws"]))
    assert (four.reached, four.needed) == (False, 5)
    five = DEFAULT_POLICY.evaluate(ChangeKind.MAJOR, MEMBERS, votes(["gm-a", "gm-b", "uwv", "prov", "ws"]))
    assert five.reached
    vetoed = DEFAULT_POLICY.evaluate(ChangeKind.MAJOR, MEMBERS, votes(["gm-a", "gm-b", "uwv", "prov", "ws"], ["duo"]))
    assert vetoed.impossible and not vetoed.reached and "rejection" in vetoed.why


def test_a_first_version_is_held_to_the_major_rule() -> None:
    assert DEFAULT_POLICY.rule_for(ChangeKind.INITIAL) is DEFAULT_POLICY.major


def test_votes_of_non_members_do_not_count_and_an_empty_group_approves_nothing() -> None:
    result = DEFAULT_POLICY.evaluate(ChangeKind.MINOR, MEMBERS[:2], votes(["gm-a", "uwv", "prov"]))
    assert result.approvals == 1
    assert QuorumRule(Fraction(2, 3)).needed(0) == 1
    assert not DEFAULT_POLICY.evaluate(ChangeKind.MINOR, [], []).reached


def test_policy_from_toml_and_json(tmp_path: Path) -> None:
    (tmp_path / "registry.toml").write_text(
        '[minor]\napprovals = "1/2"\nrequire_kinds = ["municipality"]\n'
        '[major]\napprovals = 1\nmax_rejections = 0\n[levels]\n"codelist/themes" = "full"\n',
        encoding="utf-8",
    )
    policy = load_policy(tmp_path)
    assert policy.minor == QuorumRule(Fraction(1, 2), ("municipality",), None)
    assert policy.major == QuorumRule(Fraction(1), (), 0)
    assert policy.level_of("codelist/themes") is Level.FULL and policy.level_of("signal") is Level.BACKWARD
    other = tmp_path / "json"
    other.mkdir()
    (other / "registry.json").write_text(json.dumps({"minor": {"approvals": 0.5}}), encoding="utf-8")
    assert load_policy(other).minor.approvals == Fraction(1, 2) and load_policy(other).major == DEFAULT_POLICY.major
    assert load_policy(tmp_path / "nothing-here") == DEFAULT_POLICY


@pytest.mark.parametrize(
    "raw",
    [
        {"minor": {"approvals": "2/3", "quorum": 3}},  # unknown key
        {"minr": {"approvals": "2/3"}},  # unknown section
        {"minor": {"require_kinds": ["municipality"]}},  # no approvals
        {"minor": {"approvals": "3/2"}},
        {"minor": {"approvals": 0}},
        {"major": {"approvals": "3/4", "max_rejections": -1}},
        {"levels": {"signal": "SIDEWAYS"}},
        {"minor": {"approvals": "2/3", "require_kinds": ["ministry"]}},
    ],
)
def test_bad_settings_are_refused(raw: dict[str, object]) -> None:
    with pytest.raises(InvalidInputError) as refused:
        policy_from(raw)
    assert refused.value.code in {"quorum-invalid", "unknown-level"}
