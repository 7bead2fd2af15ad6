# SPDX-License-Identifier: EUPL-1.2
"""OpenID Connect against a real provider on loopback (the ``oidc-provider-mock`` package, a Flask app on Authlib).

The provider is configured to issue RFC 9068 JWT access tokens signed with its own key (published in its JWKS),
with ``aud`` and lifetime chosen per client, so the tests can hold a valid token, one for another audience and an
expired one. A small WSGI layer in front of it enforces PKCE S256 (the mock does not) and records what the hub sent.
The dashboard login runs the authorization-code flow with PKCE, state and nonce end to end.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import flask
import httpx
import jwt
import oidc_provider_mock
import pytest
import werkzeug.serving

from hub.sessions import LOGIN_COOKIE, SESSION_COOKIE
from tests.hub.auth_support import PROBE, install_probe
from tests.hub.support import Hub, assert_problem, open_hub

AUDIENCE = "hartslag-api"
CLIENT_ID = "hartslag-dashboard"
CLIENT_SECRET = "dashboard-secret-for-tests"
#: Clients whose access tokens are for another API, or issued already expired.
AUDIENCE_OF = {"andere-app": "andere-api"}
LIFETIME_OF = {"verlopen-client": -600}

USERS: dict[str, dict[str, Any]] = {
    "alice": {"preferred_username": "a.jansen", "roles": ["analist", "onbekende-rol"], "organisation": "GM0363"},
    "bob": {"preferred_username": "b.beheer", "roles": "beheerder werkgroep"},
    "carol": {"preferred_username": "c.lezer", "roles": ["lezer"]},
}


def _access_token(client: Any, grant_type: str, user: Any, scope: str) -> str:
    """An RFC 9068 access token signed with the provider's own (published) key."""
    jwk = flask.g.oidc_provider_mock_storage.jwk.as_dict(is_private=True)
    now = int(time.time())
    client_id = client.get_client_id()
    claims = {
        "iss": flask.request.host_url.rstrip("/"),
        "aud": AUDIENCE_OF.get(client_id, AUDIENCE),
        "sub": user.sub,
        "client_id": client_id,
        "scope": scope,
        "iat": now,
        "exp": now + LIFETIME_OF.get(client_id, 600),
        "jti": secrets.token_hex(8),
        **{k: v for k, v in user.claims.items() if k in {"roles", "preferred_username", "organisation"}},
    }
    return jwt.encode(claims, jwt.PyJWK(jwk).key, "RS256", headers={"kid": jwk["kid"], "typ": "at+jwt"})


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@dataclass
class Provider:
    """A running provider: its issuer URL and what clients sent to it."""

    url: str
    challenges: dict[str, str] = field(default_factory=dict)  # authorization code -> S256 challenge
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[tuple[dict[str, str], str | None]] = field(default_factory=list)  # (form, Authorization)

    def access_token(self, sub: str, client_id: str = "script") -> str:
        """An access token for ``sub`` through the code flow (with PKCE), as an API client would get one."""
        verifier = secrets.token_urlsafe(48)
        redirect = "http://127.0.0.1/cb"
        params = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect,
            "scope": "openid",
            "state": "s",
            "code_challenge": _s256(verifier),
            "code_challenge_method": "S256",
        }
        answer = httpx.post(f"{self.url}/oauth2/authorize", params=params, data={"sub": sub})
        code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect, "code_verifier": verifier}
        tokens = httpx.post(f"{self.url}/oauth2/token", data=form, auth=(client_id, "any")).json()
        token: str = tokens["access_token"]
        return token


