# SPDX-License-Identifier: EUPL-1.2
"""The read side's table views over HTTP: filter query parameters, pagination headers, and CSV/JSON exports.

Every table view (pattern list, pattern detail, series, themes, alerts, policies, overview, search hits) can be
downloaded with ``?format=csv`` or ``?format=json``, or ``Accept: text/csv``. An export holds exactly the cells the
JSON response holds: a suppressed count is written as its display text (``"< 10"``, ``"×"``), never as a number.
CSV is UTF-8 with a header row; both come with a ``Content-Disposition`` file name.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request, Response

from hub.insight_models import (
    AlertRow,
    Count,
    Filters,
    Overview,
    Page,
    PatternDetail,
    PatternSummary,
    PolicyDetail,
    PolicyRow,
    SearchHit,
    Series,
    ThemeRow,
)
from hub.insights import InvalidFilterError, check_filters
from hub.problems import ProblemError

__all__ = [
    "EXPORT_RESPONSES",
    "TABLE_JSON",
    "ExportFormat",
    "FiltersQuery",
    "Table",
    "export_format",
    "export_response",
    "page_headers",
    "table_of",
]

Cell = str | int | float | bool | date | None | Count | list[str]
ExportFormat = Annotated[
    Literal["csv", "json"] | None,
    Query(alias="format", description="Download this table as `csv` or `json` (also: `Accept: text/csv`)."),
]
#: The media type of a JSON export: a flat table, not the view's own JSON, so clients can tell them apart.
TABLE_JSON = "application/vnd.hartslag.table+json"
_TABLE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["columns", "rows"],
    "properties": {
        "columns": {"type": "array", "items": {"type": "string"}},
        "rows": {"type": "array", "items": {"type": "object"}},
    },
}
#: OpenAPI entry of a route whose table can be exported.
EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/csv": {"schema": {"type": "string"}}, TABLE_JSON: {"schema": _TABLE_SCHEMA}},
        "description": "The view, or its export (`format=csv`: CSV; `format=json`: a flat JSON table)",
    }
}


def _filters(
    period_from: Annotated[date | None, Query(description="First event-time day (inclusive), YYYY-MM-DD.")] = None,
    period_to: Annotated[date | None, Query(description="Last event-time day (inclusive), YYYY-MM-DD.")] = None,
    theme: Annotated[str | None, Query(description="Theme code (Dutch slug), e.g. `afval`.")] = None,
    organisation_kind: Annotated[str | None, Query(description="Organisation kind, e.g. `municipality`.")] = None,
    organisation: Annotated[str | None, Query(description="Organisation code, e.g. `GM0363` or `UWV`.")] = None,
    province: Annotated[str | None, Query(description="Province code (`PV27`, `BE-VAN`) or `onbekend`.")] = None,
    municipality: Annotated[str | None, Query(description="Municipality code: patterns with members there.")] = None,
    scope: Annotated[Literal["lokaal", "regionaal", "landelijk"] | None, Query(description="Reach.")] = None,
) -> Filters:
    filters = Filters(period_from, period_to, theme, organisation_kind, organisation, province, municipality, scope)
    try:
        return check_filters(filters)
    except InvalidFilterError as exc:
        raise ProblemError("invalid-filter", exc.message, parameter=exc.parameter) from None


FiltersQuery = Annotated[Filters, Depends(_filters)]


def page_headers(request: Request, response: Response, page: Page[Any]) -> None:
    """``X-Total-Count`` and an RFC 8288 ``Link`` header (first, prev, next, last) on a paginated response."""
    last = page.pages
    links = {"first": 1, "last": last}
    if page.page > 1:
        links["prev"] = min(page.page - 1, last)
    if page.page < last:
        links["next"] = page.page + 1
    url = request.url
    parts = [f'<{url.include_query_params(page=n, per_page=page.per_page)}>; rel="{rel}"' for rel, n in links.items()]
    response.headers["Link"] = ", ".join(parts)
    response.headers["X-Total-Count"] = str(page.total)


def export_format(request: Request, requested: str | None) -> str | None:
    """The export asked for: ``?format=`` first, else ``Accept: text/csv``; ``None`` for the JSON view itself."""
    if requested is not None:
        return requested
    accept = request.headers.get("accept", "")
    return "csv" if "text/csv" in accept and "application/json" not in accept else None


@dataclass(frozen=True)
class Table:
    """A flat table: a name (the download's file name), column names and rows of cells."""

    name: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Cell]]


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Count):
        return str(cell.value) if cell.value is not None else cell.display
    if isinstance(cell, list):
        return ";".join(cell)
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


