# SPDX-License-Identifier: EUPL-1.2
"""The werkgroep pages (Standaard) through FastAPI's TestClient: the list, a version with its report, votes and
quorum, the diff, proposing by upload, votes signed outside the hub and pasted in, publication after the quorum, the
later steps, refusals as Dutch messages, who gets in, and CSRF.

The hub and its registry are real (SQLite, the audit log, the default quorum rule: 2/3 of the members including a
municipality and a national agency). Members have real key pairs made by the connectors' key tooling; their
statements are signed with ``hartslag governance sign`` (the command the page tells members to run) or with
:func:`governance.registry_votes.sign_statement`.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from markupsafe import escape
from typer.testing import CliRunner

from governance.registry_model import Decision
from governance.registry_status import Status
from governance.registry_votes import load_member_key, read_statement, sign_statement
from governance.schema_registry import SchemaRegistry
from governance.standard import load_schema
from hartslag.cli import app as cli
from hub.dashboard.werkgroep_messages import DONE, PROBLEMS
from hub.roles import parse_roles
from tests.factories import make_keypair
from tests.governance.registry_support import longer_texts, signal_schema, stricter_texts
from tests.hub.support import Hub, Response, open_hub

PASSWORD = "correct horse battery staple"
BASE = "/werkgroep/standaard"
V110 = f"{BASE}/signal/1.1.0"
MEMBERS = (("anna", "municipality", "GM0363"), ("bert", "national_agency", "UWV"), ("cees", "province", "PV27"))
runner = CliRunner()


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    with open_hub(tmp_path) as hub:
        accounts = hub.services.accounts
        for name, role in (("wim", "werkgroep"), ("ana", "analist"), ("bea", "beheerder")):
            accounts.add(name, parse_roles([role]), PASSWORD, "test")
        registry = hub.services.schema_registry
        for name, kind, organisation in MEMBERS:
            pair = make_keypair(tmp_path / "members", name)
            jwk = json.loads(pair.jwks.read_text(encoding="utf-8"))["keys"][0]
            registry.add_member(name, organisation=organisation, kind=kind, jwk=jwk, actor="test")
        yield hub


def key_of(tmp_path: Path, name: str) -> Path:
    return tmp_path / "members" / f"{name}.key.pem"


def registry(hub: Hub) -> SchemaRegistry:
    return hub.services.schema_registry


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]*)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def log_in(hub: Hub, name: str = "wim") -> str:
    """Log in through the form; returns the session's CSRF token."""
    hub.client.cookies.clear()
    form = hub.client.get("/inloggen")
    answer = hub.client.post(
        "/inloggen",
        data={"naam": name, "wachtwoord": PASSWORD, "csrf_token": csrf_of(form.text), "next": "/"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return csrf_of(hub.client.get(BASE if name == "wim" else "/inloggen").text)


def get(hub: Hub, path: str) -> Response:
    return hub.client.get(path, follow_redirects=False)


def post(hub: Hub, path: str, token: str | None, **data: str) -> Response:
    body = {**data, **({"csrf_token": token} if token is not None else {})}
    return hub.client.post(path, data=body, follow_redirects=False)


RELABEL = {"format": "1.0.0", "subject": "signal", "from": 1, "to": 2, "up": [], "down": []}  # relabel only


def propose(
    hub: Hub, token: str, document: Any, version: str = "1.1.0", migration: Any = None, **fields: str
) -> Response:
    """Upload a schema (and a migration) through the form (a file as bytes: a document or any raw content)."""
    raw = document if isinstance(document, bytes) else json.dumps(document).encode()
    data = {"onderwerp": "signal", "versie": version, "toelichting": "Langere teksten toestaan", "csrf_token": token}
    files = {"bestand": ("schema.json", raw, "application/json")}
    if migration is not None:
        files["migratie"] = ("migratie.json", json.dumps(migration).encode(), "application/json")
    return hub.client.post(f"{BASE}/voorstellen", data={**data, **fields}, files=files, follow_redirects=False)


def outcome(response: Response) -> tuple[str, str]:
    """(``gedaan`` or ``fout``, its value) of a form's redirect back to the version page."""
    assert response.status_code == 303, response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    return next((key, values[0]) for key, values in query.items())


def sentiments(version: str, change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    """The code list of sentiments renumbered as ``version``, then ``change``d."""
    document = copy.deepcopy(load_schema("sentiments", "1.0.0"))
    document["x-version"] = version
    change(document)
    return document


def cli_sign(tmp_path: Path, name: str, *args: str) -> str:
    """A statement made with ``hartslag governance sign`` (the command the page shows), as a member would."""
    result = runner.invoke(
        cli, ["governance", "sign", "signal", "1.1.0", "--member", name, "--key", str(key_of(tmp_path, name)), *args]
    )
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def statement(hub: Hub, tmp_path: Path, name: str, **options: Any) -> str:
    """A statement by ``name`` about signal 1.1.0 (``key``: whose key signs it; ``sha256``: another hash)."""
    return sign_statement(
        load_member_key(key_of(tmp_path, options.get("key", name))), subject="signal", version="1.1.0",
        decision=options.get("decision", Decision.APPROVE),
        schema_sha256=options.get("sha256") or registry(hub).get("signal", "1.1.0").sha256,
        member=name, reason=options.get("reason", ""),
    )  # fmt: skip


def actions_of(hub: Hub) -> list[str]:
    """The audit log's actions, oldest first."""
    return [entry.action for entry in hub.services.audit.entries()]


# --- who gets in ---------------------------------------------------------------------------------------------------


def test_only_the_working_group_gets_in(hub: Hub) -> None:
    token = log_in(hub, "wim")
    assert propose(hub, token, signal_schema("1.1.0", longer_texts(5000))).status_code == 303
    pages = (BASE, V110, f"{V110}/schema.json", f"{BASE}/verschil", f"{BASE}/voorstellen")
    hub.client.cookies.clear()
    for path in pages:  # nobody logged in: to the login page and back
        response = get(hub, path)
        assert response.status_code == 303 and parse_qs(urlsplit(response.headers["location"]).query)["next"] == [path]
    for name in ("ana", "bea"):  # analist and beheerder are no working group
        other = log_in(hub, name)
        for path in pages:
            response = get(hub, path)
            assert response.status_code == 403, (name, path)
            assert "Geen toegang" in response.text and "<strong>werkgroep</strong>" in response.text
            assert "Langere teksten" not in response.text
        assert f'href="{BASE}"' not in get(hub, "/inloggen").text  # not in their menu either
        refused = post(hub, f"{V110}/terugtrekken", other)
        assert refused.status_code == 403
    assert registry(hub).status_of("signal", "1.1.0") is Status.VOORGESTELD


def test_the_menu_shows_standaard_to_the_working_group(hub: Hub) -> None:
    log_in(hub, "wim")
    page = get(hub, BASE).text
    assert f'<a href="{BASE}" aria-current="page">Standaard</a>' in page
    assert 'href="/patronen"' not in page  # a werkgroep member is no analist


# --- the list, a version, the diff ---------------------------------------------------------------------------------


def test_the_list_shows_every_subject_with_its_versions_and_status(hub: Hub) -> None:
    log_in(hub, "wim")
    page = get(hub, BASE)
    assert page.status_code == 200
    rows = re.findall(r"<tr>\s*<th scope=\"row\".*?</tr>", page.text, re.S)
    assert len(rows) == len(registry(hub).subjects()) == 12  # signal, batch and ten code lists, each 1.0.0
    assert all("gepubliceerd" in row for row in rows)
    assert "Codelijst themes" in page.text and f'href="{BASE}/codelist/themes/1.0.0"' in page.text
    assert "Er staan geen voorstellen open." in page.text


def test_a_seeded_version_offers_only_deprecation_and_no_vote(hub: Hub) -> None:
    log_in(hub, "wim")
    page = get(hub, f"{BASE}/codelist/themes/1.0.0").text
    assert "<h1>Codelijst themes 1.0.0</h1>" in page
    assert "the standard as shipped in schema/" in page  # the rationale
    assert "Geen rapport" in page
    assert 'action="/werkgroep/standaard/codelist/themes/1.0.0/uitfaseren"' in page
    for other in ("publiceren", "indienen", "terugtrekken", "intrekken", "stemmen"):
        assert f'/1.0.0/{other}"' not in page
    assert get(hub, f"{BASE}/signal/9.9.9").status_code == 404
    assert "Niet gevonden" in get(hub, f"{BASE}/bestaat-niet/1.0.0").text


def test_propose_by_upload_shows_the_report_and_lands_in_the_audit_log(hub: Hub) -> None:
    token = log_in(hub, "wim")
    done = propose(hub, token, signal_schema("1.1.0", longer_texts(5000)))
    assert done.headers["location"] == f"{V110}?gedaan=voorgesteld"
    page = get(hub, done.headers["location"]).text
    assert DONE["voorgesteld"] in page
    assert "Langere teksten toestaan" in page and "verenigbaar (minor)" in page
    assert "Tegen 1.0.0: verenigbaar" in page
    assert "text › maxLength" in page and '<code class="muted">/properties/text/maxLength</code>' in page
    assert "max length increased" in page and "breekt niet" in page
    assert "voorgesteld: de werkgroep stemt" in page
    missing = "nog 2 goedkeuringen; een goedkeuring van een gemeente; een goedkeuring van een rijksorganisatie"
    assert f"Nog nodig: {missing}." in page
    assert "Nog niet gestemd: anna, bert, cees." in page
    assert 'action="/werkgroep/standaard/signal/1.1.0/stemmen"' in page
    assert 'action="/werkgroep/standaard/signal/1.1.0/terugtrekken"' in page
    assert "/1.1.0/publiceren" not in page and "/1.1.0/uitfaseren" not in page
    assert "hartslag governance sign signal 1.1.0 --decision approve --schema signal-1.1.0.json" in page
    drafted = [e for e in hub.services.audit.entries() if e.subject == "signal@1.1.0"]
    assert [e.action for e in drafted] == ["schema-version.drafted", "schema-version.proposed"]
    assert {e.actor for e in drafted} == {"wim"}
    assert "Langere teksten" not in json.dumps([e.details for e in drafted])  # the rationale only as a hash
    assert "Signaal 1.1.0" in get(hub, BASE).text.split("Alle versies")[0]  # waiting for the group


def test_proposal_refusals_are_dutch_messages_on_the_form(hub: Hub) -> None:
    token = log_in(hub, "wim")
    not_json = propose(hub, token, b"{ niet json")
    assert not_json.status_code == 400 and PROBLEMS["schema-not-json"] in not_json.text
    assert 'value="1.1.0"' in not_json.text and "Langere teksten toestaan</textarea>" in not_json.text  # kept
    taken = propose(hub, token, signal_schema("1.0.0"), version="1.0.0")
    assert taken.status_code == 409 and "Dit versienummer bestaat al" in taken.text
    breaking = propose(hub, token, signal_schema("1.1.0", stricter_texts))
    assert breaking.status_code == 400 and PROBLEMS["major-version-required"] in breaking.text
    mismatch = propose(hub, token, signal_schema("1.2.0"))
    assert PROBLEMS["schema-version-mismatch"] in mismatch.text
    not_schema = propose(hub, token, {"type": 12}, version="1.1.0")
    assert PROBLEMS["not-a-schema"] in not_schema.text
    no_reason = propose(hub, token, signal_schema("1.1.0"), toelichting=" ")
    assert PROBLEMS["rationale-required"] in no_reason.text
    too_big = propose(hub, token, b" " * 1_000_001)
    assert too_big.status_code == 413 and PROBLEMS["schema-too-large"] in too_big.text
    assert [r.version for r in registry(hub).versions("signal")] == ["1.0.0"]
    assert "Traceback" not in not_json.text + breaking.text


def test_the_diff_shows_every_change_and_whether_it_breaks(hub: Hub) -> None:
    token = log_in(hub, "wim")
    propose(hub, token, signal_schema("1.1.0", longer_texts(5000)))
    without = propose(hub, token, signal_schema("2.0.0", stricter_texts), version="2.0.0")
    assert without.status_code == 400 and PROBLEMS["migration-required"] in without.text
    fewer = sentiments("2.0.0", lambda document: document["oneOf"].pop())  # "positive" is no longer a sentiment
    assert propose(hub, token, fewer, version="2.0.0", onderwerp="codelist/sentiments").status_code == 303
    compatible = get(hub, f"{BASE}/verschil?onderwerp=signal&oud=1.0.0&nieuw=1.1.0").text
    assert "Verenigbaar op niveau BACKWARD" in compatible
    assert "max length increased" in compatible and "text › maxLength" in compatible
    diff = f"{BASE}/verschil?onderwerp=codelist/sentiments&oud=1.0.0&nieuw=2.0.0"
    breaking = get(hub, diff).text
    assert "Niet verenigbaar op niveau BACKWARD: 1 wijziging breekt het niveau" in breaking
    row = re.search(r"<tr>\s*<td><strong class=\"badge badge--landelijk\">breekt</strong>.*?</tr>", breaking, re.S)
    assert row and "enum array narrowed" in row.group(0) and "achterwaarts" in row.group(0)
    assert "removed: &#34;positive&#34;" in row.group(0) or "removed: &quot;positive&quot;" in row.group(0)
    expected = registry(hub).diff("codelist/sentiments", "1.0.0", "2.0.0")["changes"]
    assert breaking.count("<tr>") - 1 == len(expected)  # every change is a row (plus the header)
    propose(hub, token, signal_schema("1.2.0", longer_texts(6000)), version="1.2.0")
    chosen = get(hub, f"{BASE}/verschil?onderwerp=signal").text  # default: the two newest
    assert '<option value="1.1.0" selected>' in chosen and '<option value="1.2.0" selected>' in chosen
    assert "Kies twee verschillende versies" in get(hub, f"{BASE}/verschil?onderwerp=signal&oud=1.0.0&nieuw=1.0.0").text
    assert get(hub, f"{BASE}/verschil?onderwerp=onbekend").status_code == 404


def test_a_new_major_with_its_migration_shows_the_migration(hub: Hub) -> None:
    token = log_in(hub, "wim")
    major = propose(hub, token, signal_schema("2.0.0", stricter_texts), version="2.0.0", migration=RELABEL)
    assert major.status_code == 303, major.text
    page = get(hub, f"{BASE}/signal/2.0.0").text
    assert "Migratie van major 1 naar 2" in page and "Alleen het versienummer verandert." in page
    assert "onverenigbaar (major)" in page and "Tegen 1.0.0: niet verenigbaar (1 wijziging breekt BACKWARD)" in page
    unexpected = propose(hub, token, signal_schema("1.1.0", longer_texts(5000)), migration=RELABEL)
    assert unexpected.status_code == 400 and PROBLEMS["migration-unexpected"] in unexpected.text


# --- votes, publication and the later steps -------------------------------------------------------------------------


def test_statements_signed_outside_the_hub_reach_the_quorum_and_the_version_is_published(
    hub: Hub, tmp_path: Path
) -> None:
    token = log_in(hub, "wim")
    propose(hub, token, signal_schema("1.1.0", longer_texts(5000)))
    download = get(hub, f"{V110}/schema.json")  # the member reads the schema and signs what they read
    assert download.status_code == 200 and 'filename="signal-1.1.0.json"' in download.headers["content-disposition"]
    schema_file = tmp_path / "signal-1.1.0.json"
    schema_file.write_bytes(download.content)
    by_anna = cli_sign(tmp_path, "anna", "--decision", "approve", "--schema", str(schema_file))
    wrapped = "\n".join(by_anna[i : i + 60] for i in range(0, len(by_anna), 60))  # as a terminal may wrap it
    counted = post(hub, f"{V110}/stemmen", token, verklaring=wrapped)
    assert outcome(counted) == ("gedaan", "stemmen")
    page = get(hub, counted.headers["location"]).text
    assert DONE["stemmen"] in page
    vote_row = re.search(r"<tr>\s*<td>anna</td>.*?</tr>", page, re.S)
    assert vote_row and "GM0363" in vote_row.group(0) and "Gemeente" in vote_row.group(0)
    assert "goedkeuren" in vote_row.group(0)
    assert "Nog nodig: nog 1 goedkeuring; een goedkeuring van een rijksorganisatie." in page
    assert "Nog niet gestemd: bert, cees." in page

    sha = registry(hub).get("signal", "1.1.0").sha256
    by_bert = cli_sign(tmp_path, "bert", "--decision", "approve", "--sha256", sha)
    assert outcome(post(hub, f"{V110}/stemmen", token, verklaring=by_bert)) == ("gedaan", "stemmen")
    assert registry(hub).status_of("signal", "1.1.0") is Status.GOEDGEKEURD
    approved = get(hub, V110).text
    assert "Het quorum is bereikt: 2 van de 3 leden keurden goed" in approved
    assert 'action="/werkgroep/standaard/signal/1.1.0/publiceren"' in approved
    assert "/1.1.0/stemmen" not in approved and "/1.1.0/terugtrekken" not in approved

    assert outcome(post(hub, f"{V110}/publiceren", token)) == ("gedaan", "publiceren")
    assert registry(hub).status_of("signal", "1.1.0") is Status.GEPUBLICEERD
    assert "signal" in registry(hub).subjects() and "1.1.0" in registry(hub).accepted_versions("signal")
    published = get(hub, V110).text
    assert "van goedgekeurd naar <strong>gepubliceerd</strong>" in published
    assert 'action="/werkgroep/standaard/signal/1.1.0/uitfaseren"' in published
    entries = [e for e in hub.services.audit.entries() if e.subject == "signal@1.1.0"]
    assert [(e.actor, e.action) for e in entries][-4:] == [
        ("anna", "schema-version.approve-vote"),
        ("bert", "schema-version.approve-vote"),
        ("bert", "schema-version.approved"),
        ("wim", "schema-version.published"),
    ]


def test_bad_statements_are_refused_with_a_dutch_message(hub: Hub, tmp_path: Path) -> None:
    token = log_in(hub, "wim")
    propose(hub, token, signal_schema("1.1.0", longer_texts(5000)))
    stranger = sign_statement(
        load_member_key(key_of(tmp_path, "anna")), subject="signal", version="1.1.0", decision=Decision.APPROVE,
        schema_sha256=registry(hub).get("signal", "1.1.0").sha256, member="onbekend",
    )  # fmt: skip
    cases = {
        "vote-wrong-key": statement(hub, tmp_path, "anna", key="cees"),
        "vote-malformed": "dit.is.geen-verklaring",
        "vote-stale-schema": statement(hub, tmp_path, "anna", sha256="0" * 64),
        "member-not-found": stranger,
        "reason-required": statement(hub, tmp_path, "anna", decision=Decision.REJECT),
    }
    for code, pasted in cases.items():
        answer = post(hub, f"{V110}/stemmen", token, verklaring=pasted)
        assert outcome(answer) == ("fout", code)
        page = get(hub, answer.headers["location"]).text
        assert str(escape(PROBLEMS[code])) in page and 'role="alert"' in page
    broken = statement(hub, tmp_path, "anna")
    head, body, signature = broken.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    assert outcome(post(hub, f"{V110}/stemmen", token, verklaring=f"{head}.{body}.{flipped}")) == (
        "fout", "vote-signature",
    )  # fmt: skip
    assert registry(hub).review("signal", "1.1.0").votes == ()
    assert outcome(post(hub, f"{V110}/stemmen", token, verklaring=statement(hub, tmp_path, "anna")))[0] == "gedaan"
    again = post(hub, f"{V110}/stemmen", token, verklaring=statement(hub, tmp_path, "anna"))
    assert outcome(again) == ("fout", "already-voted")
    closed = post(hub, f"{BASE}/signal/1.0.0/stemmen", token, verklaring=statement(hub, tmp_path, "bert"))
    assert outcome(closed) == ("fout", "voting-closed")
    rejected = statement(hub, tmp_path, "bert", decision=Decision.REJECT, reason="Te lang voor de balie")
    assert outcome(post(hub, f"{V110}/stemmen", token, verklaring=rejected))[0] == "gedaan"
    page = get(hub, V110).text
    assert "afwijzen" in page and "Te lang voor de balie" in page
    assert len(registry(hub).review("signal", "1.1.0").votes) == 2


def test_a_step_the_status_does_not_allow_is_refused(hub: Hub) -> None:
    token = log_in(hub, "wim")
    propose(hub, token, signal_schema("1.1.0", longer_texts(5000)))
    answer = post(hub, f"{V110}/publiceren", token)
    assert outcome(answer) == ("fout", "status-transition-refused")
    assert PROBLEMS["status-transition-refused"] in get(hub, answer.headers["location"]).text
    assert outcome(post(hub, f"{BASE}/signal/1.0.0/intrekken", token)) == ("fout", "status-transition-refused")
    assert outcome(post(hub, f"{BASE}/signal/1.0.0/uitfaseren", token, datum="2099-01-01")) == (
        "fout", "last-published-version",
    )  # fmt: skip
    assert registry(hub).status_of("signal", "1.1.0") is Status.VOORGESTELD
    assert post(hub, f"{BASE}/signal/9.9.9/publiceren", token).status_code == 404


def test_concept_submit_and_withdraw(hub: Hub) -> None:
    token = log_in(hub, "wim")
    done = propose(hub, token, signal_schema("1.1.0", longer_texts(5000)), concept="ja")
    assert done.headers["location"].endswith("gedaan=concept")
    page = get(hub, V110).text
    assert "concept: nog niet open voor stemmen" in page
    assert "/1.1.0/indienen" in page and "/1.1.0/terugtrekken" in page and "/1.1.0/stemmen" not in page
    assert outcome(post(hub, f"{V110}/indienen", token)) == ("gedaan", "indienen")
    assert outcome(post(hub, f"{V110}/terugtrekken", token, reden="Dubbel met een ander voorstel")) == (
        "gedaan", "terugtrekken",
    )  # fmt: skip
    final = get(hub, V110).text
    assert "teruggetrokken door de indiener" in final and "Vanuit de status teruggetrokken is geen stap" in final
    assert "Dubbel met een ander voorstel" in final  # the history keeps the reason
    assert "/1.1.0/stemmen" not in final and "/1.1.0/indienen" not in final


def test_deprecate_with_a_sunset_and_retire_early_only_with_a_reason(hub: Hub, tmp_path: Path) -> None:
    token = log_in(hub, "wim")
    propose(hub, token, signal_schema("1.1.0", longer_texts(5000)))
    for name in ("anna", "bert"):
        post(hub, f"{V110}/stemmen", token, verklaring=statement(hub, tmp_path, name))
    post(hub, f"{V110}/publiceren", token)
    v100 = f"{BASE}/signal/1.0.0"
    assert outcome(post(hub, f"{v100}/uitfaseren", token, datum="2001-01-01")) == ("fout", "sunset-in-past")
    assert outcome(post(hub, f"{v100}/uitfaseren", token, datum="morgen")) == ("fout", "invalid-date")
    sunset = registry(hub).today() + timedelta(days=90)
    assert outcome(post(hub, f"{v100}/uitfaseren", token, datum=sunset.isoformat())) == ("gedaan", "uitfaseren")
    assert registry(hub).sunset_of("signal", "1.0.0") == sunset
    listed = get(hub, BASE).text
    assert re.search(r'signal/1\.0\.0">1\.0\.0.*?uitgefaseerd</span> <span class="nowrap">tot ', listed, re.S)
    page = get(hub, v100).text
    assert 'name="vervroegd"' in page and "/1.0.0/uitfaseren" not in page
    assert outcome(post(hub, f"{v100}/intrekken", token)) == ("fout", "sunset-not-reached")
    assert outcome(post(hub, f"{v100}/intrekken", token, vervroegd="ja")) == ("fout", "reason-required")
    assert outcome(post(hub, f"{v100}/intrekken", token, vervroegd="ja", reden="Lek in het veld text")) == (
        "gedaan", "intrekken",
    )  # fmt: skip
    assert registry(hub).status_of("signal", "1.0.0") is Status.INGETROKKEN
    assert actions_of(hub)[-2:] == ["schema-version.deprecated", "schema-version.retired"]


# --- forms and CSRF ------------------------------------------------------------------------------------------------


def test_every_form_carries_the_csrf_token_and_a_form_without_it_is_refused(hub: Hub) -> None:
    token = log_in(hub, "wim")
    propose(hub, token, signal_schema("1.1.0", longer_texts(5000)))
    for path in (BASE, V110, f"{BASE}/signal/1.0.0", f"{BASE}/voorstellen", f"{BASE}/verschil"):
        for form in re.findall(r"<form[^>]*method=\"post\"[^>]*>.*?</form>", get(hub, path).text, re.S):
            assert re.search(r'name="csrf_token" value="[^"]{32,}"', form), (path, form[:80])
    refused = post(hub, f"{V110}/terugtrekken", None)
    assert refused.status_code == 403 and refused.json()["code"] == "csrf-invalid"
    forged = post(hub, f"{V110}/terugtrekken", "x" * 43)
    assert forged.status_code == 403
    upload = propose(hub, "", signal_schema("1.2.0", longer_texts(6000)), version="1.2.0")
    assert upload.status_code == 403
    assert registry(hub).status_of("signal", "1.1.0") is Status.VOORGESTELD
    assert [r.version for r in registry(hub).versions("signal")] == ["1.0.0", "1.1.0"]


# --- the CLI's sign command ------------------------------------------------------------------------------------------


def test_sign_makes_a_statement_without_a_data_folder(hub: Hub, tmp_path: Path) -> None:
    sha = registry(hub).get("signal", "1.0.0").sha256
    token = cli_sign(tmp_path, "cees", "--decision", "reject", "--sha256", sha, "--reason", "Niet nodig")
    jwk = next(member.jwk for member in registry(hub).members() if member.name == "cees")
    said = read_statement(token, jwk)
    assert (said.subject, said.version, said.decision, said.schema_sha256) == ("signal", "1.1.0", Decision.REJECT, sha)
    assert (said.member, said.reason) == ("cees", "Niet nodig")
    key = str(key_of(tmp_path, "cees"))
    for wrong in (
        ["--decision", "maybe", "--sha256", sha],
        ["--decision", "approve"],  # neither --schema nor --sha256
        ["--decision", "approve", "--sha256", sha, "--schema", key],  # both
        ["--decision", "reject", "--sha256", sha],  # a rejection without a reason
        ["--decision", "approve", "--sha256", "abc"],
    ):
        result = runner.invoke(cli, ["governance", "sign", "signal", "1.1.0", "--member", "cees", "--key", key, *wrong])
        assert result.exit_code == 2 and result.stdout == "" and result.stderr.startswith("error:"), wrong
    bad_key = runner.invoke(
        cli, ["governance", "sign", "signal", "1.1.0", "--member", "cees", "--key", str(tmp_path / "nope.pem"),
              "--decision", "approve", "--sha256", sha],
    )  # fmt: skip
    assert bad_key.exit_code == 2 and "key-invalid" in bad_key.stderr
