# SPDX-License-Identifier: EUPL-1.2
"""``hartslag matching|patterns|policy|search``: find and inspect patterns. The ML stack loads inside commands.

Matching may not import the hub, so where signals come from is injected: the composition root calls
:func:`register` with a function that opens the hub's :class:`~matching.records.SignalSource` over a data folder.
The matching state lives in ``DIR/matching`` next to the hub's own database.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from governance.cli import fail
from governance.errors import HartslagError

if TYPE_CHECKING:
    from matching.engine import MatchingEngine
    from matching.findings import Findings
    from matching.pipeline import MatchingConfig
    from matching.records import SignalSource
    from matching.state import MatchingState

__all__ = ["MATCHING_FOLDER", "SourceOpener", "app", "patterns_app", "policy_app", "register"]

MATCHING_FOLDER = "matching"
SourceOpener = Callable[[Path], AbstractContextManager["SignalSource"]]

app = typer.Typer(help="Embed, index and cluster signals; detect patterns.", no_args_is_help=True)
patterns_app = typer.Typer(help="List and inspect the patterns found.", no_args_is_help=True)
policy_app = typer.Typer(help="Declare national policies whose effect is measured.", no_args_is_help=True)
_out = Console(highlight=False)
_sources: list[SourceOpener] = []

DataOption = Annotated[Path, typer.Option("--data", envvar="HARTSLAG_DATA", help="The hub's data folder.")]
ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="Matching settings (TOML); the same file for every run.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine output on standard output.")]


def register(root: typer.Typer, open_source: SourceOpener) -> None:
    """Add ``matching``, ``patterns``, ``policy`` and ``search`` to ``root``, reading signals via ``open_source``."""
    _sources[:] = [open_source]
    root.add_typer(app, name="matching")
    root.add_typer(patterns_app, name="patterns")
    root.add_typer(policy_app, name="policy")
    root.command("search")(search)


# --- opening ---------------------------------------------------------------------------------------------------


def _config(path: Path | None) -> MatchingConfig:
    from matching.pipeline import load_config

    config: MatchingConfig = _guard(lambda: load_config(path))
    return config


def _require_data(data: Path) -> Path:
    if not data.is_dir():
        raise fail(f"{data}: no such data folder")
    return data / MATCHING_FOLDER


@contextmanager
def _state(data: Path) -> Iterator[tuple[MatchingState, Findings]]:
    from matching.findings import Findings
    from matching.state import STATE_FILENAME, MatchingState

    folder = _require_data(data)
    if not (folder / STATE_FILENAME).is_file():
        raise fail(f"{data}: matching has not run here yet; run `hartslag matching run --data {data}` first")
    state = MatchingState(folder)
    try:
        yield state, Findings(state)
    finally:
        state.close()


def _engine(data: Path, config: Path | None) -> MatchingEngine:
    from governance.extras import require_extra
    from matching.pipeline import build_engine

    require_extra("matching", "numpy", "faiss")
    return build_engine(_config(config), _require_data(data))


def _guard(action: Callable[[], Any]) -> Any:
    """Run ``action``; a project error becomes a one-line message and exit 2 (1 for a missing pattern)."""
    from governance.errors import NotFoundError

    try:
        return action()
    except NotFoundError as exc:
        raise fail(exc.message, 1) from None
    except HartslagError as exc:
        raise fail(exc.message) from None


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


# --- matching run ----------------------------------------------------------------------------------------------


@app.command("run")
def run(
    data: DataOption,
    config: ConfigOption = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, max=100_000)] = 2000,
    as_json: JsonOption = False,
) -> None:
    """Process every pending signal: embed, assign, re-cluster and detect on the signals' own time."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from matching.pipeline import INDEX_FILENAME
    from matching.schedule import RunReport

    if not _sources:
        raise fail("no signal source is configured for matching")
    engine = _guard(lambda: _engine(data, config))
    total = RunReport(watermark=engine.state.watermark)
    with _sources[0](data) as source:
        pending = _pending(source, engine.state.watermark)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=Console(stderr=True), disable=as_json) as progress:
            task = progress.add_task("signalen verwerken", total=pending)
            while True:
                step = _guard(lambda: engine.run(source, batch_size=batch_size, max_records=batch_size))
                total.add(step)
                progress.advance(task, step.processed)
                if step.processed == 0:
                    break
    engine.save_index(engine.state.folder / INDEX_FILENAME)
    summary = {
        "processed": total.processed,
        "assigned_online": total.assigned_online,
        "reclusterings": len(total.reclusterings),
        "clusters_created": total.created,
        "clusters_merged": total.merged,
        "alerts": total.alerts,
        "watermark": engine.state.watermark,
    }
    engine.state.close()
    if as_json:
        _print_json(summary)
    else:
        _out.print(
            f"{total.processed} signalen verwerkt, {total.created} nieuwe patronen, "
            f"{len(total.reclusterings)} herclusteringen, {total.alerts} meldingen (alerts)."
        )


def _pending(source: SignalSource, watermark: int) -> int | None:
    counter = getattr(source, "count_after", None)
    return int(counter(watermark)) if callable(counter) else None


# --- patterns --------------------------------------------------------------------------------------------------