def _json(cell: Cell) -> Any:
    if isinstance(cell, Count):
        return cell.model_dump()
    if isinstance(cell, date):
        return cell.isoformat()
    return cell


def export_response(table: Table, fmt: str) -> Response:
    """The download of ``table`` as ``csv`` or ``json``."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(table.columns)
        writer.writerows([_text(c) for c in row] for row in table.rows)
        body, media, suffix = buffer.getvalue().encode("utf-8"), "text/csv; charset=utf-8", "csv"
    else:
        rows = [{col: _json(c) for col, c in zip(table.columns, row, strict=True)} for row in table.rows]
        body = json.dumps({"columns": list(table.columns), "rows": rows}, ensure_ascii=False).encode("utf-8")
        media, suffix = TABLE_JSON, "json"
    headers = {"Content-Disposition": f'attachment; filename="hartslag-{table.name}.{suffix}"'}
    return Response(content=body, media_type=media, headers=headers)


def table_of(view: Any, name: str, row_type: type[Any] | None = None) -> Table:
    """The flat table of a read-model answer (see the module docstring for which); ``row_type`` names the row
    model of a list or page, so an empty one still gets its header row."""
    if isinstance(view, Page):
        return _rows(view.items, name, row_type)
    if isinstance(view, list):
        return _rows(view, name, row_type)
    if isinstance(view, PatternDetail):
        rows: list[list[Cell]] = [["totaal", "totaal", "Totaal", view.total]]
        for dimension, cells in (
            ("organisation", view.organisations),
            ("organisation_kind", view.organisation_kinds),
            ("province", view.provinces),
        ):
            rows.extend([dimension, c.key, c.label, c.count] for c in cells)
        return Table(name, ("dimension", "key", "label", "signals"), rows)
    if isinstance(view, Series):
        return Table(
            name,
            ("week", "line", "label", "signals"),
            [[p.week, line.key, line.label, p.count] for line in view.lines for p in line.points],
        )
    if isinstance(view, Overview):
        return Table(name, ("day", "signals"), [[d.day, d.count] for d in view.per_day])
    if isinstance(view, PolicyDetail):
        return Table(
            name,
            ("pattern_id", "pattern_label", "detected_on", "weeks_after", "level", "level_low", "level_high", "trend",
             "carries_refs", "before", "after"),
            [[e.pattern_id, e.pattern_label, e.detected_on, e.weeks_after, e.level, e.level_ci[0], e.level_ci[1],
              e.trend, e.carries_refs, e.before, e.after] for e in view.effects],
        )  # fmt: skip
    raise TypeError(f"no table for {type(view).__name__}")


_COLUMNS: dict[type[Any], tuple[str, ...]] = {
    PatternSummary: ("id", "label", "scope", "status", "themes", "organisation_kinds", "provinces", "organisations",
                     "first_seen", "last_seen", "signals", "alerts", "latest_alert"),
    AlertRow: ("kind", "pattern_id", "pattern_label", "detected_on", "score", "scope", "explanation"),
    ThemeRow: ("theme", "label", "patterns", "signals", "rising"),
    PolicyRow: ("name", "date", "refs", "effects", "evaluated_through"),
    SearchHit: ("pattern_id", "organisation", "week", "similarity", "text"),
}  # fmt: skip


def _rows(items: Sequence[Any], name: str, row_type: type[Any] | None) -> Table:
    kind = row_type or (type(items[0]) if items else None)
    if kind not in _COLUMNS:
        raise TypeError(f"no table for rows of {getattr(kind, '__name__', kind)}")
    columns = _COLUMNS[kind]
    return Table(name, columns, [[getattr(item, c) for c in columns] for item in items])