def _pkce_enforcing(app: Callable[..., Iterable[bytes]], provider: Provider) -> Callable[..., Iterable[bytes]]:
    """WSGI layer: remember each code's S256 challenge; refuse a token request whose verifier does not match."""

    def layer(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        size = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(size) if size else b""
        environ["wsgi.input"] = io.BytesIO(body)
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if path == "/oauth2/token":
            provider.token_requests.append((form, environ.get("HTTP_AUTHORIZATION")))
            challenge = provider.challenges.pop(form.get("code", ""), None)
            if challenge is None or _s256(form.get("code_verifier", "")) != challenge:
                start_response("400 Bad Request", [("Content-Type", "application/json")])
                return [b'{"error": "invalid_grant"}']
        if path == "/oauth2/authorize" and environ["REQUEST_METHOD"] == "POST":
            provider.authorize_requests.append(query)

            def remember(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
                for name, value in headers:
                    if name.lower() == "location" and query.get("code_challenge_method") == "S256":
                        code = parse_qs(urlsplit(value).query).get("code")
                        if code:
                            provider.challenges[code[0]] = query.get("code_challenge", "")
                return start_response(status, headers, *rest)

            return app(environ, remember)
        return app(environ, start_response)

    return layer


@contextmanager
def run_provider() -> Iterator[Provider]:
    """The mock provider on 127.0.0.1 (a free port) in a thread, with :data:`USERS`."""
    app = flask.Flask("hartslag-test-provider")
    app.config["OAUTH2_ACCESS_TOKEN_GENERATOR"] = _access_token
    oidc_provider_mock.init_app(
        app, user_claims=[oidc_provider_mock.User(sub=sub, claims=c) for sub, c in USERS.items()]
    )
    app.secret_key = secrets.token_bytes(16)
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    provider = Provider(f"http://127.0.0.1:{server.server_port}")
    app.wsgi_app = _pkce_enforcing(app.wsgi_app, provider)  # type: ignore[method-assign]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with run_provider() as running:
        yield running


@pytest.fixture(scope="module")
def other_provider() -> Iterator[Provider]:
    with run_provider() as running:
        yield running


@pytest.fixture
def hub(tmp_path: Path, provider: Provider) -> Iterator[Hub]:
    settings = {
        "oidc_issuer": provider.url,
        "oidc_audience": AUDIENCE,
        "oidc_client_id": CLIENT_ID,
        "oidc_client_secret": CLIENT_SECRET,
    }
    with open_hub(tmp_path, **settings) as opened:
        install_probe(opened.app)
        yield opened


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# bearer tokens ---------------------------------------------------------------------------------------------------
def test_an_access_token_of_the_issuer_is_accepted_with_its_known_roles(hub: Hub, provider: Provider) -> None:
    answer = hub.client.get(PROBE, headers=bearer(provider.access_token("alice")))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"name": "a.jansen", "via": "oidc", "roles": ["analist"], "org": "GM0363"}


def test_a_space_separated_role_claim_is_read_too(hub: Hub, provider: Provider) -> None:
    # bob is beheerder and werkgroep: authenticated, but the probe needs analist
    assert_problem(hub.client.get(PROBE, headers=bearer(provider.access_token("bob"))), 403, "forbidden")


def test_a_token_for_another_audience_is_refused(hub: Hub, provider: Provider) -> None:
    token = provider.access_token("alice", client_id="andere-app")
    assert jwt.decode(token, options={"verify_signature": False})["aud"] == "andere-api"
    assert_problem(hub.client.get(PROBE, headers=bearer(token)), 401, "unauthorized", secrets=[token])


def test_an_expired_token_is_refused(hub: Hub, provider: Provider) -> None:
    token = provider.access_token("alice", client_id="verlopen-client")
    body = assert_problem(hub.client.get(PROBE, headers=bearer(token)), 401, "unauthorized", secrets=[token])
    assert "expired" in body["detail"]


def test_a_token_of_another_issuer_is_refused(hub: Hub, other_provider: Provider) -> None:
    token = other_provider.access_token("alice")
    assert jwt.decode(token, options={"verify_signature": False})["aud"] == AUDIENCE  # right audience, wrong issuer
    assert_problem(hub.client.get(PROBE, headers=bearer(token)), 401, "unauthorized", secrets=[token])


def test_a_token_without_a_hartslag_role_is_forbidden(hub: Hub, provider: Provider) -> None:
    body = assert_problem(hub.client.get(PROBE, headers=bearer(provider.access_token("carol"))), 403, "forbidden")
    assert "no Hartslag role" in body["detail"]


def test_tampered_and_symmetric_tokens_are_refused(hub: Hub, provider: Provider) -> None:
    token = provider.access_token("alice")
    head, _, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False}) | {"roles": ["beheerder"]}
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    kid = jwt.get_unverified_header(token)["kid"]
    for forged in (
        f"{head}.{forged_payload}.{signature}",
        jwt.encode(claims, "a-shared-secret-of-32-bytes-long!", "HS256", headers={"kid": kid}),
        jwt.encode(claims, "", "none", headers={"kid": kid}),
    ):
        assert_problem(hub.client.get(PROBE, headers=bearer(forged)), 401, "unauthorized", secrets=[forged])


def test_hub_tokens_still_work_next_to_oidc(hub: Hub) -> None:
    answer = hub.client.get(PROBE, headers=hub.bearer("analist", name="script"))
    assert answer.status_code == 200 and answer.json()["via"] == "token"


def test_an_unreachable_issuer_is_503_not_401(tmp_path: Path, provider: Provider) -> None:
    with (
        socket_closed_port() as port,
        open_hub(tmp_path, oidc_issuer=f"http://127.0.0.1:{port}", oidc_audience=AUDIENCE) as hub,
    ):
        install_probe(hub.app)
        token = provider.access_token("alice")
        assert_problem(hub.client.get(PROBE, headers=bearer(token)), 503, "oidc-unavailable", secrets=[token])


