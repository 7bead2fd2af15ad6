# SPDX-License-Identifier: EUPL-1.2
"""``hartslag hub …``: run and operate the hub. FastAPI and the server are imported inside the commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from governance.cli import fail as _fail

if TYPE_CHECKING:
    from hub.accounts import Accounts
    from hub.matching_removal import MatchingRemoval
    from hub.registry import Registry

T = TypeVar("T")

__all__ = ["app"]

app = typer.Typer(help="Run and operate the Hartslag hub.", no_args_is_help=True)

#: What every ``hartslag hub`` command needs of the ``hub`` extra (storage, accounts, the server).
_HUB_MODULES = ("fastapi", "uvicorn", "orjson", "argon2", "pydantic_settings")


@app.callback()
def _hub_extra() -> None:
    """Run and operate the Hartslag hub."""
    # On the light agency install the commands would fail deep inside with a traceback; say what is missing first.
    from governance.errors import MissingExtraError
    from governance.extras import require_extra

    try:
        require_extra("hub", *_HUB_MODULES)
    except MissingExtraError as exc:
        raise _fail(exc.message) from None


@app.command("serve")
def serve(
    data: Annotated[Path, typer.Option("--data", envvar="HARTSLAG_DATA", help="Data folder (SQLite and index).")],
    host: Annotated[str, typer.Option("--host", envvar="HARTSLAG_HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", envvar="HARTSLAG_PORT")] = 8000,
    hub_id: Annotated[str | None, typer.Option("--hub-id", envvar="HARTSLAG_HUB_ID")] = None,
    kafka: Annotated[str | None, typer.Option("--kafka", envvar="HARTSLAG_KAFKA", help="host:port")] = None,
    matching: Annotated[
        bool | None, typer.Option("--matching/--no-matching", help="Run matching in the hub (HARTSLAG_MATCHING).")
    ] = None,
) -> None:
    """Run the hub's HTTP service on the embedded default (SQLite under --data)."""
    from pydantic import ValidationError

    from hub.server import run

    try:
        run(data=data, host=host, port=port, hub_id=hub_id, kafka=kafka, matching=matching)
    except ValidationError as exc:  # a bad HARTSLAG_* setting: name it in one line, no traceback
        fields = ", ".join(sorted({".".join(str(p) for p in e["loc"]) or "settings" for e in exc.errors()}))
        raise _fail(f"invalid setting: {fields} ({exc.errors()[0]['msg']}); see docs/hub.md") from None


agency_app = typer.Typer(help="Register agencies and manage their signing keys.", no_args_is_help=True)
key_app = typer.Typer(help="Add, retire and revoke an agency's public keys.", no_args_is_help=True)
agency_app.add_typer(key_app, name="key")
app.add_typer(agency_app, name="agency")

DataOption = Annotated[Path, typer.Option("--data", envvar="HARTSLAG_DATA", help="The hub's data folder.")]
ActorOption = Annotated[str, typer.Option("--actor", envvar="USER", help="Who makes the change (recorded).")]


def _registry(data: Path) -> Registry:
    """The registry of a data folder, recording every change in the folder's audit log."""
    from governance.audit import AuditLog
    from hub.registry import Registry
    from hub.storage import open_storage

    return _run(lambda: Registry(open_storage(data), audit=AuditLog.in_folder(data)))


def _read_json(path: Path) -> dict[str, Any]:
    import json

    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _fail(f"{path}: not a readable JSON file ({type(exc).__name__})") from None
    if not isinstance(loaded, dict):
        raise _fail(f"{path}: expected a JSON object (a JWK set)")
    return loaded


def _run(action: Callable[[], T]) -> T:
    """Run a registry action, turning domain errors into one readable line and exit code 2."""
    from governance.errors import HartslagError

    try:
        return action()
    except HartslagError as exc:
        raise _fail(exc.message) from None


@agency_app.command("add")
def agency_add(
    code: Annotated[str, typer.Argument(help="Organisation code from the standard, e.g. GM0363 or UWV.")],
    name: Annotated[str, typer.Option("--name", help="Display name.")],
    kind: Annotated[str, typer.Option("--kind", help="Organisation kind, e.g. municipality.")],
    jwks: Annotated[Path, typer.Option("--jwks", help="The agency's public JWK set.")],
    data: DataOption,
    actor: ActorOption = "operator",
) -> None:
    """Register an agency with its first public keys."""
    keys = _read_json(jwks)
    agency = _run(lambda: _registry(data).add_agency(code, name, kind, keys, actor))
    typer.echo(f"registered {agency.code} ({agency.name})")


