# SPDX-License-Identifier: EUPL-1.2
"""The working group at work: members with their keys, signed votes, and the review of a proposal.

A member is registered like an agency: a name, an organisation code, an organisation kind from the code list
``organisation-kinds`` and an Ed25519 public JWK (``hartslag connector keygen`` makes the pair). A vote is counted
only when its statement (:mod:`governance.registry_votes`) verifies against *that member's* key and names this
subject, this version and the schema's current SHA-256; each member votes once per text of a version. After each
vote the quorum rule (:mod:`governance.registry_quorum`) decides whether the version moves on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from governance.errors import InvalidInputError, NotFoundError
from governance.hub_key import HubKeyError, public_jwk, public_key_from_jwk
from governance.registry_model import Decision, Member, SchemaVersion, StatusChange, Vote
from governance.registry_quorum import QuorumResult, QuorumRule
from governance.registry_status import Status
from governance.registry_store import DuplicateRecordError
from governance.registry_votes import VoteRefusedError, read_statement

if TYPE_CHECKING:
    from governance.schema_registry import SchemaRegistry

__all__ = ["Review", "UnknownMemberError", "add_member", "cast_vote", "review"]

_NAME_MAX = 100


class UnknownMemberError(NotFoundError):
    """No working-group member by that name."""

    code = "member-not-found"


@dataclass(frozen=True)
class Review:
    """A version under review: its record, each vote with whether it still counts, the rule and the standing."""

    version: SchemaVersion
    votes: tuple[tuple[Vote, bool], ...]
    rule: QuorumRule
    quorum: QuorumResult
    history: tuple[StatusChange, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (``hartslag governance review --json``)."""
        return {
            **self.version.summary(),
            "rationale": self.version.rationale,
            "compat": self.version.compat,
            "votes": [vote.public() | {"valid": valid} for vote, valid in self.votes],
            "rule": self.rule.as_dict(),
            "quorum": self.quorum.as_dict(),
            "history": [
                {"from": c.before.value if c.before else None, "to": c.after.value, "actor": c.actor, "at": c.at}
                for c in self.history
            ],
        }


def _text(value: str, what: str, limit: int = _NAME_MAX) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit or not value.isprintable():
        raise InvalidInputError(f"the {what} must be printable text of 1 to {limit} characters", code="member-invalid")
    return value.strip()


def add_member(
    registry: SchemaRegistry, name: str, *, organisation: str, kind: str, jwk: dict[str, Any], actor: str
) -> Member:
    """Register a member; refused for an unknown kind, a key that is not a public Ed25519 JWK, or a name or key that
    is taken (one key, one member: otherwise one person could vote twice)."""
    from governance.standard import codelist_codes

    name, organisation = _text(name, "member's name"), _text(organisation, "organisation code", 40)
    kinds = codelist_codes("organisation-kinds")
    if kind not in kinds:
        raise InvalidInputError(
            f"unknown organisation kind {kind!r} (known: {', '.join(kinds)})", code="member-invalid"
        )
    try:
        key = public_key_from_jwk(jwk)
    except HubKeyError as exc:
        raise InvalidInputError(f"the member's key: {exc.message}", code="member-key-invalid") from None
    public = public_jwk(key)
    member = Member(name, organisation, kind, public, public["kid"], registry.now())
    with registry.operation() as events:
        if registry.store.member(name) is not None:
            raise DuplicateRecordError(f"a member named {name!r} exists already", code="member-exists")
        if any(other.kid == member.kid for other in registry.store.members()):
            raise DuplicateRecordError("this key is registered to another member already", code="member-key-in-use")
        registry.store.add_member(member)
        details = {"member": name, "organisation": organisation, "kind": kind, "kid": member.kid}
        events.append((actor, "working-group.member-added", name, details))
    return member


def review(registry: SchemaRegistry, record: SchemaVersion) -> Review:
    """The standing of a version: votes on its current text count, votes on an earlier text are void."""
    votes = registry.store.votes(record.subject, record.version)
    valid = [vote for vote in votes if vote.sha256 == record.sha256]
    quorum = registry.policy.evaluate(record.change, registry.store.members(), valid)
    history = registry.store.history(record.subject, record.version)
    rule = registry.policy.rule_for(record.change)
    return Review(record, tuple((vote, vote.sha256 == record.sha256) for vote in votes), rule, quorum, tuple(history))


def cast_vote(registry: SchemaRegistry, subject: str, version: str, *, member: str, statement: str) -> Review:
    """Verify and store a member's signed vote, then apply the quorum rule (goedgekeurd when reached, afgewezen
    when it can no longer be reached). Every refusal is a :class:`VoteRefusedError` with its own code."""
    with registry.operation() as events:
        record = registry.get(subject, version)
        if record.status is not Status.VOORGESTELD:
            raise VoteRefusedError(
                f"{subject} {version} is {record.status.value}; only a voorgesteld version takes votes",
                code="voting-closed",
            )
        found = registry.store.member(member)
        if found is None:
            raise UnknownMemberError(f"no working-group member named {member!r}")
        said = read_statement(statement, found.jwk, now=int(registry.clock().timestamp()))
        if said.member != found.name:
            raise VoteRefusedError("the statement is made out to another member", code="vote-mismatch")
        if (said.subject, said.version) != (subject, version):
            raise VoteRefusedError(
                f"the statement is about {said.subject} {said.version}, not {subject} {version}", code="vote-mismatch"
            )
        if said.schema_sha256 != record.sha256:
            raise VoteRefusedError("the statement is about another text of this version; read it again and re-sign",
                                   code="vote-stale-schema")  # fmt: skip
        if said.decision is Decision.REJECT and not said.reason.strip():
            raise VoteRefusedError("a rejection needs a reason", code="reason-required")
        if any(v.member == found.name and v.sha256 == record.sha256 for v in registry.store.votes(subject, version)):
            raise VoteRefusedError(f"{found.name} has already voted on this version", code="already-voted")
        vote = Vote(subject, version, found.name, said.decision, record.sha256, said.iat, statement, said.reason,
                    registry.now())  # fmt: skip
        registry.store.add_vote(vote)
        details: dict[str, Any] = {"subject": subject, "version": version, "sha256": record.sha256}
        details["member"] = found.name
        details |= {"kid": found.kid, "decision": said.decision.value, "iat": said.iat}
        events.append((found.name, f"schema-version.{said.decision.value}-vote", record.label, details))
        standing = review(registry, record)
        if standing.quorum.reached:
            record = registry.move(record, Status.GOEDGEKEURD, found.name, events, standing.quorum.why)
        elif standing.quorum.impossible:
            record = registry.move(record, Status.AFGEWEZEN, found.name, events, standing.quorum.why)
        else:
            return standing
    return review(registry, record)
