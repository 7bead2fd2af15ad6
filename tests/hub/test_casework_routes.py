# SPDX-License-Identifier: EUPL-1.2
"""``/v1/patterns/{id}/…`` casework routes on a real app: roles, the full flow, refusals as problem+json, audit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.hub.matching_fixtures import add_pattern, matching_state
from tests.hub.support import Hub, assert_problem, open_hub

BSN = "111222333"


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    with open_hub(tmp_path, agencies=()) as running:
        state = matching_state(running.settings.data)
        add_pattern(state, 17, organisations=("GM0363", "GM0599", "UWV"))
        state.close()
        yield running


def test_the_case_of_an_untouched_pattern_is_new(hub: Hub) -> None:
    response = hub.client.get("/v1/patterns/17/case", headers=hub.bearer("analist"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["pattern_id"] == 17 and body["status"] == "nieuw" and body["label"] == "nieuw"
    assert body["allowed_next"] == [
        {"status": "in_onderzoek", "label": "in onderzoek"},
        {"status": "genegeerd", "label": "genegeerd"},
    ]
    assert body["owner"] is None and body["notes"] == [] and body["actions"] == [] and body["history"] == []


def test_an_analyst_works_a_pattern_through(hub: Hub) -> None:
    auth = hub.bearer("analist", name="anna")
    steps = [("in_onderzoek", "Eerst de cijfers bekijken."), ("bevestigd", None), ("actie_ondernomen", None)]
    for status, note in steps:
        response = hub.client.post("/v1/patterns/17/status", json={"status": status, "note": note}, headers=auth)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == status
    response = hub.client.put("/v1/patterns/17/owner", json={"organisation": "GM0363"}, headers=auth)
    assert response.status_code == 200 and response.json()["owner"] == "GM0363"
    response = hub.client.post("/v1/patterns/17/notes", json={"text": "Overleg gepland."}, headers=auth)
    assert response.status_code == 201
    note = response.json()
    assert note["text"] == "Overleg gepland." and note["author"] == "anna"
    action = {"date": "2026-04-02", "description": "Brief over de afvalinzameling aangepast."}
    response = hub.client.post("/v1/patterns/17/actions", json=action, headers=auth)
    assert response.status_code == 201
    assert response.json()["date"] == "2026-04-02" and response.json()["author"] == "anna"

    case = hub.client.get("/v1/patterns/17/case", headers=hub.bearer("analist")).json()
    assert case["status"] == "actie_ondernomen" and case["label"] == "actie ondernomen"
    assert [s["status"] for s in case["allowed_next"]] == ["in_onderzoek", "afgesloten"]
    assert [n["text"] for n in case["notes"]] == ["Eerst de cijfers bekijken.", "Overleg gepland."]
    assert [a["description"] for a in case["actions"]] == [action["description"]]
    events = [(h["event"], h["actor"]) for h in case["history"]]
    assert events == [("status_changed", "anna")] * 3 + [
        ("owner_changed", "anna"),
        ("note_added", "anna"),
        ("action_added", "anna"),
    ]
    times = [datetime.fromisoformat(h["at"]) for h in case["history"]]
    assert times == sorted(times) and all(t.utcoffset() == timedelta(0) for t in times)

    audit = [e for e in hub.services.audit.entries() if e.subject == "pattern:17"]
    assert [(e.actor, e.action) for e in audit] == [("anna", "pattern.status-changed")] * 3 + [
        ("anna", "pattern.owner-changed"),
        ("anna", "pattern.note-added"),
        ("anna", "pattern.action-added"),
    ]
    assert [e.details.get("to") for e in audit[:3]] == ["in_onderzoek", "bevestigd", "actie_ondernomen"]


def test_a_refused_transition_is_409_and_lists_what_is_allowed(hub: Hub) -> None:
    auth = hub.bearer("analist")
    response = hub.client.post("/v1/patterns/17/status", json={"status": "afgesloten"}, headers=auth)
    body = assert_problem(response, 409, "transition-not-allowed")
    assert body["current"] == "nieuw"
    assert body["allowed"] == ["in_onderzoek", "genegeerd"]
    assert hub.client.get("/v1/patterns/17/case", headers=auth).json()["history"] == []


def test_an_unknown_status_is_refused(hub: Hub) -> None:
    response = hub.client.post("/v1/patterns/17/status", json={"status": "klaar"}, headers=hub.bearer("analist"))
    assert_problem(response, 422, "request-invalid")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/patterns/999/case", None),
        ("POST", "/v1/patterns/999/status", {"status": "in_onderzoek"}),
        ("PUT", "/v1/patterns/999/owner", {"organisation": "UWV"}),
        ("POST", "/v1/patterns/999/notes", {"text": "Notitie."}),
        ("POST", "/v1/patterns/999/actions", {"date": "2026-04-02", "description": "Actie."}),
    ],
)
def test_a_pattern_matching_does_not_know_is_404(hub: Hub, method: str, path: str, body: object) -> None:
    response = hub.client.request(method, path, json=body, headers=hub.bearer("analist"))
    assert_problem(response, 404, "not-found")


@pytest.mark.parametrize("pattern_id", [2**63, 2**70, 0, -1])
def test_an_id_no_pattern_can_have_is_a_bad_parameter(hub: Hub, pattern_id: int) -> None:
    # Pattern ids are positive SQLite integers (64-bit), as on the read routes.
    response = hub.client.get(f"/v1/patterns/{pattern_id}/case", headers=hub.bearer("analist"))
    assert_problem(response, 422, "request-invalid")


def test_before_matching_ran_every_pattern_is_unknown(tmp_path: Path) -> None:
    with open_hub(tmp_path, agencies=()) as hub:
        response = hub.client.get("/v1/patterns/1/case", headers=hub.bearer("analist"))
        assert_problem(response, 404, "not-found")
        assert not (hub.settings.data / "matching").exists()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/patterns/17/notes", {"text": f"De melder (BSN {BSN}) belde."}),
        ("/v1/patterns/17/actions", {"date": "2026-04-02", "description": f"Teruggebeld over BSN {BSN}."}),
        ("/v1/patterns/17/status", {"status": "in_onderzoek", "note": f"Melder BSN {BSN}."}),
    ],
)
def test_texts_with_personal_data_are_refused_and_not_stored(hub: Hub, path: str, body: dict[str, str]) -> None:
    auth = hub.bearer("analist")
    response = hub.client.post(path, json=body, headers=auth)
    problem = assert_problem(response, 422, "personal-data-in-text", secrets=[BSN])
    assert "BSN" in problem["detail"]
    case = hub.client.get("/v1/patterns/17/case", headers=auth).json()
    assert case["notes"] == [] and case["actions"] == [] and case["history"] == [] and case["status"] == "nieuw"
    stored = b"".join(p.read_bytes() for p in hub.settings.data.glob("casework.db*"))
    assert BSN.encode() not in stored


def test_an_unknown_owner_is_refused(hub: Hub) -> None:
    response = hub.client.put("/v1/patterns/17/owner", json={"organisation": "ACME"}, headers=hub.bearer("analist"))
    assert_problem(response, 422, "unknown-organisation")


def test_unknown_members_in_a_body_are_refused(hub: Hub) -> None:
    body = {"text": "Notitie.", "author": "iemand anders"}
    response = hub.client.post("/v1/patterns/17/notes", json=body, headers=hub.bearer("analist"))
    assert_problem(response, 422, "request-invalid")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/patterns/17/case", None),
        ("POST", "/v1/patterns/17/status", {"status": "in_onderzoek"}),
        ("PUT", "/v1/patterns/17/owner", {"organisation": "UWV"}),
        ("POST", "/v1/patterns/17/notes", {"text": "Notitie."}),
        ("POST", "/v1/patterns/17/actions", {"date": "2026-04-02", "description": "Actie."}),
    ],
)
def test_only_analysts_may_act(hub: Hub, method: str, path: str, body: object) -> None:
    assert_problem(hub.client.request(method, path, json=body), 401, "unauthorized")
    for role in ("beheerder", "werkgroep"):
        response = hub.client.request(method, path, json=body, headers=hub.bearer(role))
        assert_problem(response, 403, "forbidden")
    assert hub.client.get("/v1/patterns/17/case", headers=hub.bearer("analist")).json()["history"] == []