@agency_app.command("list")
def agency_list(data: DataOption, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List the agencies with their status and keys."""
    import json

    registry = _registry(data)
    rows: list[dict[str, Any]] = [
        {
            "code": a.code,
            "name": a.name,
            "kind": a.kind,
            "status": a.status.value,
            "keys": [{"kid": k.kid, "status": k.status.value} for k in registry.storage.keys_of(a.code)],
        }
        for a in registry.storage.list_agencies()
    ]
    if as_json:
        typer.echo(json.dumps(rows))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("code", "naam", "soort", "status", "sleutels")
    for row in rows:
        keys = ", ".join(f"{k['kid'][:12]}… ({k['status']})" for k in row["keys"])
        table.add_row(str(row["code"]), str(row["name"]), str(row["kind"]), str(row["status"]), keys)
    Console().print(table)


@key_app.command("add")
def key_add(
    code: Annotated[str, typer.Argument()],
    jwks: Annotated[Path, typer.Option("--jwks")],
    data: DataOption,
    actor: ActorOption = "operator",
) -> None:
    """Add public keys; the existing keys stay active, so the agency can rotate without downtime."""
    keys = _read_json(jwks)
    added = _run(lambda: _registry(data).add_keys(code, keys, actor))
    for key in added:
        typer.echo(f"added key {key.kid} to {code}")


@key_app.command("retire")
def key_retire(
    code: Annotated[str, typer.Argument()],
    kid: Annotated[str, typer.Argument()],
    data: DataOption,
    actor: ActorOption = "operator",
) -> None:
    """Mark a key as retiring: it still verifies while the agency moves to its new key."""
    _run(lambda: _registry(data).retire_key(code, kid, actor))
    typer.echo(f"key {kid} of {code} is retiring")


@key_app.command("revoke")
def key_revoke(
    code: Annotated[str, typer.Argument()],
    kid: Annotated[str, typer.Argument()],
    data: DataOption,
    actor: ActorOption = "operator",
) -> None:
    """Revoke a key: batches signed with it are refused from now on."""
    _run(lambda: _registry(data).revoke_key(code, kid, actor))
    typer.echo(f"key {kid} of {code} is revoked")


@agency_app.command("suspend")
def agency_suspend(code: Annotated[str, typer.Argument()], data: DataOption, actor: ActorOption = "operator") -> None:
    """Refuse every batch of the agency until it is resumed."""
    _run(lambda: _registry(data).suspend(code, actor))
    typer.echo(f"{code} is suspended")


@agency_app.command("resume")
def agency_resume(code: Annotated[str, typer.Argument()], data: DataOption, actor: ActorOption = "operator") -> None:
    """Accept the agency's batches again."""
    _run(lambda: _registry(data).resume(code, actor))
    typer.echo(f"{code} is active again")


user_app = typer.Typer(help="Local user accounts of the dashboard and the read API.", no_args_is_help=True)
app.add_typer(user_app, name="user")


def _accounts(data: Path) -> Accounts:
    """The accounts of a data folder, recording every change in the folder's audit log."""
    from governance.audit import AuditLog
    from hub.accounts import open_accounts

    return _run(lambda: open_accounts(data, AuditLog.in_folder(data)))


def _password_from_stdin() -> str:
    """The password on standard input: one line (a final newline is not part of it)."""
    import sys

    text = sys.stdin.read()
    password = text[:-1] if text.endswith("\n") else text
    password = password[:-1] if password.endswith("\r") else password
    if "\n" in password or "\r" in password:
        raise _fail("the password on standard input must be a single line")
    return password


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="Login name (letters, digits, . _ @ -).")],
    data: DataOption,
    role: Annotated[list[str] | None, typer.Option("--role", help="analist, beheerder or werkgroep (repeat).")] = None,
    organisation: Annotated[str | None, typer.Option("--organisation", help="Organisation code, e.g. GM0363.")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
    actor: ActorOption = "operator",
) -> None:
    """Add an account. The password is read from standard input only, so it never shows in a process list."""
    from hub.roles import parse_roles

    if not password_stdin:
        raise _fail("give the password on standard input with --password-stdin")
    if not role:
        raise _fail("give at least one --role (analist, beheerder or werkgroep)")
    roles = _run(lambda: parse_roles(role))
    password = _password_from_stdin()
    account = _run(lambda: _accounts(data).add(name, roles, password, actor, organisation))
    typer.echo(f"added account {account.name} ({', '.join(sorted(r.value for r in account.roles))})")


