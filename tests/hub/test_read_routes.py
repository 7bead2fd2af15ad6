# SPDX-License-Identifier: EUPL-1.2
"""The ``/v1`` read routes: roles, pagination, filters as query parameters, problems, and search over a state the
real engine built (hashing embedder, FAISS index)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from governance.errors import MissingExtraError
from hub.insights import Insights
from matching.fake_embedder import FakeEmbedder
from matching.pipeline import INDEX_FILENAME, MatchingConfig, StepConfig, build_engine
from matching.state import MatchingState
from tests.hub.support import Hub, assert_problem, open_hub
from tests.hub.test_insights import World, seed_world
from tests.matching.streams import ListSource, make_stream

ROUTES = (
    "/v1/overview",
    "/v1/patterns",
    "/v1/patterns/2",
    "/v1/patterns/2/series?split=province",
    "/v1/themes",
    "/v1/search?q=container",
    "/v1/policies",
    "/v1/policies/Verbod%20op%20lachgas",
    "/v1/alerts",
)


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple[Hub, World]]:
    with open_hub(tmp_path, agencies=("GM0363", "UWV")) as hub:
        state = MatchingState(hub.settings.data / "matching")
        try:
            world = seed_world(state)
        finally:
            state.close()
        yield hub, world


def test_every_read_route_needs_the_analist_role(seeded: tuple[Hub, World]) -> None:
    hub, _ = seeded
    for route in ROUTES:
        assert_problem(hub.client.get(route), 401, "unauthorized")
        assert_problem(hub.client.get(route, headers=hub.bearer("beheerder")), 403, "forbidden")
        assert_problem(hub.client.get(route, headers=hub.bearer("werkgroep")), 403, "forbidden")
        assert_problem(hub.admin("GET", route), 403, "forbidden")  # the admin token is beheerder only
        response = hub.client.get(route, headers=hub.bearer("analist"))
        assert response.status_code in (200, 503), (route, response.text)  # search: the fake state has no index


def test_the_pattern_list_is_paginated_with_links_and_a_total(seeded: tuple[Hub, World]) -> None:
    hub, world = seeded
    analist = hub.bearer("analist")
    first = hub.client.get("/v1/patterns?per_page=5&sort=label", headers=analist)
    assert first.status_code == 200, first.text
    body = first.json()
    listed = sum(1 for members in world.members.values() if len(members) >= 10)
    assert body["total"] == listed == int(first.headers["X-Total-Count"]) and len(body["items"]) == 5
    assert 'rel="next"' in first.headers["Link"] and "page=2" in first.headers["Link"]
    labels = [row["label"] for row in body["items"]]
    assert labels == sorted(labels, key=str.casefold)
    seen = set()
    for page in range(1, 4):
        rows = hub.client.get(f"/v1/patterns?per_page=5&page={page}", headers=analist).json()["items"]
        seen |= {row["id"] for row in rows}
    assert len(seen) == listed
    for row in body["items"]:
        assert set(row["signals"]) == {"value", "suppressed", "display"}
    assert_problem(hub.client.get("/v1/patterns?per_page=201", headers=analist), 422, "request-invalid")


def test_bad_filters_are_422_naming_the_parameter(seeded: tuple[Hub, World]) -> None:
    hub, _ = seeded
    analist = hub.bearer("analist")
    for query, parameter in (
        ("province=PV99", "province"),
        ("theme=geen-thema", "theme"),
        ("organisation_kind=bakery", "organisation_kind"),
        ("municipality=GM9999", "municipality"),
        ("period_from=2025-07-01&period_to=2025-06-01", "period_from"),
    ):
        body = assert_problem(hub.client.get(f"/v1/patterns?{query}", headers=analist), 422, "invalid-filter")
        assert body["parameter"] == parameter
    body = assert_problem(hub.client.get("/v1/patterns?period_from=gisteren", headers=analist), 422, "request-invalid")
    assert "period_from" in body["detail"]
    assert_problem(hub.client.get("/v1/patterns?scope=heelal", headers=analist), 422, "request-invalid")
    assert_problem(hub.client.get("/v1/patterns/2/series?split=week", headers=analist), 422, "request-invalid")
    body = assert_problem(
        hub.client.get("/v1/patterns/2/series?split=province&organisation=GM0363", headers=analist),
        422,
        "invalid-filter",
    )
    assert "organisation" in body["detail"]


def test_detail_series_policies_and_missing_things(seeded: tuple[Hub, World]) -> None:
    hub, world = seeded
    analist = hub.bearer("analist")
    detail = hub.client.get("/v1/patterns/3", headers=analist).json()
    assert detail["summary"]["id"] == 3 and detail["organisations"]
    series = hub.client.get("/v1/patterns/3/series?split=organisation_kind", headers=analist).json()
    assert {line["key"] for line in series["lines"]} == {m[1] for m in world.members[3]}
    small = max(world.members)
    assert_problem(hub.client.get(f"/v1/patterns/{small}", headers=analist), 404, "not-found")
    assert_problem(hub.client.get("/v1/patterns/9999/series", headers=analist), 404, "not-found")
    assert_problem(hub.client.get("/v1/policies/onbekend", headers=analist), 404, "not-found")
    policy = hub.client.get("/v1/policies/Verbod op lachgas", headers=analist).json()
    assert policy["effects"][0]["pattern_id"] == 3
    overview = hub.client.get("/v1/overview", headers=analist).json()
    assert overview["threshold"] == 10 and overview["rising"]
    alerts = hub.client.get("/v1/alerts?theme=verkeer", headers=analist).json()
    assert all(row["pattern_id"] == 3 for row in alerts["items"])  # pattern 3 is the only alerted one about verkeer


def test_the_threshold_setting_is_honoured_and_never_below_ten(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from hub.settings import Settings

    with pytest.raises(ValidationError):
        Settings(data=tmp_path, disclosure_threshold=9)
    with open_hub(tmp_path, disclosure_threshold=25) as hub:
        state = MatchingState(hub.settings.data / "matching")
        try:
            world = seed_world(state)
        finally:
            state.close()
        rows = hub.client.get("/v1/patterns?per_page=200", headers=hub.bearer("analist")).json()["items"]
        assert {r["id"] for r in rows} == {p for p, members in world.members.items() if len(members) >= 25}
        detail = hub.client.get(f"/v1/patterns/{rows[0]['id']}", headers=hub.bearer("analist")).json()
        shown = [c["count"] for c in detail["organisations"]]
        assert all(c["value"] is None or c["value"] >= 25 for c in shown)
        assert all(c["display"] == "< 25" for c in shown if c["suppressed"] == "klein")


# --- search ---------------------------------------------------------------------------------------------------------

_CONFIG = MatchingConfig(
    cache_embeddings=False, clusterer=StepConfig(name="agglomerative", options={"distance_threshold": 0.65})
)
_TOML = 'cache_embeddings = false\n[clusterer]\nname = "agglomerative"\noptions = { distance_threshold = 0.65 }\n'


@pytest.fixture
def searchable(tmp_path: Path) -> Iterator[tuple[Hub, list[str]]]:
    config = tmp_path / "matching.toml"
    config.write_text(_TOML, encoding="utf-8")
    with open_hub(tmp_path, agencies=("GM0363",), matching_config=config) as hub:
        records = make_stream(5, 40)
        engine = build_engine(_CONFIG, hub.settings.data / "matching", embedder=FakeEmbedder(256))
        engine.run(ListSource(records))
        engine.save_index(engine.state.folder / INDEX_FILENAME)
        engine.state.close()
        hub.services._insights = Insights(hub.services, embedder=lambda: FakeEmbedder(256))
        yield hub, [r.text for r in records]
        hub.services.insights.close()


def test_search_by_text_and_by_signal_shows_texts_only_where_the_rule_allows(searchable: tuple[Hub, list[str]]) -> None:
    hub, texts = searchable
    analist = hub.bearer("analist")
    response = hub.client.get(
        "/v1/search", params={"q": "container vuilnis restafval geleegd", "k": 10}, headers=analist
    )
    assert response.status_code == 200, response.text
    hits = response.json()
    assert len(hits) == 10 and hits == sorted(hits, key=lambda h: -h["similarity"])
    listed = {row["id"]: row for row in hub.client.get("/v1/patterns?per_page=200", headers=analist).json()["items"]}
    for hit in hits:
        assert hit["pattern_id"] is None or hit["pattern_id"] in listed
        assert hit["week"].startswith("2026-W")
        if hit["text"] is not None:
            assert hit["text"] in texts and listed[hit["pattern_id"]]["organisations"] >= 2
    assert any(h["text"] and "container" in h["text"].lower() for h in hits)
    state = MatchingState(hub.settings.data / "matching")
    try:
        with state.connection() as db:
            signal_id = db.execute("SELECT id FROM signals ORDER BY seq DESC LIMIT 1").fetchone()[0]
    finally:
        state.close()
    similar = hub.client.get("/v1/search", params={"signal": signal_id, "k": 5}, headers=analist)
    assert similar.status_code == 200 and len(similar.json()) == 5
    assert_problem(hub.client.get("/v1/search?signal=onbekend", headers=analist), 404, "not-found")
    assert_problem(hub.client.get("/v1/search", headers=analist), 422, "invalid-filter")
    assert_problem(hub.client.get(f"/v1/search?q=x&signal={signal_id}", headers=analist), 422, "invalid-filter")


def test_search_before_matching_ran_is_409_and_without_the_extra_503(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_hub(tmp_path / "leeg") as hub:
        assert_problem(hub.client.get("/v1/search?q=container", headers=hub.bearer("analist")), 409, "matching-not-run")
    with open_hub(tmp_path / "vol") as hub:
        MatchingState(hub.settings.data / "matching").close()

        def missing(extra: str, *modules: str) -> None:
            raise MissingExtraError(extra, "faiss")

        monkeypatch.setattr("governance.extras.require_extra", missing)
        body = assert_problem(
            hub.client.get("/v1/search?q=container", headers=hub.bearer("analist")), 503, "search-unavailable"
        )
        assert "container" not in body["detail"]


def test_the_openapi_document_lists_the_read_routes_with_their_models(seeded: tuple[Hub, World]) -> None:
    hub, _ = seeded
    spec = hub.client.get("/openapi.json").json()
    for path in ("/v1/overview", "/v1/patterns", "/v1/patterns/{pattern_id}", "/v1/patterns/{pattern_id}/series",
                 "/v1/themes", "/v1/search", "/v1/policies", "/v1/policies/{name}", "/v1/alerts"):  # fmt: skip
        operation = spec["paths"][path]["get"]
        assert {"200", "401", "403", "422"} <= set(operation["responses"]), path
        assert "text/csv" in operation["responses"]["200"]["content"], path
    names = {p["name"] for p in spec["paths"]["/v1/patterns"]["get"]["parameters"]}
    assert {"period_from", "period_to", "theme", "organisation_kind", "organisation", "province", "municipality",
            "scope", "page", "per_page", "sort", "format"} <= names  # fmt: skip