@contextmanager
def socket_closed_port() -> Iterator[int]:
    """A loopback port nobody listens on."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        yield probe.getsockname()[1]


# the dashboard login ---------------------------------------------------------------------------------------------
def start(hub: Hub, next_path: str) -> str:
    """``GET /auth/oidc/login``: the authorization URL the browser is sent to."""
    response = hub.client.get("/auth/oidc/login", params={"next": next_path}, follow_redirects=False)
    assert response.status_code == 302, response.text
    assert hub.client.cookies.get(LOGIN_COOKIE)
    return response.headers["location"]


def authorize(location: str, sub: str) -> str:
    """The user picks ``sub`` at the provider; the URL the provider sends the browser back to."""
    answer = httpx.post(location, data={"sub": sub})
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


def test_the_dashboard_login_runs_the_code_flow_with_pkce_state_and_nonce(hub: Hub, provider: Provider) -> None:
    location = start(hub, PROBE)
    asked = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert location.startswith(provider.url + "/oauth2/authorize?")
    assert asked["response_type"] == "code" and asked["client_id"] == CLIENT_ID
    assert asked["redirect_uri"] == "http://testserver/auth/oidc/callback"
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) == 43
    assert len(asked["state"]) >= 32 and len(asked["nonce"]) >= 32 and "openid" in asked["scope"].split()
    callback = authorize(location, "alice")
    assert callback.startswith("http://testserver/auth/oidc/callback?")
    landed = hub.client.get(callback)  # follows the 303 to `next`: the probe, now with a session
    assert landed.status_code == 200, landed.text
    assert landed.json() == {"name": "a.jansen", "via": "session", "roles": ["analist"], "org": "GM0363"}
    assert str(landed.url) == "http://testserver" + PROBE
    assert hub.client.cookies.get(SESSION_COOKIE)
    form, authorization = provider.token_requests[-1]
    assert _s256(form["code_verifier"]) == asked["code_challenge"]  # the provider enforced it, too
    expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert authorization == f"Basic {expected}"
    # the state is used once: the same answer again opens nothing
    hub.client.cookies.clear()
    replay = hub.client.get(callback, follow_redirects=False)
    assert replay.status_code == 400 and "verlopen" in replay.text
    assert SESSION_COOKIE not in replay.headers.get("set-cookie", "")


def test_a_callback_with_another_state_is_refused(hub: Hub) -> None:
    location = start(hub, "/")
    callback = authorize(location, "alice")
    forged = callback.replace("state=", "state=x")
    refused = hub.client.get(forged, follow_redirects=False)
    assert refused.status_code == 400 and SESSION_COOKIE not in refused.headers.get("set-cookie", "")
    assert_problem(hub.client.get(PROBE), 401, "unauthorized")


def test_a_callback_from_another_browser_is_refused(hub: Hub, tmp_path: Path) -> None:
    callback = authorize(start(hub, "/"), "alice")
    hub.client.cookies.clear()  # the attacker's browser has no pre-session of this login
    refused = hub.client.get(callback, follow_redirects=False)
    assert refused.status_code == 400
    assert_problem(hub.client.get(PROBE), 401, "unauthorized")


def test_a_user_without_a_role_gets_no_session(hub: Hub) -> None:
    refused = hub.client.get(authorize(start(hub, "/"), "carol"), follow_redirects=False)
    assert refused.status_code == 403 and "geen rol" in refused.text
    assert SESSION_COOKIE not in refused.headers.get("set-cookie", "")


def test_the_issuer_refusing_is_a_login_error_page(hub: Hub, provider: Provider) -> None:
    location = start(hub, "/")
    answer = httpx.post(location, data={"action": "deny"})
    assert answer.status_code == 302
    assert "error=access_denied" in answer.headers["location"]
    refused = hub.client.get(answer.headers["location"], follow_redirects=False)
    # the mock leaves out the state on a refusal, so the hub cannot even tell which login it answers
    assert refused.status_code == 400 and "notice--error" in refused.text
    assert SESSION_COOKIE not in refused.headers.get("set-cookie", "")


def test_next_after_an_oidc_login_stays_on_the_hub(hub: Hub) -> None:
    callback = authorize(start(hub, "https://evil.example/" + quote("/")), "alice")
    landed = hub.client.get(callback, follow_redirects=False)
    assert landed.status_code == 303 and landed.headers["location"] == "/"


def test_without_an_issuer_the_oidc_routes_are_404(tmp_path: Path) -> None:
    with open_hub(tmp_path) as hub:
        assert_problem(hub.client.get("/auth/oidc/login", follow_redirects=False), 404, "not-found")
        assert "organisatieaccount" not in hub.client.get("/inloggen").text
