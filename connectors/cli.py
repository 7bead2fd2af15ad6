# SPDX-License-Identifier: EUPL-1.2
"""``hartslag connector …``: the agency operator's commands.

Heavy modules are imported inside the commands so that ``hartslag --help`` starts fast.
Exit codes: 0 ok, 1 the check failed, 2 bad input.
"""

from __future__ import annotations

import typer

__all__ = ["app"]

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
