# SPDX-License-Identifier: EUPL-1.2
"""The standards working group at work in the demo: what a newcomer of the werkgroep finds on the dashboard.

The registry in the hub's data folder starts with the standard as shipped (every file of ``schema/`` published:
signal and batch 1.0.0 and the code lists). On top of that the demo sets the scene the working group's guide
(docs/governance.md) walks through, with the registry's own rules and real signed votes:

- four members, each with an Ed25519 key pair made like an agency's (``werkgroep/NAME.key.pem`` in the demo folder,
  so a newcomer can cast the missing vote with ``hartslag governance approve``): two municipalities, a national
  agency and a Flemish local government;
- a compatible proposal, signal 1.1.0 (an optional ``reply_requested`` member, default ``false``), approved by two
  members: the default minor rule asks two thirds of the members (three of four) including a municipality and a
  national agency, so it waits for one more approval, from a national agency;
- an incompatible proposal, the themes code list 2.0.0 (``parkeren`` merged into ``verkeer``), with its
  compatibility report naming the code that disappears; nobody has voted on it yet.

Nothing here bypasses the registry: proposals are checked and assessed, votes verified against the members' keys,
and every step is in the audit log like any other decision.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["MEMBERS", "WorkgroupScene", "set_scene"]

#: (member name, organisation code, organisation kind) of the demo's working group.
MEMBERS: tuple[tuple[str, str, str], ...] = (
    ("amsterdam", "GM0363", "municipality"),
    ("rotterdam", "GM0599", "municipality"),
    ("uwv", "UWV", "national_agency"),
    ("gent", "NIS44021", "flemish_local_government"),
)
_APPROVERS = ("amsterdam", "gent")
_ACTOR = "werkgroep"
_MINOR = ("signal", "1.1.0")
_MAJOR = ("codelist/themes", "2.0.0")


@dataclass(frozen=True)
class WorkgroupScene:
    """What the scene left in the registry, for the summary and the guide's next step."""

    members: tuple[str, ...]
    minor: tuple[str, str]
    minor_approvals: int
    minor_needed: int
    minor_status: str
    major: tuple[str, str]
    major_compatible: bool
    major_breaking: int


def _reply_requested(version: str) -> dict[str, Any]:
    """Signal schema 1.0.0 as ``version`` with an optional ``reply_requested`` member (a compatible change)."""
    from governance.standard import load_schema

    document = copy.deepcopy(load_schema("signal", "1.0.0"))
    document["$id"] = document["$id"].replace("1.0.0", version)
    document["properties"]["schema_version"]["const"] = version
    document["properties"]["reply_requested"] = {
        "type": "boolean",
        "default": False,
        "title": "Reactie gewenst",
        "description": "Whether the person who gave the signal asked for a reply (not who they are).",
    }
    return document


def _themes_without_parking(version: str) -> dict[str, Any]:
    """The themes code list as ``version`` with ``parkeren`` merged into ``verkeer`` (an incompatible change)."""
    from governance.standard import codelist

    document = copy.deepcopy(codelist("themes"))
    document["x-version"] = version
    document["oneOf"] = [entry for entry in document["oneOf"] if entry.get("const") != "parkeren"]
    for entry in document["oneOf"]:
        if entry.get("const") == "verkeer":
            entry["description"] = entry["description"].rstrip(".") + ", parkeren en foutparkeren."
    return document


def set_scene(data: Path, keys: Path) -> WorkgroupScene:
    """Members, a compatible proposal with two approvals and an incompatible proposal in the registry of ``data``;
    the members' key pairs go to ``keys``."""
    from connectors.keys import load_jwks, write_keypair
    from governance.registry_model import Decision
    from governance.registry_votes import load_member_key, sign_statement
    from governance.schema_registry import SchemaRegistry

    registry = SchemaRegistry.open(data)
    try:
        private = {}
        for name, organisation, kind in MEMBERS:
            pair = write_keypair(name, keys)
            private[name] = load_member_key(pair.private_pem)
            jwks = load_jwks(pair.jwks)
            registry.add_member(name, organisation=organisation, kind=kind, jwk=jwks["keys"][0], actor=_ACTOR)
        subject, version = _MINOR
        registry.propose(
            subject, version, _reply_requested(version), actor="amsterdam",
            rationale="Connectoren kunnen doorgeven dat iemand om een reactie vroeg, zodat de hub ziet waar "
            "mensen op antwoord wachten; een optioneel veld, oude signalen blijven geldig.",
        )  # fmt: skip
        sha256 = registry.get(subject, version).sha256
        for name in _APPROVERS:
            statement = sign_statement(
                private[name], subject=subject, version=version, decision=Decision.APPROVE,
                schema_sha256=sha256, member=name,
            )  # fmt: skip
            review = registry.vote(subject, version, member=name, statement=statement)
        major_subject, major_version = _MAJOR
        major = registry.propose(
            major_subject, major_version, _themes_without_parking(major_version), actor="rotterdam",
            rationale="Parkeren en verkeer worden door gemeenten door elkaar gebruikt; één thema maakt patronen "
            "over organisaties heen vergelijkbaar.",
        )  # fmt: skip
        breaking = sum(1 for report in major.compat for change in report.get("changes", []) if change.get("breaking"))
        return WorkgroupScene(
            members=tuple(name for name, _, _ in MEMBERS),
            minor=_MINOR,
            minor_approvals=review.quorum.approvals,
            minor_needed=review.quorum.needed,
            minor_status=registry.status_of(subject, version).value,
            major=_MAJOR,
            major_compatible=major.compatible,
            major_breaking=breaking,
        )
    finally:
        registry.close()
