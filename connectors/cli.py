# SPDX-License-Identifier: EUPL-1.2
"""``hartslag connector …``: the agency operator's commands.

Heavy modules are imported inside the commands so that ``hartslag --help`` starts fast.
Exit codes: 0 ok, 1 the check failed, 2 bad input.
"""

from __future__ import annotations

from typing import Any

import typer

__all__ = ["WITHDRAWAL_TYP", "app", "sign_withdrawal"]

app = typer.Typer(help="Read, scrub, sign and deliver an agency's signals.", no_args_is_help=True)


@app.command("scrub")
def scrub(
    stats: bool = typer.Option(False, "--stats", help="Print the placeholder counts per type to standard error."),
) -> None:
    """Anonymise the text field of each JSON line on standard input; write the lines to standard output."""
    import sys

    from connectors.scrub import ScrubInputError, scrub_jsonl

    try:
        counts = scrub_jsonl(sys.stdin, sys.stdout)
    except ScrubInputError as exc:
        typer.echo(f"hartslag connector scrub: {exc.message}", err=True)
        raise typer.Exit(2) from None
    except UnicodeDecodeError:
        typer.echo("hartslag connector scrub: standard input is not UTF-8 text", err=True)
        raise typer.Exit(2) from None
    sys.stdout.flush()
    if stats:
        from rich.console import Console
        from rich.table import Table

        table = Table(title="Placeholders")
        table.add_column("type")
        table.add_column("count", justify="right")
        for kind, count in sorted(counts.items()):
            table.add_row(kind, str(count))
        table.add_row("total", str(sum(counts.values())), style="bold")
        Console(stderr=True).print(table)


@app.command("preview")
def preview(
    file: str = typer.Argument(..., help="The export file (CSV, JSON Lines, Signalen or Open311 JSON, KTO CSV)."),
    mapping: str | None = typer.Option(
        None, "--mapping", "-m", help="The mapping TOML file; leave out for JSON Lines already in the standard's shape."
    ),
    fmt: str | None = typer.Option(
        None, "--format", "-f", help="csv, jsonl, signalen, open311 or kto (default: the mapping's, else by extension)."
    ),
    limit: int = typer.Option(20, "--limit", "-n", min=0, help="Show at most this many signals (0: all)."),
    as_json: bool = typer.Option(False, "--json", help="Print the signals that would leave as JSON Lines."),
) -> None:
    """Show, side by side, each original text and what would leave after scrubbing. Sends nothing.

    Exit code 0 when every record became a signal, 1 when some were skipped (listed with file, line and reason),
    2 when the file or mapping cannot be used.
    """
    from connectors.preview import run_preview

    raise typer.Exit(run_preview(file, mapping, fmt=fmt, limit=limit, as_json=as_json))


# --- keys, signing and delivery (connectors/keys.py, envelope.py, outbox.py, runner.py) ---------------------------

_MAPPING_HELP = "The mapping TOML file; leave out for JSON Lines already in the standard's shape."
_PASSPHRASE_HELP = "Name of the environment variable that holds the private key's passphrase."


@app.command("keygen")
def keygen(
    agency: str = typer.Option(..., "--agency", help="The organisation code (GM0363, NIS44021, UWV, ...)."),
    out: str = typer.Option(..., "--out", help="Folder for CODE.key.pem (private, mode 0600) and CODE.jwks.json."),
    alg: str = typer.Option("EdDSA", "--alg", help="EdDSA (Ed25519, the default) or ES256 (P-256)."),
    passphrase_env: str | None = typer.Option(None, "--passphrase-env", help=_PASSPHRASE_HELP + " Encrypts the key."),
) -> None:
    """Make the agency's signing key pair. Hand the JWK set (public) to the hub; keep the PEM file to yourself."""
    from pathlib import Path

    from connectors.keys import passphrase_from_env, write_keypair
    from connectors.runner import run_cli

    def body() -> int:
        from rich.console import Console

        pair = write_keypair(agency, Path(out), alg=alg, passphrase=passphrase_from_env(passphrase_env))
        console = Console(highlight=False)
        console.print(f"private key: {pair.private_pem} (mode 0600{', encrypted' if passphrase_env else ''})")
        console.print(f"public keys: {pair.jwks} (register this JWK set with the hub)")
        console.print(f"kid:         {pair.kid} ({pair.alg})")
        return 0

    raise typer.Exit(run_cli(body))