@patterns_app.command("list")
def patterns_list(
    data: DataOption,
    as_json: JsonOption = False,
    min_size: Annotated[int, typer.Option("--min-size", min=1, help="Leave out smaller patterns.")] = 1,
) -> None:
    """The patterns found: those with alerts first, then the largest."""
    from matching.patterns import list_patterns

    with _state(data) as (state, findings):
        found = list_patterns(state, findings, min_size=min_size)
    if as_json:
        _print_json([p.as_json() for p in found])
        return
    table = Table("id", "patroon", "reikwijdte", "organisaties", "signalen", "laatst", "alerts")
    for p in found:
        table.add_row(
            str(p.id), escape(p.label), p.scope, str(len(p.organisations)), str(p.size), p.last_seen[:10],
            ", ".join(sorted({a["kind"] for a in p.alerts})),
        )  # fmt: skip
    _out.print(table)


@patterns_app.command("show")
def patterns_show(
    pattern_id: Annotated[int, typer.Argument(metavar="ID")], data: DataOption, as_json: JsonOption = False
) -> None:
    """One pattern: keywords, reach, themes and its alerts with their explanations."""
    from matching.patterns import get_pattern

    with _state(data) as (state, findings):
        pattern = _guard(lambda: get_pattern(state, findings, pattern_id))
    if as_json:
        _print_json(pattern.as_json())
        return
    _out.print(f"[bold]Patroon {pattern.id}[/]: {escape(pattern.label)} ({pattern.status}, {pattern.scope})")
    _out.print(f"Trefwoorden: {escape(', '.join(pattern.keywords))}")
    _out.print(f"Signalen: {pattern.size}, van {pattern.first_seen[:10]} tot {pattern.last_seen[:10]}")
    _out.print(f"Organisaties: {', '.join(pattern.organisations)} ({', '.join(pattern.organisation_kinds)})")
    if pattern.municipalities:
        _out.print(f"Gemeenten: {', '.join(pattern.municipalities)}")
    if pattern.themes:
        _out.print(f"Thema's: {', '.join(pattern.themes)}")
    for alert in pattern.alerts:
        heading = f"- {alert['detected_at']} [bold]{alert['kind']}[/] ({alert['score']})"
        _out.print(f"{heading}: {escape(alert['explanation'])}")


@patterns_app.command("members")
def patterns_members(
    pattern_id: Annotated[int, typer.Argument(metavar="ID")], data: DataOption, as_json: JsonOption = False
) -> None:
    """The ids of a pattern's signals (no text)."""
    from matching.patterns import member_ids

    with _state(data) as (state, _):
        ids = _guard(lambda: member_ids(state, pattern_id))
    if as_json:
        _print_json(ids)
    else:
        sys.stdout.write("".join(f"{i}\n" for i in ids))


# --- search ----------------------------------------------------------------------------------------------------


def search(
    text: Annotated[str, typer.Argument(help="Free text: find signals like this one.")],
    data: DataOption,
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="How many signals.")] = 10,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Signalen zoals deze: the signals nearest in meaning to a text."""
    from matching.patterns import describe_signals

    if not text.strip():
        raise fail("give a text to search for")
    _require_data(data)
    engine = _guard(lambda: _engine(data, config))
    try:
        hits = _guard(lambda: engine.search(text, k))
        rows = describe_signals(engine.state, hits)
    finally:
        engine.state.close()
    missing = [row["seq"] for row in rows if row["text"] is None]
    if missing and _sources:
        from matching.records import TextSource

        with _sources[0](data) as source:
            texts = source.texts(missing) if isinstance(source, TextSource) else {}
        for row in rows:
            row["text"] = row["text"] if row["text"] is not None else texts.get(row["seq"])
    if as_json:
        _print_json(rows)
        return
    table = Table("gelijkenis", "patroon", "organisatie", "datum", "tekst")
    for row in rows:
        table.add_row(
            f"{row['similarity']:.2f}", str(row["pattern"] or "-"), row["organisation"], row["observed_at"][:10],
            escape((row["text"] or "(tekst niet meer bewaard)")[:120]),
        )  # fmt: skip
    _out.print(table)


# --- policies --------------------------------------------------------------------------------------------------


@policy_app.command("add")
def policy_add(
    name: Annotated[str, typer.Argument(help="The policy's name, e.g. 'Verbod op lachgas'.")],
    data: DataOption,
    on: Annotated[str, typer.Option("--date", help="The day it took effect, YYYY-MM-DD.")],
    ref: Annotated[list[str] | None, typer.Option("--ref", help="scheme:id, e.g. bwb:BWBR0001941; repeatable.")] = None,
) -> None:
    """Declare a national policy; its effect is measured at 4, 8, 13 and 26 weeks."""
    from matching.findings import Findings
    from matching.policies import Policy
    from matching.state import MatchingState

    try:
        effective = date.fromisoformat(on)
    except ValueError:
        raise fail(f"--date {on!r}: expected YYYY-MM-DD") from None
    policy = _guard(lambda: Policy(name.strip(), effective, tuple(ref or ())))
    state = MatchingState(_require_data(data))
    try:
        _guard(lambda: Findings(state).add_policy(policy))
    finally:
        state.close()
    _out.print(f"Beleid '{escape(policy.name)}' vastgelegd per {effective.isoformat()}.")


@policy_app.command("list")
def policy_list(data: DataOption, as_json: JsonOption = False) -> None:
    """The declared policies."""
    with _state(data) as (_, findings):
        policies = findings.policies()
    rows = [{"name": p.name, "date": p.date.isoformat(), "refs": list(p.refs)} for p in policies]
    if as_json:
        _print_json(rows)
        return
    for row in rows:
        _out.print(f"{row['date']}  {escape(str(row['name']))}  {' '.join(row['refs'])}")
