# SPDX-License-Identifier: EUPL-1.2
"""Every role against every route: walks ``app.routes``, reads the roles each route needs from its
:func:`hub.deps.require` dependencies (their ``roles``), and tries no credentials (401), each role without access
(403) and a role with access (neither). Routes added later are picked up without touching this test."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.convertors import FloatConvertor, IntegerConvertor, UUIDConvertor

from hub.problems import PROBLEM_BASE
from hub.roles import Role
from tests.hub.support import Hub, open_hub


@dataclass(frozen=True)
class Guarded:
    """One method of one route, and the roles of which a principal must hold one per guard."""

    method: str
    path: str
    guards: tuple[frozenset[Role], ...]

    def allows(self, role: Role) -> bool:
        return all(role in roles for roles in self.guards)


def _guards(dependant: Dependant) -> Iterator[frozenset[Role]]:
    for sub in dependant.dependencies:
        roles = getattr(sub.call, "roles", None)
        if isinstance(roles, frozenset) and all(isinstance(r, Role) for r in roles):
            yield roles
        yield from _guards(sub)


@dataclass(frozen=True)
class _Endpoint:
    """What the walk needs of a route: path template, parameter convertors, methods, dependencies."""

    path_format: str
    param_convertors: dict[str, Any]
    methods: frozenset[str]
    dependant: Dependant


def _endpoints(routes: Iterable[Any]) -> Iterator[_Endpoint]:
    """Every FastAPI route, also inside included routers. FastAPI >= 0.13x keeps an included router as one entry
    of ``app.routes`` whose ``effective_route_contexts()`` give its routes with the prefix and the router's
    dependencies applied; older versions list the prefixed ``APIRoute`` itself."""
    for route in routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if callable(contexts):
            for context in contexts():
                original = getattr(context, "original_route", None)
                dependant = getattr(context, "dependant", None) or getattr(original, "dependant", None)
                if isinstance(original, APIRoute) and isinstance(dependant, Dependant):
                    yield _Endpoint(
                        context.path_format, context.param_convertors, frozenset(context.methods), dependant
                    )
        elif isinstance(route, APIRoute):
            yield _Endpoint(route.path_format, route.param_convertors, frozenset(route.methods or ()), route.dependant)


def _concrete(route: _Endpoint) -> str:
    """The route's path with a plausible value for each parameter (so that routing reaches this route)."""
    path = route.path_format
    for name, convertor in route.param_convertors.items():
        if isinstance(convertor, UUIDConvertor):
            value = str(uuid.uuid4())
        elif isinstance(convertor, IntegerConvertor | FloatConvertor):
            value = "1"
        else:
            value = "matrix-x"
        path = path.replace("{" + name + "}", value)
    return path


def guarded_routes(app: FastAPI) -> list[Guarded]:
    """Every (method, route) with at least one role guard."""
    found = []
    for route in _endpoints(app.routes):
        guards = tuple(_guards(route.dependant))
        if guards:
            found += [Guarded(method, _concrete(route), guards) for method in sorted(route.methods)]
    return found


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    with open_hub(tmp_path) as opened:
        yield opened


def _refusal(response: object, status: int, code: str) -> str | None:
    """None when ``response`` is the problem+json refusal expected, else what is wrong."""
    from tests.hub.support import Response

    assert isinstance(response, Response)
    if response.status_code != status:
        return f"status {response.status_code}, expected {status}"
    if response.headers.get("content-type", "").split(";")[0] != "application/problem+json":
        return "not problem+json"
    body = response.json()
    if body.get("code") != code or body.get("type") != PROBLEM_BASE + code:
        return f"code {body.get('code')}, expected {code}"
    return None


def test_the_route_walk_finds_role_guards(hub: Hub) -> None:
    routes = guarded_routes(hub.app)
    assert routes, "no route needs a role: require() lost its roles attribute?"
    assert all(route.path.startswith("/v1/") for route in routes)


def test_every_role_against_every_route(hub: Hub) -> None:
    client = TestClient(hub.app, raise_server_exceptions=False)  # a crash is a 500 here, judged below
    bearers = {role: hub.bearer(role.value, name=f"matrix-{role.value}") for role in Role}
    failures: list[str] = []
    for route in guarded_routes(hub.app):
        where = f"{route.method} {route.path}"
        problem = _refusal(client.request(route.method, route.path), 401, "unauthorized")
        if problem:
            failures.append(f"{where} without credentials: {problem}")
        allowed = [role for role in Role if route.allows(role)]
        for role in Role:
            response = client.request(route.method, route.path, headers=bearers[role])
            if role in allowed:
                refused = response.status_code == 401 or (
                    response.status_code == 403 and response.json().get("code") == "forbidden"
                )
                if refused:
                    failures.append(f"{where} as {role.value} (allowed): refused with {response.status_code}")
            else:
                problem = _refusal(response, 403, "forbidden")
                if problem:
                    failures.append(f"{where} as {role.value} (not allowed): {problem}")
        if not allowed:
            failures.append(f"{where}: no single role passes all of its guards")
    assert not failures, "\n".join(failures)