@app.command("pack")
def pack(
    file: str = typer.Argument(..., help="The export file."),
    mapping: str | None = typer.Option(None, "--mapping", "-m", help=_MAPPING_HELP),
    fmt: str | None = typer.Option(None, "--format", "-f", help="csv, jsonl, signalen, open311 or kto."),
    agency: str = typer.Option(..., "--agency", help="The organisation code: the batches' issuer (iss)."),
    key: str = typer.Option(..., "--key", help="The agency's private key (PEM)."),
    aud: str = typer.Option(..., "--aud", help="The receiving hub's id (aud), e.g. hartslag-hub."),
    batch_size: int = typer.Option(500, "--batch-size", min=1, max=1000, help="Signals per batch (at most 1000)."),
    passphrase_env: str | None = typer.Option(None, "--passphrase-env", help=_PASSPHRASE_HELP),
) -> None:
    """Sign an export's signals as batches and print them, one compact JWS per line. Sends nothing."""
    from pathlib import Path

    from connectors.runner import pack_file, run_cli

    raise typer.Exit(
        run_cli(
            lambda: pack_file(
                Path(file),
                Path(mapping) if mapping else None,
                agency=agency,
                key=Path(key),
                audience=aud,
                batch_size=batch_size,
                passphrase_env=passphrase_env,
                fmt=fmt,
            )
        )
    )


@app.command("push")
def push(
    file: str = typer.Argument(..., help="The export file."),
    mapping: str | None = typer.Option(None, "--mapping", "-m", help=_MAPPING_HELP),
    fmt: str | None = typer.Option(None, "--format", "-f", help="csv, jsonl, signalen, open311 or kto."),
    hub: str = typer.Option(..., "--hub", help="Where to deliver: http(s)://hub or kafka://host:port."),
    agency: str = typer.Option(..., "--agency", help="The organisation code: the batches' issuer (iss)."),
    key: str = typer.Option(..., "--key", help="The agency's private key (PEM)."),
    aud: str = typer.Option("hartslag-hub", "--aud", help="The receiving hub's id (aud)."),
    state: str = typer.Option(".hartslag-connector", "--state", help="The connector's state folder (the outbox)."),
    batch_size: int = typer.Option(500, "--batch-size", min=1, max=1000, help="Signals per batch (at most 1000)."),
    passphrase_env: str | None = typer.Option(None, "--passphrase-env", help=_PASSPHRASE_HELP),
    timeout: float = typer.Option(300.0, "--timeout", min=0, help="Stop retrying after this many seconds."),
) -> None:
    """Queue an export in the outbox and deliver everything waiting, signed, until each batch has a receipt.

    Exit code 0 when everything is delivered; 1 when something was set aside or skipped, or is still waiting
    (it stays in the outbox for the next push or run); 2 for bad input.
    """
    from pathlib import Path

    from connectors.runner import push_file, run_cli

    raise typer.Exit(
        run_cli(
            lambda: push_file(
                Path(file),
                Path(mapping) if mapping else None,
                hub=hub,
                agency=agency,
                key=Path(key),
                audience=aud,
                state=Path(state),
                batch_size=batch_size,
                passphrase_env=passphrase_env,
                fmt=fmt,
                timeout=timeout,
            )
        )
    )


@app.command("run")
def run(
    config: str = typer.Option(..., "--config", "-c", help="The connector.toml file."),
    once: bool = typer.Option(False, "--once", help="One pass: queue what is new, deliver it, stop."),
) -> None:
    """Follow a folder of exports: queue new and changed files and keep delivering them (Ctrl-C stops)."""
    from pathlib import Path

    from connectors.runner import RunConfig, run_cli, run_connector

    raise typer.Exit(run_cli(lambda: run_connector(RunConfig.load(Path(config)), once=once)))


@app.command("status")
def status(
    state: str = typer.Option(".hartslag-connector", "--state", help="The connector's state folder (the outbox)."),
    as_json: bool = typer.Option(False, "--json", help="Machine output only, on stdout."),
) -> None:
    """Show the outbox: signals queued, in flight, delivered and set aside, and why they were set aside."""
    from pathlib import Path

    from connectors.runner import run_cli, show_status

    raise typer.Exit(run_cli(lambda: show_status(Path(state), as_json=as_json)))


# --- withdrawal (POST /v1/withdrawals; the hub's side is hub/withdrawal.py) ----------------------------------------

WITHDRAWAL_TYP = "hartslag-withdrawal+jwt"


