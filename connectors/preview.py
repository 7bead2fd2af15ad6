# SPDX-License-Identifier: EUPL-1.2
"""``hartslag connector preview``: what an export would send, next to what it holds, without sending anything.

For people: a table with the original text ("Origineel") beside the scrubbed signal ("Wat vertrekt": the text
and its key fields), then the counts and every skipped record (file, line, reason). With ``--json``: the signals
that would leave, one JSON object per line on stdout, and only the summary on stderr. The original text is shown on
the operator's own screen only; it is never written to the JSON output, a log or an error message.

Exit codes: 0 every record became a signal, 1 some records were skipped, 2 the file or mapping cannot be used.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from connectors.readers import ReadReport, ReadResult, iter_read
from connectors.records import Anonymiser
from governance.errors import HartslagError

__all__ = ["default_anonymiser", "key_fields", "run_preview"]


def default_anonymiser() -> Anonymiser:
    """The anonymiser the connector uses (``connectors.anonymiser.Anonymiser`` with its default settings)."""
    try:
        from connectors.anonymiser import Anonymiser as DefaultAnonymiser
    except ImportError:
        message = "the anonymiser (connectors.anonymiser) is not available"
        raise HartslagError(message, code="anonymiser-missing") from None
    anonymiser: Anonymiser = DefaultAnonymiser()
    return anonymiser


def key_fields(signal: dict[str, Any]) -> list[tuple[str, str]]:
    """The fields of a signal worth a glance in the preview, as (name, value) pairs."""
    fields = [
        ("kind", signal["kind"]),
        ("channel", signal["source"]["channel"]),
        ("observed_at", signal["observed_at"]),
    ]
    if "category" in signal:
        fields.append(("category", signal["category"]["code"]))
    if "themes" in signal:
        fields.append(("themes", ", ".join(signal["themes"])))
    if "sentiment" in signal:
        fields.append(("sentiment", signal["sentiment"]))
    if "location" in signal:
        fields.append(("location", " ".join(signal["location"].values())))
    placeholders = signal["privacy"].get("placeholders")
    if placeholders:
        fields.append(("scrubbed", ", ".join(f"{k}×{v}" for k, v in placeholders.items())))
    fields.append(("id", signal["id"]))
    return fields


def _table(results: Iterable[ReadResult]) -> Any:
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=True, expand=True)
    table.add_column("Regel", justify="right", no_wrap=True, style="dim")
    table.add_column("Origineel", ratio=1, overflow="fold")
    table.add_column("Wat vertrekt", ratio=1, overflow="fold")
    for result in results:
        leaving = Text(result.signal["text"])  # Text, not markup: placeholders such as [NAAM] stay literal
        for name, value in key_fields(result.signal):
            leaving.append(f"\n{name}: ", style="bold")
            leaving.append(str(value))
        table.add_row(str(result.line), Text(result.original), leaving)
    return table


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _summary(report: ReadReport, shown: int) -> list[str]:
    lines = [
        f"{_plural(report.records, 'record')} read, {_plural(report.signals, 'signal')} would leave, "
        f"{report.skipped} skipped"
        + (f" (first {shown} shown)" if shown < report.signals else "")
        + "; nothing was sent."
    ]
    lines += [f"  skipped {issue}" for issue in report.issues]
    return lines


def run_preview(
    file: str | Path,
    mapping: str | Path | None,
    *,
    fmt: str | None = None,
    limit: int = 20,
    as_json: bool = False,
    anonymiser: Anonymiser | None = None,
) -> int:
    """Read ``file`` as the pack step would, print what would leave, send nothing; returns the exit code.

    ``limit`` caps the signals shown (0: all); the whole file is read all the same, so the counts and the
    skipped records cover all of it.
    """
    from rich.console import Console

    err = Console(stderr=True, highlight=False)
    report = ReadReport()
    shown: list[ReadResult] = []
    try:
        scrubber = anonymiser if anonymiser is not None else default_anonymiser()
        for result in iter_read(file, mapping, scrubber, fmt, report=report):
            if limit == 0 or len(shown) < limit:
                shown.append(result)
    except HartslagError as exc:
        err.print(f"error: {exc.message} [{exc.code}]", markup=False)
        return 2
    except (OSError, UnicodeDecodeError) as exc:
        err.print(f"error: cannot read {Path(file).name}: {type(exc).__name__}", markup=False)
        return 2
    if as_json:
        for result in shown:
            sys.stdout.write(json.dumps(result.signal, ensure_ascii=False) + "\n")
        for line in _summary(report, len(shown)):
            err.print(line, markup=False)
    else:
        out = Console(highlight=False)
        if shown:
            out.print(_table(shown))
        for line in _summary(report, len(shown)):
            out.print(line, markup=False)
    return 1 if report.skipped else 0
