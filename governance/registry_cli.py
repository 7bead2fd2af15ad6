# SPDX-License-Identifier: EUPL-1.2
"""``hartslag governance propose|review|approve|reject|sign|publish|deprecate|retire|versions|diff|member …``.

The working group's schema registry on the command line, over the registry of a data folder (``--data``). Members
sign their votes here with their own private key (``--key``, the PEM file ``hartslag connector keygen`` wrote);
the registry verifies the statement against the key registered for them. Exit codes: 0 ok, 1 refused (a rule of
the registry or a vote that does not verify), 2 bad input. ``--json`` puts machine output alone on standard output.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from governance.errors import HartslagError

if TYPE_CHECKING:
    from governance.registry_model import SchemaVersion
    from governance.registry_voting import Review
    from governance.schema_registry import SchemaRegistry

__all__ = ["add_registry_commands", "member_app"]

member_app = typer.Typer(help="The working group's members and their public keys.", no_args_is_help=True)

_err = Console(stderr=True, highlight=False)
_out = Console(highlight=False)

Data = Annotated[Path, typer.Option("--data", envvar="HARTSLAG_DATA", help="The hub's data folder.")]
Subject = Annotated[str, typer.Argument(help="signal, batch or codelist/<name> (e.g. codelist/themes).")]
Version = Annotated[str, typer.Argument(help="The version, MAJOR.MINOR.PATCH.")]
Actor = Annotated[
    str | None, typer.Option("--actor", envvar="HARTSLAG_ACTOR", help="Who acts (for the audit log); default: you.")
]
Json = Annotated[bool, typer.Option("--json", help="Machine output on standard output.")]
Member = Annotated[str, typer.Option("--member", help="The member's name as registered.")]
Key = Annotated[Path, typer.Option("--key", help="The member's private key (PEM, from `hartslag connector keygen`).")]
Passphrase = Annotated[
    str | None, typer.Option("--passphrase-env", help="Environment variable holding the key's passphrase.")
]


def _exit_for(exc: HartslagError) -> typer.Exit:
    """One readable line on standard error; exit 1 for a refusal, 2 for bad input."""
    from governance.registry_status import RefusedError

    _err.print(f"[bold red]error:[/] {escape(exc.message)} [dim]({exc.code})[/]", soft_wrap=True)
    return typer.Exit(1 if isinstance(exc, RefusedError) else 2)


@contextmanager
def _registry(data: Path) -> Iterator[SchemaRegistry]:
    """The registry of an existing data folder; every Hartslag error becomes a one-line message and an exit code."""
    from governance.schema_registry import SchemaRegistry

    if not data.is_dir():
        _err.print(f"[bold red]error:[/] no data folder {escape(str(data))}", soft_wrap=True)
        raise typer.Exit(2)
    try:
        registry = SchemaRegistry.open(data)
    except HartslagError as exc:
        raise _exit_for(exc) from None
    try:
        yield registry
    except HartslagError as exc:
        raise _exit_for(exc) from None
    finally:
        registry.close()


def _actor(actor: str | None) -> str:
    return actor or getpass.getuser()


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        _err.print(f"[bold red]error:[/] {escape(str(path))}: not a readable JSON file ({type(exc).__name__})")
        raise typer.Exit(2) from None


def _passphrase(variable: str | None) -> bytes | None:
    import os

    if variable is None:
        return None
    value = os.environ.get(variable)
    if not value:
        _err.print(f"[bold red]error:[/] environment variable {escape(variable)} is not set or empty")
        raise typer.Exit(2)
    return value.encode("utf-8")


def _done(record: SchemaVersion, as_json: bool, what: str) -> None:
    if as_json:
        print(json.dumps(record.summary(), indent=2, ensure_ascii=False))
    else:
        _out.print(f"{escape(record.subject)} {record.version}: [bold]{record.status.value}[/] ({what})")


# members -----------------------------------------------------------------------------------------------------------
@member_app.command("add")
def member_add(
    name: Annotated[str, typer.Argument(help="The member's name.")],
    organisation: Annotated[str, typer.Option("--organisation", help="Organisation code (GM0363, UWV, ...).")],
    kind: Annotated[str, typer.Option("--kind", help="municipality, national_agency, province, ...")],
    jwk: Annotated[Path, typer.Option("--jwk", help="The member's public key: JWK or one-key JWK set file.")],
    data: Data,
    actor: Actor = None,
    as_json: Json = False,
) -> None:
    """Register a working-group member with their Ed25519 public key (make it with `hartslag connector keygen`)."""
    document = _read_json(jwk)
    if not isinstance(document, dict):
        _err.print("[bold red]error:[/] the JWK file must hold a JSON object")
        raise typer.Exit(2)
    with _registry(data) as registry:
        member = registry.add_member(name, organisation=organisation, kind=kind, jwk=document, actor=_actor(actor))
    if as_json:
        print(json.dumps(member.public(), indent=2, ensure_ascii=False))
    else:
        _out.print(f"member {escape(member.name)} ({member.organisation}, {member.kind}) added, key {member.kid}")


@member_app.command("list")
def member_list(data: Data, as_json: Json = False) -> None:
    """The working group's members."""
    with _registry(data) as registry:
        members = registry.members()
    if as_json:
        print(json.dumps([member.public() for member in members], indent=2, ensure_ascii=False))
        return
    table = Table("naam", "organisatie", "soort", "sleutel (kid)")
    for member in members:
        table.add_row(escape(member.name), member.organisation, member.kind, member.kid)
    _out.print(table)