def sign_withdrawal(
    key: object, agency: str, audience: str, ids: list[str], *, reason: str | None = None, lifetime: int = 600
) -> bytes:
    """A compact JWS withdrawing ``ids``, signed like a batch (:mod:`connectors.envelope`) with ``key`` (a
    :class:`connectors.keys.SigningKey`): header ``alg``, ``kid``, ``typ`` hartslag-withdrawal+jwt."""
    import json
    import time
    import uuid

    from jwt import api_jws

    from connectors.envelope import MAX_LIFETIME
    from connectors.keys import SigningKey
    from governance.errors import InvalidInputError

    if not isinstance(key, SigningKey):
        raise InvalidInputError("a withdrawal is signed with the agency's signing key", code="key-invalid")
    if not 0 < lifetime <= MAX_LIFETIME:
        raise InvalidInputError(f"the lifetime must be 1..{MAX_LIFETIME} seconds", code="lifetime-invalid")
    iat = int(time.time())
    claims: dict[str, object] = {"iss": agency, "aud": audience, "iat": iat, "exp": iat + lifetime}
    claims |= {"jti": str(uuid.uuid4()), "signal_ids": ids}
    if reason is not None:
        claims["reason"] = reason
    payload = json.dumps(claims, separators=(",", ":")).encode("utf-8")
    headers = {"kid": key.kid, "typ": WITHDRAWAL_TYP}
    return api_jws.encode(payload, key.private_key, algorithm=key.alg, headers=headers).encode("ascii")


