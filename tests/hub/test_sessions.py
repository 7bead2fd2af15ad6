# SPDX-License-Identifier: EUPL-1.2
"""The dashboard's sessions: cookie flags, login and logout through the real form, CSRF on every state-changing
request a cookie authenticates (403 problem+json without or with a wrong token), no session fixation, no open
redirects, expiry, and a disabled account's session ending at once."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from governance.audit import utc_text
from hub.accounts import ACCOUNTS_FILE
from hub.roles import Role
from hub.sessions import LOGIN_COOKIE, SESSION_COOKIE
from tests.hub.auth_support import PASSWORD, PROBE, add_account, csrf_of, install_probe, login, session_csrf
from tests.hub.support import Hub, Response, assert_problem, open_hub


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    with open_hub(tmp_path, session_lifetime=900) as opened:
        install_probe(opened.app)
        add_account(opened, "a.jansen", Role.ANALIST, organisation="GM0363")
        add_account(opened, "b.beheer", Role.BEHEERDER)
        yield opened


def cookie_header(response: Response, name: str) -> str:
    found = [c for c in response.headers.get_list("set-cookie") if c.startswith(f"{name}=")]
    assert len(found) == 1, response.headers.get_list("set-cookie")
    return found[0]


def flags(header: str) -> set[str]:
    return {part.strip().lower() for part in header.split(";")[1:]}


def test_login_sets_a_session_cookie_with_safe_flags(hub: Hub) -> None:
    form = hub.client.get("/inloggen")
    assert form.status_code == 200 and "<form" in form.text
    pre = flags(cookie_header(form, LOGIN_COOKIE))
    assert {"httponly", "samesite=lax", "path=/"} <= pre and "secure" not in pre
    response = hub.client.post(
        "/inloggen",
        data={"naam": "a.jansen", "wachtwoord": PASSWORD, "csrf_token": csrf_of(form), "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    session = flags(cookie_header(response, SESSION_COOKIE))
    assert {"httponly", "samesite=lax", "path=/", "max-age=900"} <= session and "secure" not in session
    assert "max-age=0" in flags(cookie_header(response, LOGIN_COOKIE))  # the login's pre-session is over
    assert PASSWORD not in response.text and PASSWORD not in str(response.headers)
    answer = hub.client.get(PROBE)
    assert answer.json() == {"name": "a.jansen", "via": "session", "roles": ["analist"], "org": "GM0363"}


def test_cookies_are_secure_over_https(hub: Hub) -> None:
    with TestClient(hub.app, base_url="https://testserver") as client:
        form = client.get("/inloggen")
        assert "secure" in flags(cookie_header(form, LOGIN_COOKIE))
        data = {"naam": "a.jansen", "wachtwoord": PASSWORD, "csrf_token": csrf_of(form)}
        response = client.post("/inloggen", data=data, follow_redirects=False)
        assert response.status_code == 303
        assert {"secure", "httponly", "samesite=lax"} <= flags(cookie_header(response, SESSION_COOKIE))
        assert client.get(PROBE).status_code == 200


def test_the_session_id_is_new_at_login_and_only_its_hash_is_stored(hub: Hub, tmp_path: Path) -> None:
    hub.client.cookies.set(SESSION_COOKIE, "chosen-by-an-attacker", domain="testserver.local")
    assert_problem(hub.client.get(PROBE), 401, "unauthorized")
    pre = hub.client.get("/inloggen")
    pre_id = hub.client.cookies.get(LOGIN_COOKIE)
    data = {"naam": "a.jansen", "wachtwoord": PASSWORD, "csrf_token": csrf_of(pre)}
    assert hub.client.post("/inloggen", data=data, follow_redirects=False).status_code == 303
    session_id = hub.client.cookies.get(SESSION_COOKIE)
    assert session_id and session_id not in {"chosen-by-an-attacker", pre_id}
    database = (tmp_path / "data" / ACCOUNTS_FILE).read_bytes()
    database += (tmp_path / "data" / (ACCOUNTS_FILE + "-wal")).read_bytes()
    assert session_id.encode() not in database


@pytest.mark.parametrize(
    ("asked", "lands"),
    [
        ("/patronen?thema=afval&periode=30", "/patronen?thema=afval&periode=30"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/\tevil", "/"),
        ("", "/"),
    ],
)
def test_next_is_followed_only_to_paths_on_the_hub(hub: Hub, asked: str, lands: str) -> None:
    response = login(hub, "a.jansen", next_path=asked)
    assert response.status_code == 303
    assert response.headers["location"] == lands


def test_a_wrong_password_or_a_missing_login_token_opens_no_session(hub: Hub) -> None:
    wrong = login(hub, "a.jansen", "wrong password, but long")
    assert wrong.status_code == 400 and "Onbekende naam of verkeerd wachtwoord" in wrong.text
    assert "wrong password, but long" not in wrong.text
    assert SESSION_COOKIE not in wrong.headers.get("set-cookie", "")
    unknown = login(hub, "nobody", PASSWORD)
    assert unknown.status_code == 400 and "Onbekende naam of verkeerd wachtwoord" in unknown.text
    hub.client.get("/inloggen")
    for token in (None, "forged"):
        data = {"naam": "a.jansen", "wachtwoord": PASSWORD, **({"csrf_token": token} if token else {})}
        refused = hub.client.post("/inloggen", data=data, follow_redirects=False)
        assert refused.status_code == 403 and "verlopen" in refused.text
        assert SESSION_COOKIE not in refused.headers.get("set-cookie", "")
    assert_problem(hub.client.get(PROBE), 401, "unauthorized")


def test_state_changing_requests_on_a_session_need_the_csrf_token(hub: Hub) -> None:
    assert login(hub, "a.jansen").status_code == 303
    page = hub.client.get("/inloggen", params={"next": "/"}, follow_redirects=False)
    assert page.status_code == 303  # logged in already: straight on
    token = session_csrf(hub)
    assert_problem(hub.client.post(PROBE), 403, "csrf-invalid")
    assert_problem(hub.client.post(PROBE, headers={"X-CSRF-Token": "wrong"}), 403, "csrf-invalid")
    assert_problem(hub.client.post(PROBE, data={"csrf_token": "wrong"}), 403, "csrf-invalid")
    assert_problem(hub.client.post(PROBE, json={"csrf_token": token}), 403, "csrf-invalid")  # JSON is no form
    assert hub.client.post(PROBE, headers={"X-CSRF-Token": token}).status_code == 200
    assert hub.client.post(PROBE, data={"csrf_token": token}).status_code == 200
    assert hub.client.get(PROBE).status_code == 200  # reading needs none


def test_bearer_requests_need_no_csrf_token(hub: Hub) -> None:
    assert login(hub, "a.jansen").status_code == 303  # a session cookie is present too
    answer = hub.client.post(PROBE, headers=hub.bearer("analist", name="script"))
    assert answer.status_code == 200 and answer.json()["via"] == "token"


def test_roles_apply_to_sessions(hub: Hub) -> None:
    assert login(hub, "b.beheer").status_code == 303
    assert_problem(hub.client.get(PROBE), 403, "forbidden")


def test_logout_needs_the_token_and_ends_the_session(hub: Hub) -> None:
    assert login(hub, "a.jansen").status_code == 303
    old = hub.client.cookies.get(SESSION_COOKIE)
    assert old
    assert_problem(hub.client.post("/uitloggen", follow_redirects=False), 403, "csrf-invalid")
    out = hub.client.post("/uitloggen", data={"csrf_token": session_csrf(hub)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/inloggen"
    assert_problem(hub.client.get(PROBE), 401, "unauthorized")
    # a copied cookie is worth nothing after logout
    hub.client.cookies.set(SESSION_COOKIE, old, domain="testserver.local")
    assert_problem(hub.client.get(PROBE), 401, "unauthorized")


def test_an_expired_session_and_a_disabled_account_are_nobody(hub: Hub, tmp_path: Path) -> None:
    assert login(hub, "a.jansen").status_code == 303
    assert hub.client.get(PROBE).status_code == 200
    past = utc_text(datetime.now(UTC) - timedelta(seconds=1))
    with sqlite3.connect(tmp_path / "data" / ACCOUNTS_FILE) as conn:
        conn.execute("UPDATE sessions SET expires_at = ? WHERE name = 'a.jansen'", (past,))
    assert_problem(hub.client.get(PROBE), 401, "unauthorized")
    assert login(hub, "a.jansen").status_code == 303
    assert hub.client.get(PROBE).status_code == 200
    hub.services.accounts.disable("a.jansen", "beheerder-1")
    assert_problem(hub.client.get(PROBE), 401, "unauthorized")
