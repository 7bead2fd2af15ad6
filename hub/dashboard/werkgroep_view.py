# SPDX-License-Identifier: EUPL-1.2
"""What the werkgroep pages show, in Dutch: statuses, the forms a status allows, compatibility changes, votes and
where the quorum stands.

Pure functions over the registry's records (no FastAPI here), so that the templates stay plain and the tests can
judge the wording without a browser. The forms a version offers come from the one table of allowed status changes
(:data:`governance.registry_status.TRANSITIONS`): a status that cannot move somewhere never shows the form for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from governance.registry_model import ChangeKind, Member, SchemaVersion
from governance.registry_quorum import QuorumRule
from governance.registry_status import Status, allowed_next
from governance.registry_voting import Review
from hub.dashboard.labels import label_of

__all__ = [
    "ACTIONS",
    "CHANGE_KINDS",
    "STATUS_TEXT",
    "Action",
    "ChangeRow",
    "CompatView",
    "Standing",
    "VoteRow",
    "actions_for",
    "change_rows",
    "compat_view",
    "field_path",
    "schema_filename",
    "sign_command",
    "standing",
    "subject_label",
    "takes_votes",
    "vote_rows",
]

#: What each status means for the working group and for the hub.
STATUS_TEXT: dict[Status, str] = {
    Status.CONCEPT: "concept: nog niet open voor stemmen",
    Status.VOORGESTELD: "voorgesteld: de werkgroep stemt",
    Status.GOEDGEKEURD: "goedgekeurd: klaar om te publiceren",
    Status.GEPUBLICEERD: "gepubliceerd: de hub accepteert deze versie",
    Status.UITGEFASEERD: "uitgefaseerd: de hub accepteert deze versie tot de uitfaseringsdatum",
    Status.INGETROKKEN: "ingetrokken: de hub weigert deze versie",
    Status.AFGEWEZEN: "afgewezen door de werkgroep",
    Status.TERUGGETROKKEN: "teruggetrokken door de indiener",
}

CHANGE_KINDS: dict[ChangeKind, str] = {
    ChangeKind.INITIAL: "eerste versie",
    ChangeKind.MINOR: "verenigbaar (minor)",
    ChangeKind.MAJOR: "onverenigbaar (major)",
}

_DIRECTIONS = {"BACKWARD": "achterwaarts", "FORWARD": "voorwaarts"}


@dataclass(frozen=True)
class Action:
    """A form that moves a version to ``target``: its route segment, button text and what it does."""

    name: str
    target: Status
    label: str
    explanation: str


#: The form per target status. goedgekeurd and afgewezen are reached by votes only (see :func:`takes_votes`).
ACTIONS: dict[Status, Action] = {
    Status.VOORGESTELD: Action(
        "indienen", Status.VOORGESTELD, "Indienen voor stemming", "De werkgroep kan daarna stemmen."
    ),
    Status.TERUGGETROKKEN: Action(
        "terugtrekken", Status.TERUGGETROKKEN, "Voorstel terugtrekken",
        "Het voorstel vervalt; het versienummer blijft bezet.",
    ),
    Status.GEPUBLICEERD: Action(
        "publiceren", Status.GEPUBLICEERD, "Publiceren",
        "De hub accepteert deze versie vanaf nu. Het verenigbaarheidsrapport wordt eerst opnieuw gemaakt.",
    ),
    Status.UITGEFASEERD: Action(
        "uitfaseren", Status.UITGEFASEERD, "Uitfaseren",
        "Kondig aan vanaf welke datum de hub deze versie weigert. Publiceer eerst een opvolger.",
    ),
    Status.INGETROKKEN: Action(
        "intrekken", Status.INGETROKKEN, "Intrekken",
        "De hub weigert vanaf nu documenten van deze versie, met de uitfaseringsdatum in de melding.",
    ),
}  # fmt: skip


def actions_for(status: Status) -> list[Action]:
    """The forms a version in ``status`` offers, in the order of the main line (none for a final status)."""
    return [ACTIONS[target] for target in allowed_next(status) if target in ACTIONS]


def takes_votes(status: Status) -> bool:
    """Whether votes can move a version in ``status`` on (goedgekeurd or afgewezen is next)."""
    return bool({Status.GOEDGEKEURD, Status.AFGEWEZEN} & set(allowed_next(status)))


def subject_label(subject: str) -> str:
    """``signal`` → Signaal, ``codelist/themes`` → Codelijst themes."""
    if subject.startswith("codelist/"):
        return f"Codelijst {subject.removeprefix('codelist/')}"
    return {"signal": "Signaal", "batch": "Batch"}.get(subject, subject)


def schema_filename(record: SchemaVersion) -> str:
    """The name a version's schema downloads as: ``signal-1.1.0.json``, ``codelist-themes-1.0.0.json``."""
    return f"{record.subject.replace('/', '-')}-{record.version}.json"


def sign_command(record: SchemaVersion, decision: str) -> str:
    """The command a member runs on their own machine to sign a vote on ``record`` (the key never leaves it)."""
    command = (
        f"hartslag governance sign {record.subject} {record.version} --decision {decision} "
        f"--schema {schema_filename(record)} --member NAAM --key NAAM.key.pem"
    )
    return command + (' --reason "WAAROM"' if decision == "reject" else "")