def _send_withdrawal(hub: str, agency: str, token: bytes, timeout: float) -> tuple[int, dict[str, object]]:
    """POST the withdrawal, or produce it on Kafka's withdrawal topic (``kafka://``) and wait for its answer on the
    receipt topic; (status, JSON body). Transport failures are retriable errors."""
    if hub.startswith("kafka://"):
        from connectors.kafka_bus import KafkaTransport

        transport = KafkaTransport(hub, receipt_timeout=timeout)
        try:
            return transport.withdraw(agency, token)
        finally:
            transport.close()
    import httpx

    from connectors.transport import TransportUnavailableError

    url = hub.rstrip("/") + "/v1/withdrawals"
    headers = {"Content-Type": "application/jose", "Accept": "application/json, application/problem+json"}
    try:
        response = httpx.post(url, content=token, headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        raise TransportUnavailableError(f"no answer from {url}: {type(exc).__name__}") from exc
    try:
        body = response.json()
    except ValueError:
        body = {}
    return response.status_code, body if isinstance(body, dict) else {}


@app.command("withdraw")
def withdraw(
    ids: list[str] = typer.Argument(..., help="The ids of the signals to withdraw (at most 1000)."),
    hub: str = typer.Option(..., "--hub", help="The hub: http(s)://hub or kafka://host:port (as for push)."),
    agency: str = typer.Option(..., "--agency", help="The organisation code that published the signals (iss)."),
    key: str = typer.Option(..., "--key", help="The agency's private key (PEM)."),
    aud: str = typer.Option("hartslag-hub", "--aud", help="The receiving hub's id (aud)."),
    reason: str | None = typer.Option(None, "--reason", help="A kebab-case reason code, e.g. sent-in-error."),
    passphrase_env: str | None = typer.Option(None, "--passphrase-env", help=_PASSPHRASE_HELP),
    timeout: float = typer.Option(30.0, "--timeout", min=1, help="Seconds to wait for the hub."),
    as_json: bool = typer.Option(False, "--json", help="Print the hub's receipt as JSON on stdout."),
) -> None:
    """Withdraw signals the agency published: the hub removes them everywhere and answers with a receipt.

    Exit code 0 when every id was withdrawn (now or before), 1 when the hub refused or some ids were unknown to it,
    2 for bad input.
    """
    import json
    import uuid
    from pathlib import Path

    from connectors.keys import load_signing_key, passphrase_from_env
    from connectors.runner import run_cli
    from governance.errors import InvalidInputError

    def body() -> int:
        from rich.console import Console

        if not hub.startswith(("http://", "https://", "kafka://")):
            raise InvalidInputError("--hub must be an http(s):// or kafka:// URL", code="hub-invalid")
        if not 1 <= len(ids) <= 1000:
            raise InvalidInputError("give 1..1000 signal ids", code="ids-invalid")
        for value in ids:
            try:
                uuid.UUID(value)
            except ValueError:
                raise InvalidInputError(f"{value[:40]!r} is not a signal id (UUID)", code="ids-invalid") from None
        unique = list(dict.fromkeys(value.lower() for value in ids))
        signing = load_signing_key(Path(key), passphrase_from_env(passphrase_env))
        token = sign_withdrawal(signing, agency, aud, unique, reason=reason)
        status, answer = _send_withdrawal(hub, agency, token, timeout)
        err = Console(stderr=True, highlight=False, soft_wrap=True)
        if status not in (200, 202):
            code, detail = answer.get("code", f"http-{status}"), answer.get("detail", "")
            err.print(f"error: the hub refused the withdrawal: {detail} [{code}]", markup=False)
            return 1
        if as_json:
            typer.echo(json.dumps(answer))
        unknown = answer.get("unknown")
        missing = unknown if isinstance(unknown, list) else []
        withdrawn = answer.get("withdrawn")
        before = answer.get("already_withdrawn")
        out = err if as_json else Console(highlight=False, soft_wrap=True)
        out.print(
            f"withdrawn: {len(withdrawn) if isinstance(withdrawn, list) else 0}, "
            f"already withdrawn: {len(before) if isinstance(before, list) else 0}, unknown: {len(missing)}",
            markup=False,
        )
        for value in missing[:20]:
            out.print(f"unknown to the hub: {value}", markup=False)
        return 1 if missing else 0

    raise typer.Exit(run_cli(body))


# --- schema versions (GET /v1/schemas; the hub's side is hub/routes/schemas.py) --------------------------------------


def _own_versions(catalog: dict[str, Any]) -> list[dict[str, Any]]:
    """How the hub treats the versions this connector writes (signal and batch, :data:`CURRENT_VERSION`)."""
    from governance.standard import CURRENT_VERSION

    subjects = {s.get("subject"): s for s in catalog.get("subjects", []) if isinstance(s, dict)}
    found = []
    for name in ("signal", "batch"):
        versions = subjects.get(name, {}).get("versions", [])
        entry = next((v for v in versions if isinstance(v, dict) and v.get("version") == CURRENT_VERSION), {})
        found.append(
            {
                "subject": name,
                "version": CURRENT_VERSION,
                "status": entry.get("status"),
                "accepted": bool(entry.get("accepted")),
                "sunset": entry.get("sunset"),
                "current": subjects.get(name, {}).get("current"),
            }
        )
    return found


def _warning(own: dict[str, Any]) -> str | None:
    name, version, sunset = own["subject"], own["version"], own["sunset"]
    if own["status"] == "ingetrokken":
        return f"the hub refuses {name} {version}: retired since {sunset}; upgrade to {own['current']}"
    if not own["accepted"]:
        return f"the hub does not accept {name} {version} (accepted: see the list); upgrade the connector"
    if own["status"] == "uitgefaseerd":
        return f"{name} {version} is deprecated: the hub refuses it from {sunset} on; upgrade to {own['current']}"
    return None


@app.command("schemas")
def schemas(
    hub: str = typer.Option(..., "--hub", help="The hub: http(s)://hub."),
    as_json: bool = typer.Option(False, "--json", help="Machine output only, on stdout."),
    timeout: float = typer.Option(10.0, "--timeout", min=0.1, help="Seconds to wait for the hub."),
) -> None:
    """List the schema versions the hub accepts, and check the versions this connector writes.

    Warns when the connector's version is deprecated (with its sunset date). Exit code 0 when the hub accepts the
    connector's versions, 1 when it does not (or does not answer), 2 for a hub address that cannot be used.
    """
    from connectors.http_transport import fetch_schemas
    from connectors.runner import run_cli
    from governance.errors import InvalidInputError

    def body() -> int:
        import json

        from rich.console import Console
        from rich.table import Table

        if not hub.startswith(("http://", "https://")):
            raise InvalidInputError("--hub must be an http:// or https:// address", code="hub-url-invalid")
        catalog = fetch_schemas(hub, timeout=timeout)
        own = _own_versions(catalog)
        warnings = [w for w in (_warning(o) for o in own) if w]
        if as_json:
            subjects = catalog.get("subjects", [])
            typer.echo(json.dumps({"hub": hub, "subjects": subjects, "own": own, "warnings": warnings}))
        else:
            table = Table(title=f"Schema versions of {hub}")
            for column in ("subject", "current", "accepted", "deprecated (sunset)", "retired"):
                table.add_column(column)
            for subject in catalog.get("subjects", []):
                versions = [v for v in subject.get("versions", []) if isinstance(v, dict)]
                deprecated = [f"{v['version']} ({v.get('sunset')})" for v in versions if v["status"] == "uitgefaseerd"]
                retired = [v["version"] for v in versions if v["status"] == "ingetrokken"]
                accepted = ", ".join(subject.get("accepted", []))
                row = (subject.get("current") or "-", accepted, ", ".join(deprecated), ", ".join(retired))
                table.add_row(str(subject.get("subject")), *row)
            Console(highlight=False).print(table)
        err = Console(stderr=True, highlight=False, soft_wrap=True)
        for warning in warnings:
            err.print(f"warning: {warning}", markup=False)
        return 0 if all(o["accepted"] for o in own) else 1

    raise typer.Exit(run_cli(body))
