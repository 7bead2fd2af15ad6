# SPDX-License-Identifier: EUPL-1.2
"""``hartslag schema …`` and ``hartslag governance …``: the standard on the command line.

Exit codes: 0 ok, 1 the check failed, 2 bad input.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from governance.errors import HartslagError
from governance.registry_cli import add_registry_commands

__all__ = ["governance_app", "schema_app"]

schema_app = typer.Typer(
    help="Validate documents against the Hartslag standard and read its schemas.", no_args_is_help=True
)
governance_app = typer.Typer(
    help="The working group's registry, compatibility checks and audit log.", no_args_is_help=True
)
add_registry_commands(governance_app)  # propose, review, approve, ... (governance/registry_cli.py)

_err = Console(stderr=True, highlight=False)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a one-line readable error on standard error and return the exit to raise."""
    _err.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    return typer.Exit(code)


@dataclass(frozen=True)
class RecordIssue:
    """One bad record of a validated file."""

    file: str
    line: int
    pointer: str
    message: str


def _records(path: Path) -> list[tuple[int, str, Any]]:
    """(line, raw text, parsed or None) for each record: JSONL line by line, a .json file as one document."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl" or (path.suffix != ".json" and "\n{" in text.strip()):
        out: list[tuple[int, str, Any]] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                out.append((number, line, _try_json(line)))
        return out
    return [(1, text, _try_json(text))]


_NOT_JSON = object()


def _try_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return _NOT_JSON


def validate_files(paths: list[Path], subject: str | None = None) -> tuple[int, list[RecordIssue]]:
    """Validate every record of every file; returns (records seen, issues)."""
    from governance.jsonpos import value_lines
    from governance.standard import validate

    seen = 0
    issues: list[RecordIssue] = []
    for path in paths:
        for line, raw, document in _records(path):
            seen += 1
            if document is _NOT_JSON:
                issues.append(RecordIssue(str(path), line, "", "is not valid JSON"))
                continue
            found = validate(document, subject)
            if found:
                positions = value_lines(raw, first_line=line)
                for issue in found:
                    at = positions.get(issue.pointer, line)
                    issues.append(RecordIssue(str(path), at, issue.pointer, issue.message))
    return seen, issues


@schema_app.command("validate")
def validate_command(
    files: Annotated[list[Path], typer.Argument(help="JSON or JSONL files with signals or batches.")],
    subject: Annotated[
        str | None, typer.Option("--schema", help="Force a schema (signal, batch); default: detect.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine output on standard output.")] = False,
) -> None:
    """Check files against the standard; every bad record is named with file, line, JSON pointer and reason."""
    for path in files:
        if not path.is_file():
            raise fail(f"{path}: no such file")
    try:
        seen, issues = validate_files(files, subject)
    except (HartslagError, UnicodeDecodeError, OSError) as exc:
        raise fail(str(exc)) from None
    bad_records = len({(i.file, i.line if not i.pointer else -1, i.pointer) for i in issues})
    if as_json:
        print(json.dumps({"records": seen, "valid": not issues, "issues": [asdict(i) for i in issues]}, indent=2))
    else:
        for issue in issues:
            _err.print(
                f"{issue.file}:{issue.line}: {issue.pointer or '/'}: {issue.message}", soft_wrap=True, markup=False
            )
        if issues:
            _err.print(f"[red]{len(issues)} problem(s) in {seen} record(s)[/]")
        else:
            Console(highlight=False).print(f"[green]ok[/]: {seen} record(s) conform to the Hartslag standard")
    del bad_records
    if issues:
        raise typer.Exit(1)


@schema_app.command("list")
def list_command(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List the schemas and code lists of the standard with their versions."""
    from governance.standard import list_schemas

    infos = list_schemas()
    if as_json:
        print(json.dumps([{"name": s.name, "version": s.version, "kind": s.kind, "title": s.title} for s in infos]))
        return
    table = Table("naam", "versie", "soort", "titel")
    for info in infos:
        table.add_row(info.name, info.version, "schema" if info.kind == "schema" else "codelijst", info.title)
    Console().print(table)


@schema_app.command("show")
def show_command(
    name: Annotated[str, typer.Argument(help="NAME or NAME@VERSION, e.g. signal@1.0.0 or themes.")],
) -> None:
    """Print a schema or code list (the newest version unless @VERSION is given) as JSON."""
    from governance.standard import load_schema

    base, _, version = name.partition("@")
    try:
        document = load_schema(base, version or None)
    except HartslagError as exc:
        raise fail(exc.message) from None
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


@schema_app.command("docs")
def docs_command(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the reference into.")] = Path("docs/standard"),
    data: Annotated[
        Path | None,
        typer.Option("--data", help="A hub's data folder: document every version its registry published, with dates."),
    ] = None,
) -> None:
    """Generate the field reference of every published schema version, the code lists and the changelog between
    versions: from the schema files, or with --data from the versions in a hub's registry."""
    from governance.changelog import History
    from governance.reference import write_reference

    # No HARTSLAG_DATA fallback on purpose: `make docs` must keep generating the committed reference from the files.
    try:
        written = write_reference(out, None if data is None else History.from_data(data))
    except HartslagError as exc:
        raise fail(exc.message) from None
    except OSError as exc:
        raise fail(f"cannot write the reference into {out} ({type(exc).__name__})") from None
    for path in written:
        Console(highlight=False).print(f"wrote {path}", soft_wrap=True)