def field_path(pointer: str) -> str:
    """A JSON pointer as a field path for people: ``/properties/source/properties/channel/enum`` →
    ``source › channel › enum``; the root is ``(het hele schema)``."""
    parts = [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]]
    shown: list[str] = []
    for index, part in enumerate(parts):
        if part == "properties" and index + 1 < len(parts):
            continue
        if part == "items" and shown:
            shown[-1] += "[]"
            continue
        shown.append(part)
    return " › ".join(shown) or "(het hele schema)"


@dataclass(frozen=True)
class ChangeRow:
    """One change between two schemas, readable: where, what, and whether it breaks the subject's level."""

    type: str
    words: str
    pointer: str
    field: str
    description: str
    breaking: bool
    directions: str


def change_rows(changes: list[dict[str, Any]]) -> list[ChangeRow]:
    """The checker's changes (``type``, ``pointer``, ``breaks``, ``breaking``, ``description``) as rows, breaking
    ones first (the order within each group is the checker's)."""
    rows = [
        ChangeRow(
            change["type"],
            change["type"].lower().replace("_", " "),
            change["pointer"] or "/",
            field_path(change["pointer"]),
            change["description"],
            bool(change["breaking"]),
            " en ".join(_DIRECTIONS.get(d, d) for d in change["breaks"]) or "geen",
        )
        for change in changes
    ]
    return sorted(rows, key=lambda row: not row.breaking)


@dataclass(frozen=True)
class CompatView:
    """A compatibility report against one published version."""

    level: str
    old_versions: tuple[str, ...]
    compatible: bool
    rows: list[ChangeRow]

    @property
    def breaking(self) -> int:
        """How many changes break the level."""
        return sum(1 for row in self.rows if row.breaking)


def compat_view(report: dict[str, Any]) -> CompatView:
    """A stored report (``CompatReport.as_dict()``) as the page shows it."""
    olds = tuple(report.get("old_versions", ()))
    return CompatView(report["level"], olds, bool(report["compatible"]), change_rows(report.get("changes", [])))


@dataclass(frozen=True)
class VoteRow:
    """A vote with the member's organisation and whether it still counts."""

    member: str
    organisation: str
    kind: str
    decision: str
    reason: str
    at: str
    valid: bool


def vote_rows(review: Review, members: list[Member]) -> list[VoteRow]:
    """The votes of a review, each with its member's organisation and organisation kind (Dutch label)."""
    known = {member.name: member for member in members}
    rows = []
    for vote, valid in review.votes:
        member = known.get(vote.member)
        kind = label_of("organisation-kinds", member.kind) if member else "geen lid meer"
        decision = "goedkeuren" if vote.decision.value == "approve" else "afwijzen"
        rows.append(
            VoteRow(vote.member, member.organisation if member else "–", kind, decision, vote.reason, vote.at, valid)
        )
    return rows


@dataclass(frozen=True)
class Standing:
    """Where the quorum stands, in Dutch: the rule, a summary, what is still missing and who has not voted yet."""

    rule: str
    summary: str
    missing: list[str]
    undecided: list[str]
    reached: bool
    impossible: bool


def _rule_text(rule: QuorumRule, change: ChangeKind) -> str:
    which = (
        "een verenigbare wijziging" if change is ChangeKind.MINOR else "een onverenigbare wijziging of eerste versie"
    )
    text = f"Voor {which} moet {rule.approvals} van de leden goedkeuren"
    if rule.require_kinds:
        kinds = " en van een ".join(label_of("organisation-kinds", kind).lower() for kind in rule.require_kinds)
        text += f", met minstens één goedkeuring van een {kinds}"
    if rule.max_rejections is not None:
        text += f"; bij meer dan {rule.max_rejections} afwijzing(en) is het voorstel afgewezen"
    return text + "."


def standing(review: Review, members: list[Member]) -> Standing:
    """The quorum of ``review`` for people: reached, out of reach, or what is still needed."""
    quorum, rule = review.quorum, review.rule
    voted = {vote.member for vote, valid in review.votes if valid}
    undecided = [member.name for member in members if member.name not in voted]
    missing = []
    lacking = max(0, quorum.needed - quorum.approvals)
    if lacking:
        missing.append(f"nog {lacking} goedkeuring{'en' if lacking > 1 else ''}")
    for kind in quorum.missing_kinds:
        missing.append(f"een goedkeuring van een {label_of('organisation-kinds', kind).lower()}")
    counted = f"{quorum.approvals} van de {quorum.members} leden keurden goed, {quorum.rejections} wezen af"
    if quorum.reached:
        summary = f"Het quorum is bereikt: {counted} ({quorum.needed} goedkeuringen nodig)."
    elif quorum.impossible:
        summary = f"Het quorum is niet meer te halen: {counted} ({quorum.needed} goedkeuringen nodig)."
    else:
        summary = f"Het quorum is nog niet bereikt: {counted} ({quorum.needed} goedkeuringen nodig)."
    return Standing(
        _rule_text(rule, review.version.change), summary, missing, undecided, quorum.reached, quorum.impossible
    )
