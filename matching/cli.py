# SPDX-License-Identifier: EUPL-1.2
"""``hartslag matching|patterns|policy|search``: find and inspect patterns. The ML stack loads inside commands."""

from __future__ import annotations

import typer

__all__ = ["app", "patterns_app", "policy_app"]

app = typer.Typer(help="Embed, index and cluster signals; detect patterns.", no_args_is_help=True)
patterns_app = typer.Typer(help="List and inspect the patterns found.", no_args_is_help=True)
policy_app = typer.Typer(help="Declare national policies whose effect is measured.", no_args_is_help=True)
