# SPDX-License-Identifier: EUPL-1.2
"""``hartslag connector …``: the agency operator's commands.

Heavy modules are imported inside the commands so that ``hartslag --help`` starts fast.
Exit codes: 0 ok, 1 the check failed, 2 bad input.
"""

from __future__ import annotations

import typer

__all__ = ["app"]

app = typer.Typer(help="Read, scrub, sign and deliver an agency's signals.", no_args_is_help=True)