# proposing and reviewing -------------------------------------------------------------------------------------------
def propose_command(
    subject: Subject,
    file: Annotated[Path, typer.Argument(help="The new schema (JSON).")],
    version: Annotated[str, typer.Option("--version", help="The proposed version, MAJOR.MINOR.PATCH.")],
    rationale: Annotated[str, typer.Option("--rationale", help="Why the change is needed.")],
    actor: Annotated[str, typer.Option("--actor", envvar="HARTSLAG_ACTOR", help="Who proposes (audit log).")],
    data: Data,
    concept: Annotated[bool, typer.Option("--concept", help="Store as concept; `submit` opens it for votes.")] = False,
    migration: Annotated[
        Path | None, typer.Option("--migration", help="A new major's migration from the previous major (JSON).")
    ] = None,
    as_json: Json = False,
) -> None:
    """Propose a new version; the compatibility report against every published version is made and stored. A new
    major of the signal or the batch needs --migration: it is checked on the standard's examples and stored."""
    document = _read_json(file)
    declared = _read_json(migration) if migration is not None else None
    if declared is not None and not isinstance(declared, dict):
        _err.print("[bold red]error:[/] the migration file must hold a JSON object")
        raise typer.Exit(2)
    with _registry(data) as registry:
        record = registry.propose(
            subject, version, document, rationale=rationale, actor=actor, concept=concept, migration=declared
        )
        shown = registry.review(subject, version)
    if as_json:
        print(json.dumps(_review_json(shown), indent=2, ensure_ascii=False))
        return
    _print_review(shown)
    _out.print(f"proposed: {escape(record.subject)} {record.version} is [bold]{record.status.value}[/]")


def review_command(subject: Subject, version: Version, data: Data, as_json: Json = False) -> None:
    """A version with its compatibility report, the votes so far and where the quorum stands."""
    with _registry(data) as registry:
        shown = registry.review(subject, version)
    if as_json:
        print(json.dumps(_review_json(shown), indent=2, ensure_ascii=False))
    else:
        _print_review(shown)


def _review_json(review: Review) -> dict[str, Any]:
    """The review's machine form with the declared migration itself (its SHA-256 is in the summary)."""
    return review.as_dict() | {"migration": review.version.migration}


def _print_review(review: Review) -> None:
    from governance.registry_views import print_review

    print_review(_out, review)
    migration = review.version.migration
    if migration is not None:
        from governance.registry_model import schema_sha256

        steps = ", ".join(f"{step['op']} {step['path']}" for step in migration.get("up", []))
        way_back = "with a way down" if "down" in migration else "no way down"
        _out.print(
            f"migration {migration.get('from')} → {migration.get('to')} ({way_back}), sha256 "
            f"{schema_sha256(migration)[:16]}…: {escape(steps) or 'relabel only'}",
            soft_wrap=True,
        )


