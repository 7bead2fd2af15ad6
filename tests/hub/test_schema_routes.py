# SPDX-License-Identifier: EUPL-1.2
"""``/v1/schemas``: the published versions of the standard with their status, and the schema documents, without
credentials; they follow the registry as the working group changes it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from governance.registry_model import schema_sha256
from governance.standard import list_schemas, load_schema
from tests.governance.registry_support import Group, working_group
from tests.governance.versions_support import signal_v1_1
from tests.hub.support import Hub, assert_problem, open_hub


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    with open_hub(tmp_path) as opened:
        yield opened


@pytest.fixture
def group(hub: Hub) -> Group:
    return working_group(hub.services.schema_registry)


def get(hub: Hub, path: str, **headers: str) -> Any:
    return hub.client.get(path, headers=headers)  # never credentials: the standard is public


def subject(hub: Hub, name: str) -> dict[str, Any]:
    response = get(hub, f"/v1/schemas/{name}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_every_subject_of_the_files_is_listed_without_credentials(hub: Hub) -> None:
    response = get(hub, "/v1/schemas")
    assert response.status_code == 200
    listed = {s["subject"]: s for s in response.json()["subjects"]}
    expected = {f"codelist/{i.name}" if i.kind == "codelist" else i.name for i in list_schemas()}
    assert set(listed) == expected
    signal = listed["signal"]
    assert signal["current"] == "1.0.0" and signal["accepted"] == ["1.0.0"]
    (version,) = signal["versions"]
    assert version["status"] == "gepubliceerd" and version["accepted"] and version["sunset"] is None
    assert version["sha256"] == schema_sha256(load_schema("signal", "1.0.0"))
    assert version["href"] == "/v1/schemas/signal/1.0.0"
    # Reading the list opens no registry: a data folder without one stays without one.
    assert not (hub.settings.data / "registry.sqlite3").exists()


@pytest.mark.parametrize(
    ("name", "file", "version"), [("signal", "signal", "1.0.0"), ("codelist/themes", "themes", None)]
)
def test_a_document_is_served_as_schema_json_with_its_sha256_as_etag(
    hub: Hub, name: str, file: str, version: str | None
) -> None:
    number = version or subject(hub, name)["current"]
    response = get(hub, f"/v1/schemas/{name}/{number}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == "application/schema+json"
    assert json.loads(response.content) == load_schema(file, number)
    digest = hashlib.sha256(response.content).hexdigest()  # canonical JSON: the body's hash is the registry's
    assert digest == schema_sha256(load_schema(file, number))
    assert response.headers["etag"] == f'"{digest}"'
    again = get(hub, f"/v1/schemas/{name}/{number}", **{"If-None-Match": f'"other", "{digest}"'})
    assert again.status_code == 304 and not again.content


def test_a_subject_with_a_slash_is_one_subject(hub: Hub) -> None:
    themes = subject(hub, "codelist/themes")
    assert themes["subject"] == "codelist/themes" and themes["accepted"] == [themes["current"]]


@pytest.mark.parametrize(
    "path", ["/v1/schemas/nothing", "/v1/schemas/signal/9.9.9", "/v1/schemas/codelist/nothing/1.0.0", "/v1/schemas/a/b"]
)
def test_what_does_not_exist_is_a_problem(hub: Hub, path: str) -> None:
    assert_problem(get(hub, path), 404, "schema-version-not-found")


def test_the_routes_follow_the_registry(hub: Hub, group: Group) -> None:
    registry = hub.services.schema_registry
    stamps = [get(hub, "/v1/schemas").json()["stamp"]]
    registry.propose("signal", "1.1.0", signal_v1_1(), rationale="Spoed", actor="anna")
    # A proposal is the working group's business: not listed, not served.
    assert [v["version"] for v in subject(hub, "signal")["versions"]] == ["1.0.0"]
    assert_problem(get(hub, "/v1/schemas/signal/1.1.0"), 404, "schema-version-not-found")

    for name in ("anna", "bert"):
        group.vote(registry, name, "signal", "1.1.0")
    registry.publish("signal", "1.1.0", actor="voorzitter")
    stamps.append(get(hub, "/v1/schemas").json()["stamp"])
    listed = subject(hub, "signal")
    assert listed["accepted"] == ["1.0.0", "1.1.0"] and listed["current"] == "1.1.0"
    assert listed["versions"][1]["change"] == "minor"
    served = get(hub, "/v1/schemas/signal/1.1.0")
    assert served.status_code == 200 and json.loads(served.content) == signal_v1_1()

    sunset = date.today() + timedelta(days=60)
    registry.deprecate("signal", "1.0.0", sunset=sunset, actor="voorzitter")
    stamps.append(get(hub, "/v1/schemas").json()["stamp"])
    old = subject(hub, "signal")["versions"][0]
    assert (old["status"], old["accepted"], old["sunset"]) == ("uitgefaseerd", True, sunset.isoformat())
    assert old["deprecated_at"] is not None
    document = get(hub, "/v1/schemas/signal/1.0.0")
    assert document.status_code == 200 and "Sunset" in document.headers and "Deprecation" in document.headers

    registry.retire("signal", "1.0.0", actor="voorzitter", force=True, reason="vervroegd")
    listed = subject(hub, "signal")
    assert listed["accepted"] == ["1.1.0"]
    assert (listed["versions"][0]["status"], listed["versions"][0]["accepted"]) == ("ingetrokken", False)
    assert get(hub, "/v1/schemas/signal/1.0.0").status_code == 200  # still readable, for old data
    stamps.append(get(hub, "/v1/schemas").json()["stamp"])
    assert len(set(stamps)) == 4  # each change of what the hub accepts changes the stamp


def test_the_routes_are_in_the_openapi_document(hub: Hub) -> None:
    paths = get(hub, "/openapi.json").json()["paths"]
    assert {"/v1/schemas", "/v1/schemas/{subject}", "/v1/schemas/{subject}/{version}"} <= set(paths)
    document = paths["/v1/schemas/{subject}/{version}"]["get"]
    assert "application/schema+json" in document["responses"]["200"]["content"]
    assert "404" in document["responses"] and "security" not in document
    listing = paths["/v1/schemas"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert listing["$ref"].endswith("/SchemaCatalogPublic")
