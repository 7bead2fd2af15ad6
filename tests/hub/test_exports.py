# SPDX-License-Identifier: EUPL-1.2
"""Exports of the read side's table views: CSV with a header row and suppressed cells as text, JSON with the same
cells, a file name, and exactly the numbers the JSON view shows."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.exports import Table, export_response, table_of
from hub.insight_models import Count, ThemeRow
from matching.state import MatchingState
from tests.hub.support import Hub, open_hub
from tests.hub.test_insights import World, seed_world

#: Every table view and the file name its export gets.
VIEWS = (
    ("/v1/patterns?per_page=200", "patronen"),
    ("/v1/patterns/3", "patroon-3"),
    ("/v1/patterns/3/series?split=organisation", "patroon-3-organisation"),
    ("/v1/themes", "themas"),
    ("/v1/alerts", "meldingen"),
    ("/v1/policies", "beleid"),
    ("/v1/policies/Verbod%20op%20lachgas", "beleid-effecten"),
    ("/v1/overview", "overzicht"),
)


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple[Hub, World]]:
    with open_hub(tmp_path, agencies=("GM0363", "UWV")) as hub:
        state = MatchingState(hub.settings.data / "matching")
        try:
            world = seed_world(state)
        finally:
            state.close()
        assert hub.post(hub.token(30, "GM0363")).status_code == 202
        yield hub, world


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _join(path: str, query: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}{query}"


def test_every_table_view_exports_as_csv_and_json_with_a_file_name(seeded: tuple[Hub, World]) -> None:
    hub, _ = seeded
    analist = hub.bearer("analist")
    for path, name in VIEWS:
        as_csv = hub.client.get(_join(path, "format=csv"), headers=analist)
        assert as_csv.status_code == 200, (path, as_csv.text)
        assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
        assert as_csv.headers["content-disposition"] == f'attachment; filename="hartslag-{name}.csv"'
        header = as_csv.text.splitlines()[0]
        assert (header and "," in header) or header in ("day,signals",)
        by_accept = hub.client.get(path, headers={**analist, "Accept": "text/csv"})
        assert by_accept.text == as_csv.text
        as_json = hub.client.get(_join(path, "format=json"), headers=analist)
        assert as_json.headers["content-disposition"] == f'attachment; filename="hartslag-{name}.json"'
        body = as_json.json()
        assert body["columns"] == header.split(",") and len(body["rows"]) == len(_csv(as_csv.text))


def test_exported_counts_are_the_published_cells(seeded: tuple[Hub, World]) -> None:
    hub, _ = seeded
    analist = hub.bearer("analist")
    shown = hub.client.get("/v1/patterns/3/series?split=organisation", headers=analist).json()
    published = {(line["key"], p["week"]): p["count"] for line in shown["lines"] for p in line["points"]}
    rows = _csv(hub.client.get("/v1/patterns/3/series?split=organisation&format=csv", headers=analist).text)
    assert len(rows) == len(published)
    for row in rows:
        count = published[(row["line"], row["week"])]
        expected = str(count["value"]) if count["value"] is not None else count["display"]
        assert row["signals"] == expected
        if row["signals"] not in ("< 10", "×"):
            assert int(row["signals"]) == 0 or int(row["signals"]) >= 10
    assert any(row["signals"] in ("< 10", "×") for row in rows)  # the skewed data has small cells
    detail = _csv(hub.client.get("/v1/patterns/3?format=csv", headers=analist).text)
    assert {row["dimension"] for row in detail} == {"totaal", "organisation", "organisation_kind", "province"}


def test_the_pattern_list_export_keeps_the_pagination_headers(seeded: tuple[Hub, World]) -> None:
    hub, _ = seeded
    response = hub.client.get("/v1/patterns?per_page=2&format=csv", headers=hub.bearer("analist"))
    assert len(_csv(response.text)) == 2
    assert 'rel="next"' in response.headers["link"] and int(response.headers["x-total-count"]) > 2


def test_csv_is_utf8_with_text_cells_and_an_empty_view_still_has_its_header() -> None:
    table = Table(
        "proef",
        ("label", "signals", "themes"),
        [["Überlast, fietsen", Count(value=None, suppressed="klein", display="< 10"), ["afval", "verkeer"]]],
    )
    response = export_response(table, "csv")
    text = bytes(response.body).decode("utf-8")
    assert text.splitlines() == ["label,signals,themes", '"Überlast, fietsen",< 10,afval;verkeer']
    empty = export_response(table_of([], "themas", ThemeRow), "csv")
    assert bytes(empty.body).decode("utf-8").strip() == "theme,label,patterns,signals,rising"
    as_json = export_response(table, "json")
    assert b'"suppressed": "klein"' in bytes(as_json.body)