def _vote(
    subject: str, version: str, member: str, key: Path, passphrase_env: str | None, data: Path, reason: str, json_: bool
) -> None:
    from governance.registry_model import Decision
    from governance.registry_votes import load_member_key, sign_statement

    decision = Decision.REJECT if reason else Decision.APPROVE
    with _registry(data) as registry:
        private = load_member_key(key, _passphrase(passphrase_env))
        record = registry.get(subject, version)
        token = sign_statement(
            private, subject=subject, version=version, decision=decision, schema_sha256=record.sha256,
            member=member, reason=reason,
        )  # fmt: skip
        shown = registry.vote(subject, version, member=member, statement=token)
    if json_:
        print(json.dumps(shown.as_dict(), indent=2, ensure_ascii=False))
        return
    word = "approval" if decision.value == "approve" else "rejection"
    _out.print(f"{word} by {escape(member)} recorded; {escape(shown.quorum.why)}")
    _out.print(f"{escape(subject)} {version}: [bold]{shown.version.status.value}[/]")


def approve_command(
    subject: Subject, version: Version, member: Member, key: Key, data: Data, passphrase_env: Passphrase = None,
    as_json: Json = False,
) -> None:  # fmt: skip
    """Approve a proposal: signs a statement with the member's key, which the registry verifies and counts."""
    _vote(subject, version, member, key, passphrase_env, data, "", as_json)


def reject_command(
    subject: Subject, version: Version, member: Member, key: Key, data: Data,
    reason: Annotated[str, typer.Option("--reason", help="Why the member rejects the proposal.")],
    passphrase_env: Passphrase = None, as_json: Json = False,
) -> None:  # fmt: skip
    """Reject a proposal with a reason (signed like an approval)."""
    if not reason.strip():
        _err.print("[bold red]error:[/] a rejection needs a reason (--reason)")
        raise typer.Exit(2)
    _vote(subject, version, member, key, passphrase_env, data, reason, as_json)


def sign_command(
    subject: Subject, version: Version,
    decision: Annotated[str, typer.Option("--decision", help="approve or reject.")],
    member: Member, key: Key,
    schema: Annotated[
        Path | None, typer.Option("--schema", help="The version's schema file as you read it (JSON); signs its hash.")
    ] = None,
    sha256: Annotated[
        str | None, typer.Option("--sha256", help="The schema's SHA-256 as the registry shows it (or --schema).")
    ] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why the member rejects (required with reject).")] = "",
    passphrase_env: Passphrase = None,
) -> None:  # fmt: skip
    """Sign a vote without a data folder and print the statement (a compact JWS) to paste on the dashboard.

    The private key never leaves the member: the hub only receives the statement and verifies it against the key
    registered for the member, exactly as for `approve` and `reject`.
    """
    import re

    from governance.registry_model import Decision, parse_subject, parse_version, schema_sha256
    from governance.registry_votes import load_member_key, sign_statement

    try:
        parse_subject(subject)
        parse_version(version)
    except HartslagError as exc:
        raise _exit_for(exc) from None
    if decision not in ("approve", "reject"):
        _err.print(f"[bold red]error:[/] --decision {escape(decision)} is neither approve nor reject")
        raise typer.Exit(2)
    if (schema is None) == (sha256 is None):
        _err.print("[bold red]error:[/] give exactly one of --schema FILE and --sha256 HASH")
        raise typer.Exit(2)
    if decision == "reject" and not reason.strip():
        _err.print("[bold red]error:[/] a rejection needs a reason (--reason)")
        raise typer.Exit(2)
    if sha256 is not None and not re.fullmatch(r"[0-9a-f]{64}", sha256):
        _err.print("[bold red]error:[/] --sha256 must be 64 lowercase hexadecimal characters")
        raise typer.Exit(2)
    digest = schema_sha256(_read_json(schema)) if schema is not None else str(sha256)
    try:
        private = load_member_key(key, _passphrase(passphrase_env))
    except HartslagError as exc:
        raise _exit_for(exc) from None
    token = sign_statement(
        private, subject=subject, version=version, decision=Decision(decision), schema_sha256=digest,
        member=member, reason=reason.strip(),
    )  # fmt: skip
    print(token)