@user_app.command("list")
def user_list(data: DataOption, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List the accounts with their roles, organisation and status."""
    import json

    rows: list[dict[str, Any]] = [
        {
            "name": a.name,
            "roles": sorted(r.value for r in a.roles),
            "organisation": a.organisation,
            "disabled": a.disabled,
            "created_at": a.created_at.isoformat(),
        }
        for a in _run(lambda: _accounts(data).list_accounts())
    ]
    if as_json:
        typer.echo(json.dumps(rows))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("naam", "rollen", "organisatie", "status", "aangemaakt")
    for row in rows:
        status = "uitgeschakeld" if row["disabled"] else "actief"
        table.add_row(row["name"], ", ".join(row["roles"]), row["organisation"] or "–", status, row["created_at"])
    Console().print(table)


@user_app.command("disable")
def user_disable(name: Annotated[str, typer.Argument()], data: DataOption, actor: ActorOption = "operator") -> None:
    """Disable an account: its logins, dashboard sessions and bearer tokens stop working at once."""
    _run(lambda: _accounts(data).disable(name, actor))
    typer.echo(f"account {name} is disabled")


@app.command("token")
def token(
    name: Annotated[str, typer.Argument(help="An existing, enabled account.")],
    data: DataOption,
    lifetime: Annotated[int, typer.Option("--lifetime", help="Seconds the token is valid (at most 12 hours).")] = 3600,
    hub_id: Annotated[str, typer.Option("--hub-id", envvar="HARTSLAG_HUB_ID", help="The hub's id.")] = "hartslag-hub",
    actor: ActorOption = "operator",
) -> None:
    """Print a short-lived bearer token for an account (only the token, on standard output)."""
    from governance.audit import AuditLog
    from hub.tokens import MAX_LIFETIME, issue_token

    if not 0 < lifetime <= MAX_LIFETIME:
        raise _fail(f"--lifetime must be between 1 and {MAX_LIFETIME} seconds")
    accounts = _accounts(data)
    account = _run(lambda: accounts.usable(name))
    key = _run(lambda: AuditLog.in_folder(data).hub_key())
    org = account.organisation
    issued = _run(lambda: issue_token(key, hub_id, account.name, account.roles, lifetime=lifetime, organisation=org))
    _run(lambda: accounts.token_issued(account.name, actor, lifetime))
    typer.echo(issued)


@app.command("stats")
def stats(data: DataOption, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Counts of agencies, batches, signals and refusals by reason."""
    import json

    from hub.storage import open_storage

    counts = open_storage(data).stats()
    if as_json:
        typer.echo(json.dumps(counts))
        return
    from rich.console import Console

    Console().print(counts)


@app.command("import")
def import_signals(
    file: Annotated[Path, typer.Argument(help="JSONL of already anonymised signals in the standard's shape.")],
    data: DataOption,
    agency: Annotated[str, typer.Option("--agency", help="The registered agency the signals belong to.")],
    actor: ActorOption = "operator",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """A trusted operator's bulk import (backfill, demo data): scrubbed again, validated, recorded as an import.

    The audit log gets one ``signals.imported`` entry with the counts and the file's SHA-256 (never a text).
    """
    import hashlib
    import json
    from functools import partial

    from connectors.anonymiser import Anonymiser
    from governance.audit import AuditLog
    from hub.ingest import Ingest
    from hub.storage import open_storage

    if not file.is_file():
        raise _fail(f"{file}: no such file")
    raw = file.read_bytes()
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _fail(f"{file}: not UTF-8 text") from None
    signals: list[dict[str, Any]] = []
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            signals.append(json.loads(line))
        except ValueError:
            raise _fail(f"{file}:{number}: not valid JSON") from None
    anonymiser = Anonymiser()

    def scrub(text: str) -> str:
        return anonymiser.scrub(text).text

    ingest = Ingest(open_storage(data), "import")
    audit = _run(lambda: AuditLog.in_folder(data))
    total = {"accepted": 0, "duplicate": 0, "rejected": 0}
    reasons: dict[str, int] = {}
    batches: list[str] = []
    try:
        for start in range(0, len(signals), 1000):
            part = signals[start : start + 1000]
            receipt = _run(partial(ingest.import_signals, agency, part, actor, file.name, scrub))
            batches.append(receipt.batch_id)
            total["accepted"] += receipt.accepted
            total["duplicate"] += receipt.duplicate
            total["rejected"] += len(receipt.rejected)
            for rejection in receipt.rejected:
                reasons[rejection.reason] = reasons.get(rejection.reason, 0) + 1
    finally:
        # Also after a failing part: what the earlier parts stored was imported and must be on record.
        if batches:
            details = {
                "file_sha256": hashlib.sha256(raw).hexdigest(),
                "signals": len(signals),
                **total,
                "reasons": reasons,
                "batches": batches,
                "complete": len(batches) * 1000 >= len(signals),
            }
            _run(lambda: audit.record(actor, "signals.imported", agency, details))
        audit.close()
    if as_json:
        typer.echo(json.dumps({**total, "reasons": reasons}))
    else:
        typer.echo(
            f"imported {total['accepted']} signal(s) for {agency}; {total['duplicate']} duplicate(s), "
            f"{total['rejected']} rejected {reasons or ''}"
        )
    if total["rejected"]:
        raise typer.Exit(1)


retention_app = typer.Typer(
    help="Retention: texts and signals leave the hub after their rules' months.", no_args_is_help=True
)
app.add_typer(retention_app, name="retention")


def _as_of(value: str | None) -> Any:
    """``--as-of YYYY-MM-DD`` as a date (None: today)."""
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(f"--as-of: {value[:40]!r} is not a date (YYYY-MM-DD)") from None


@retention_app.command("show")
def retention_show(data: DataOption, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Print the effective rules (DATA/retention.toml, or the defaults): months per organisation kind and field."""
    import json

    from hub.retention_rules import load_rules

    rules = _run(lambda: load_rules(data))
    if as_json:
        typer.echo(json.dumps({"source": rules.source, "sha256": rules.sha256, "rules": rules.as_dict()}))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("organisatiesoort", "tekst (maanden)", "signaal (maanden)", title=f"retention rules: {rules.source}")
    for kind, months in rules.as_dict().items():
        table.add_row(kind, str(months["text"]), str(months["signal"]))
    Console().print(table)
    typer.echo(f"sha256 {rules.sha256}")


@retention_app.command("run")
def retention_run(
    data: DataOption,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Reference date YYYY-MM-DD (default: today, UTC).")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what is due; change nothing.")] = False,
    actor: ActorOption = "operator",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Remove the texts and signals whose retention period passed; prints the counts per organisation kind.

    A run is recorded in the audit log as ``retention.run`` (rules hash, date, counts); a dry run is not.
    """
    import json

    from governance.audit import AuditLog
    from hub.retention import Retention
    from hub.retention_rules import load_rules
    from hub.storage import open_storage

    day = _as_of(as_of)
    rules = _run(lambda: load_rules(data))
    if not (data / "hartslag.db").is_file():
        raise _fail(f"{data}: no hub data folder (hartslag.db is missing)")
    storage = _run(lambda: open_storage(data))
    audit = None if dry_run else _run(lambda: AuditLog.in_folder(data))
    try:
        retention = Retention(storage, rules, matching=_matching_removal(data), audit=audit)
        report = _run(lambda: retention.run(day, dry_run=dry_run, actor=actor))
    finally:
        storage.close()
        if audit is not None:
            audit.close()
    if as_json:
        typer.echo(json.dumps(report.as_dict()))
        return
    from rich.console import Console
    from rich.table import Table

    verb = "would remove" if dry_run else "removed"
    table = Table("organisatiesoort", "teksten", "signalen", title=f"retention {report.as_of} ({verb})")
    for kind, counts in sorted(report.removed.items()):
        table.add_row(kind, str(counts["text"]), str(counts["signal"]))
    Console().print(table)
    typer.echo(
        f"{verb} {report.total('text')} text(s) and {report.total('signal')} signal(s); "
        f"{report.texts_deferred} text(s) wait for matching"
    )


def _matching_removal(data: Path) -> MatchingRemoval:
    """Matching's part, outside a running hub: the folder, and the cleaner of the hub's matching settings."""
    import os

    from hub.matching_removal import MatchingRemoval

    config = os.environ.get("HARTSLAG_MATCHING_CONFIG")

    def cleaner() -> Any:
        from matching.cleaning import make_cleaner
        from matching.pipeline import load_config

        step = load_config(Path(config) if config else None).cleaner
        return None if step is None else make_cleaner(step.name, **step.options)

    return MatchingRemoval(data / "matching", cleaner=cleaner)
