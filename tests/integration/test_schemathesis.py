# SPDX-License-Identifier: EUPL-1.2
"""Property-based API testing with schemathesis against the hub's own OpenAPI document.

The app runs in-process (schemathesis' ASGI loader) on a temporary data folder, with an admin token, a registered
agency, a user holding every role, and patterns with alerts in matching's state, so the read API, casework and
webhook routes are exercised past their guards (search included: the state is built by the real engine with a
hashing embedder). Every operation gets generated requests, valid and invalid; the hub must never answer with a 5xx,
and every answer must be documented: its status code, its media type (``application/problem+json`` for problems)
and its body's schema.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from pydantic import SecretStr
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from hub.app import create_app
from hub.insights import Insights
from hub.settings import Settings
from matching.fake_embedder import FakeEmbedder
from matching.findings import Findings
from matching.pipeline import INDEX_FILENAME, MatchingConfig, StepConfig, build_engine
from tests.hub.matching_fixtures import make_alert
from tests.hub.support import ADMIN_TOKEN, HUB_ID, Hub
from tests.matching.streams import ListSource, make_stream

pytestmark = pytest.mark.integration

EXAMPLES = 50  # per operation and generation mode: several hundred requests in about ten seconds
_MATCHING = MatchingConfig(
    cache_embeddings=False, clusterer=StepConfig(name="agglomerative", options={"distance_threshold": 0.65})
)
_MATCHING_TOML = (
    'cache_embeddings = false\n[clusterer]\nname = "agglomerative"\noptions = { distance_threshold = 0.65 }\n'
)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """The hub app with data, admin token and one registered agency (GM0363), kept for the whole module."""
    root: Path = tmp_path_factory.mktemp("schemathesis")
    toml = root / "matching.toml"
    toml.write_text(_MATCHING_TOML, encoding="utf-8")
    config = Settings(
        data=root / "data", hub_id=HUB_ID, admin_token=SecretStr(ADMIN_TOKEN), matching_config=toml, webhooks=False
    )
    app = create_app(config)
    with TestClient(app) as client:
        hub = Hub(app, client, config, root / "keys")
        hub.register("GM0363")
        assert hub.post(hub.token(2)).status_code == 202  # a batch to read back
        # Matching's state as the real engine leaves it (hashing embedder, FAISS index), so search answers too.
        engine = build_engine(_MATCHING, config.data / "matching", embedder=FakeEmbedder(256))
        engine.run(ListSource(make_stream(5, 40)))
        engine.save_index(engine.state.folder / INDEX_FILENAME)
        pattern = max(engine.state.clusters(("active",)), key=lambda row: row.size).id
        Findings(engine.state).put_alerts([make_alert(pattern)])
        engine.state.close()
        hub.services._insights = Insights(hub.services, embedder=lambda: FakeEmbedder(256))
        yield hub
        hub.services.insights.close()


@schemathesis.serializer("application/jose")
def _jose(ctx: schemathesis.SerializationContext, value: object) -> bytes:
    """A compact JWS travels as its ASCII text; generated non-strings go as JSON text (and must be refused)."""
    return value.encode("utf-8") if isinstance(value, str) else json.dumps(value).encode("utf-8")


def _credentials(hub: Hub, path: str) -> dict[str, str]:
    """The bearer each route expects: the admin token for the admin API, an agency JWT for read-backs, and a user
    token holding every role for the read API, casework and webhooks."""
    if path.startswith("/v1/admin"):
        return {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    if path.startswith("/v1/batches/"):
        return {"Authorization": f"Bearer {hub.agency_jwt('GM0363')}"}
    if path.startswith("/v1/"):
        return hub.bearer("analist", "beheerder", "werkgroep", name="schemathesis")
    return {}


def _exercise(hub: Hub, operation: APIOperation, mode: GenerationMode) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Case) -> None:
        headers = {**dict(case.headers or {}), **_credentials(hub, operation.path)}
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def test_every_operation_answers_as_documented(running: Hub) -> None:
    # schemathesis' own pytest loader (`from_fixture`) does not run under pytest 9 (it sets a node id attribute that
    # pytest renamed), so the operations are driven through their hypothesis strategies here, one by one.
    schema = schemathesis.openapi.from_asgi("/openapi.json", running.app)
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # the hub's own document must load without errors
        operations.append(result.ok())
    assert len(operations) >= 30
    failures: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _exercise(running, operation, mode)
            except Unsatisfiable:
                continue  # nothing in this operation can be made invalid (e.g. no parameters and no body)
            except (Exception, BaseExceptionGroup) as exc:  # collected: one run names every broken operation
                failures.append(f"{operation.label} ({mode.value}): {type(exc).__name__}: {exc}"[:1500])
    assert not failures, "\n\n".join(failures)