# after approval ------------------------------------------------------------------------------------------------------
def publish_command(subject: Subject, version: Version, data: Data, actor: Actor = None, as_json: Json = False) -> None:
    """Publish an approved version: the hub accepts it from now on."""
    with _registry(data) as registry:
        _done(registry.publish(subject, version, actor=_actor(actor)), as_json, "published")


def deprecate_command(
    subject: Subject, version: Version, data: Data,
    sunset: Annotated[str, typer.Option("--sunset", help="From this date (YYYY-MM-DD, UTC) the hub refuses it.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (optional).")] = "",
    actor: Actor = None, as_json: Json = False,
) -> None:  # fmt: skip
    """Deprecate a published version, announcing its sunset date."""
    try:
        day = date.fromisoformat(sunset)
    except ValueError:
        _err.print(f"[bold red]error:[/] --sunset {escape(sunset)} is not a date YYYY-MM-DD")
        raise typer.Exit(2) from None
    with _registry(data) as registry:
        record = registry.deprecate(subject, version, sunset=day, actor=_actor(actor), reason=reason)
        _done(record, as_json, f"sunset {day.isoformat()}")


def retire_command(
    subject: Subject, version: Version, data: Data,
    force: Annotated[bool, typer.Option("--force", help="Retire before the sunset date (needs --reason).")] = False,
    reason: Annotated[str, typer.Option("--reason", help="Why (required with --force).")] = "",
    actor: Actor = None, as_json: Json = False,
) -> None:  # fmt: skip
    """Retire a deprecated version on or after its sunset date: the hub refuses its documents from now on."""
    with _registry(data) as registry:
        _done(registry.retire(subject, version, actor=_actor(actor), force=force, reason=reason), as_json, "retired")


def submit_command(subject: Subject, version: Version, data: Data, actor: Actor = None, as_json: Json = False) -> None:
    """Open a concept version for votes (concept → voorgesteld)."""
    with _registry(data) as registry:
        _done(registry.submit(subject, version, actor=_actor(actor)), as_json, "open for votes")


def withdraw_command(
    subject: Subject, version: Version, data: Data,
    reason: Annotated[str, typer.Option("--reason", help="Why (optional).")] = "",
    actor: Actor = None, as_json: Json = False,
) -> None:  # fmt: skip
    """Withdraw a concept or a proposal (→ teruggetrokken); its number stays used."""
    with _registry(data) as registry:
        _done(registry.withdraw(subject, version, actor=_actor(actor), reason=reason), as_json, "withdrawn")


def versions_command(subject: Subject, data: Data, as_json: Json = False) -> None:
    """A subject's versions with their status and sunset date."""
    with _registry(data) as registry:
        records = registry.versions(subject)
    if as_json:
        print(json.dumps([record.summary() for record in records], indent=2, ensure_ascii=False))
        return
    table = Table("versie", "status", "wijziging", "compatibel", "uitfasering", "voorgesteld door", "sha256")
    for r in records:
        sunset = r.sunset.isoformat() if r.sunset else ""
        row = (r.version, r.status.value, r.change.value, "ja" if r.compatible else "nee", sunset, r.proposed_by)
        table.add_row(*map(escape, row), r.sha256[:12])
    _out.print(table)


def diff_command(
    subject: Subject,
    old: Annotated[str, typer.Argument(help="The old version.")],
    new: Annotated[str, typer.Argument(help="The new version.")],
    data: Data,
    as_json: Json = False,
) -> None:
    """A readable diff of two versions: every change, where, and whether it breaks the subject's level."""
    from governance.registry_views import print_diff

    with _registry(data) as registry:
        result = registry.diff(subject, old, new)
    if as_json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print_diff(_out, result)


def add_registry_commands(app: typer.Typer) -> None:
    """Join the registry's commands to ``hartslag governance``."""
    app.add_typer(member_app, name="member")
    for name, command in (
        ("propose", propose_command), ("submit", submit_command), ("review", review_command),
        ("approve", approve_command), ("reject", reject_command), ("withdraw", withdraw_command),
        ("sign", sign_command),
        ("publish", publish_command), ("deprecate", deprecate_command), ("retire", retire_command),
        ("versions", versions_command), ("diff", diff_command),
    ):  # fmt: skip
        app.command(name)(command)