@schema_app.command("compat")
def compat_command(
    files: Annotated[
        list[Path], typer.Argument(help="OLD.json [OLD2.json …] NEW.json: the old version(s), oldest first, then NEW.")
    ],
    level: Annotated[
        str,
        typer.Option(
            "--level",
            help="BACKWARD (NEW reads old data), FORWARD (old readers read new data), FULL (both); add _TRANSITIVE "
            "to check NEW against every old file given.",
        ),
    ] = "BACKWARD",
) -> None:
    """Check that the new schema (the last file) is compatible with the old one(s); the changes go out as JSON.

    Exit 0 when compatible, 1 when not, 2 on bad input. Follows Confluent Schema Registry's levels.
    """
    from governance.compat import check_files, parse_level

    try:
        report = check_files(files, parse_level(level))
    except HartslagError as exc:
        raise fail(exc.message) from None
    sys.stdout.write(json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n")
    breaking = sum(1 for finding in report.findings if finding.breaking(report.level))
    if breaking:
        _err.print(f"[red]not {report.level.value} compatible[/]: {breaking} breaking change(s)")
        raise typer.Exit(1)
    _err.print(f"[green]{report.level.value} compatible[/] ({len(report.findings)} change(s), none breaking)")


# the audit log ---------------------------------------------------------------------------------------------------
audit_app = typer.Typer(help="The tamper-evident audit log of a hub's data folder.", no_args_is_help=True)
governance_app.add_typer(audit_app, name="audit")

AuditDataOption = Annotated[Path, typer.Option("--data", envvar="HARTSLAG_DATA", help="The hub's data folder.")]


def _audit_log(data: Path) -> Any:
    """The existing audit log of ``data`` (exit 2 when there is none)."""
    from governance.audit import AuditLog

    try:
        return AuditLog.in_folder(data, create=False)
    except HartslagError as exc:
        raise fail(exc.message) from None


@audit_app.command("verify")
def audit_verify_command(
    data: AuditDataOption,
    public_key: Annotated[
        Path | None,
        typer.Option("--public-key", help="The hub's published public JWK (set): check against it, not the key file."),
    ] = None,
    published: Annotated[
        list[Path] | None,
        typer.Option("--checkpoint", help="A checkpoint published earlier (its JWS or JSON); repeatable."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine output on standard output.")] = False,
) -> None:
    """Recompute the hash chain and check every checkpoint. Exit 0 intact, 1 tampered (the first bad entry is
    named), 2 bad input."""
    from governance.audit_checkpoint import published_jws
    from governance.audit_verify import verify_log
    from governance.hub_key import load_public_jwk, public_key_from_jwk

    log = _audit_log(data)
    try:
        key = public_key_from_jwk(load_public_jwk(public_key)) if public_key is not None else None
        tokens = [published_jws(path.read_text(encoding="utf-8")) for path in published or []]
        report = verify_log(log, key, tokens)
    except HartslagError as exc:
        raise fail(exc.message) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read a checkpoint file ({type(exc).__name__})") from None
    finally:
        log.close()
    if as_json:
        print(json.dumps(report.as_dict(), indent=2))
    if report.intact:
        extra = f", {report.published} published checkpoint(s)" if report.published else ""
        summary = f"intact: {report.entries} entries, {report.checkpoints} checkpoints{extra}"
        (_err if as_json else Console(highlight=False)).print(f"[green]{summary}[/]", soft_wrap=True)
        return
    more = len(report.problems) - 1
    _err.print(
        f"[bold red]tampered:[/] {escape(report.problems[0].message)}"
        + (f" (and {more} more problem(s); --json lists them)" if more else ""),
        soft_wrap=True,
    )
    raise typer.Exit(1)


@audit_app.command("show")
def audit_show_command(
    data: AuditDataOption,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Show the newest N entries.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Machine output on standard output.")] = False,
) -> None:
    """The newest entries of the audit log, oldest first."""
    log = _audit_log(data)
    try:
        entries = log.latest(limit)
    except HartslagError as exc:
        raise fail(exc.message) from None
    finally:
        log.close()
    if as_json:
        print(json.dumps([entry.as_dict() for entry in entries], indent=2, ensure_ascii=False))
        return
    table = Table()
    for title in ("seq", "tijd (UTC)", "actor", "actie", "onderwerp", "details", "hash"):
        table.add_column(title, overflow="fold")  # long values wrap instead of being cut off
    for entry in entries:
        details = json.dumps(entry.details, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        cells = (str(entry.seq), entry.at, entry.actor, entry.action, entry.subject, details, entry.hash[:12])
        table.add_row(*map(escape, cells))
    Console().print(table)


@audit_app.command("checkpoint")
def audit_checkpoint_command(data: AuditDataOption) -> None:
    """Sign a checkpoint of the log as it is now with the hub key and print it (JSON) for publication."""
    log = _audit_log(data)
    try:
        checkpoint = log.checkpoint()
    except HartslagError as exc:
        raise fail(exc.message) from None
    finally:
        log.close()
    print(json.dumps(checkpoint.as_dict(), indent=2))
    _err.print(f"checkpoint {checkpoint.id}: {checkpoint.size} entries, head {checkpoint.head[:12]}…")


@audit_app.command("key")
def audit_key_command(data: AuditDataOption) -> None:
    """Print the hub's public JWK set (the key that signs checkpoints; made on first use) for publication."""
    from governance.hub_key import hub_key_path, load_or_create_hub_key

    if not data.is_dir():
        raise fail(f"no data folder {data}")
    try:
        key = load_or_create_hub_key(hub_key_path(data))
    except HartslagError as exc:
        raise fail(exc.message) from None
    print(json.dumps(key.jwks(), indent=2))
