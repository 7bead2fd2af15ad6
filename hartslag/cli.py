# SPDX-License-Identifier: EUPL-1.2
"""The ``hartslag`` command: the composition root that joins each package's sub-app.

Each sub-app imports its heavy modules inside its commands, so ``hartslag --help`` and the agency's commands start
fast and work without the ``hub`` and ``matching`` extras. This module is the one place allowed to import ``hub``.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from connectors.cli import app as connector_app
from governance.cli import governance_app, schema_app
from hub.cli import app as hub_app
from matching.cli import register as register_matching

if TYPE_CHECKING:
    from matching.records import SignalSource

__all__ = ["app", "main"]

app = typer.Typer(
    name="hartslag",
    help="Hartslag: share anonymised government signals and see the patterns no single organisation sees.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(schema_app, name="schema")
app.add_typer(connector_app, name="connector")
app.add_typer(hub_app, name="hub")


def _open_hub_source(data: Path) -> AbstractContextManager[SignalSource]:
    """The hub's signals for matching's commands (imported when used: the agency install has no numpy)."""
    from hub.matching_source import open_hub_source

    return open_hub_source(data)


register_matching(app, _open_hub_source)
app.add_typer(governance_app, name="governance")


@app.command("demo")
def demo(
    data: Path = typer.Option(
        Path(".demo"), "--data", envvar="HARTSLAG_DATA", help="The demo folder; emptied first (only a demo folder)."
    ),
    port: int = typer.Option(8000, "--port", envvar="HARTSLAG_PORT", min=1, max=65535, help="The hub's port."),
    scale: float = typer.Option(1.0, "--scale", help="Multiplies every rate (1.0: about 40,000 signals a year)."),
    seed: int = typer.Option(7, "--seed", help="The scenario's random seed (the same seed gives the same year)."),
    days: int = typer.Option(365, "--days", min=1, help="How many days of signals, from 1 January 2025."),
    headless: bool = typer.Option(False, "--headless", "--no-serve", help="Stop after the summary (for tests)."),
) -> None:
    """The demo: a year of signals from 14 organisations travels the real path to a hub that finds the patterns.

    Generates the data (nothing is downloaded), starts the hub with matching on http://127.0.0.1:PORT, lets each
    organisation's connector read, scrub, sign and deliver its own export over HTTP, waits until matching is done,
    prints what was found and keeps the hub running until Ctrl-C.
    """
    import signal as signals

    from rich.console import Console

    from hartslag.demo.run import DemoOptions, run_demo

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM stops the demo as Ctrl-C does: the hub is stopped in order

    previous = signals.signal(signals.SIGTERM, interrupt)
    try:
        options = DemoOptions(data=data, port=port, scale=scale, seed=seed, days=days, serve=not headless)
        code = run_demo(options, out=Console(highlight=False), err=Console(stderr=True, highlight=False))
    finally:
        signals.signal(signals.SIGTERM, previous)
    raise typer.Exit(code)


def main() -> None:
    """Entry point of the ``hartslag`` console script."""
    app()
