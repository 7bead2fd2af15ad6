# SPDX-License-Identifier: EUPL-1.2
"""``hartslag hub …``: run and operate the hub. FastAPI and the server are imported inside the commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["app"]

app = typer.Typer(help="Run and operate the Hartslag hub.", no_args_is_help=True)


def _fail(message: str, code: int = 2) -> typer.Exit:
    from rich.console import Console

    Console(stderr=True, highlight=False).print(f"[bold red]fout:[/] {message}", soft_wrap=True)
    return typer.Exit(code)


@app.command("serve")
def serve(
    data: Annotated[Path, typer.Option("--data", envvar="HARTSLAG_DATA", help="Data folder (SQLite and index).")],
    host: Annotated[str, typer.Option("--host", envvar="HARTSLAG_HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", envvar="HARTSLAG_PORT")] = 8000,
    hub_id: Annotated[str | None, typer.Option("--hub-id", envvar="HARTSLAG_HUB_ID")] = None,
    kafka: Annotated[str | None, typer.Option("--kafka", envvar="HARTSLAG_KAFKA", help="host:port")] = None,
) -> None:
    """Run the hub's HTTP service on the embedded default (SQLite under --data)."""
    from governance.errors import MissingExtraError
    from governance.extras import require_extra

    try:
        require_extra("hub", "fastapi", "uvicorn")
    except MissingExtraError as exc:
        raise _fail(exc.message) from None
    from hub.server import run

    run(data=data, host=host, port=port, hub_id=hub_id, kafka=kafka)
