# SPDX-License-Identifier: EUPL-1.2
"""The ``hartslag`` command: the composition root that joins each package's sub-app.

Each sub-app imports its heavy modules inside its commands, so ``hartslag --help`` and the agency's commands start
fast and work without the ``hub`` and ``matching`` extras. This module is the one place allowed to import ``hub``.
"""

from __future__ import annotations

import typer

from connectors.cli import app as connector_app
from governance.cli import governance_app, schema_app
from hub.cli import app as hub_app
from hub.matching_source import open_hub_source
from matching.cli import register as register_matching

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
register_matching(app, open_hub_source)
app.add_typer(governance_app, name="governance")


def main() -> None:
    """Entry point of the ``hartslag`` console script."""
    app()
