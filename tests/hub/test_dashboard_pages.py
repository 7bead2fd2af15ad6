# SPDX-License-Identifier: EUPL-1.2
"""The dashboard's pages through FastAPI's TestClient, without a browser: who gets in, what they see, and that no
page or static file points at a CDN.

The hub is real (accounts, sessions, CSRF, casework, registry); the read model is a stand-in with known counts
(put in the services where the read routes and the pages find it), so these tests judge the
pages, not matching. The browser tests (tests/integration/test_dashboard_browser.py) run the real read model.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from hub.casework import Casework
from hub.casework_sqlite import SQLiteCaseStore
from hub.insight_models import (
    AlertRow,
    Count,
    DayCount,
    Filters,
    KeyCount,
    Overview,
    Page,
    PatternDetail,
    PatternSummary,
    PolicyDetail,
    PolicyEffectRow,
    PolicyRow,
    RepresentativeTexts,
    SearchHit,
    Series,
    SeriesLine,
    SeriesPoint,
    SimilarPattern,
    ThemeRow,
)
from hub.roles import parse_roles
from tests.hub.support import Hub, Response, open_hub

PASSWORD = "correct horse battery staple"
PAGES = ("/", "/patronen", "/patronen/7", "/themas", "/beleid", "/beleid/Verbod op lachgas", "/zoeken?q=lachgas")
STATIC = Path(__file__).resolve().parents[2] / "hub" / "dashboard" / "static"
# A URL that leaves the hub: a scheme-relative or absolute http(s) address in an attribute, CSS or script import.
EXTERNAL = re.compile(
    r"""(?:src|href|action)\s*=\s*["'](?:https?:)?//|url\(\s*["']?(?:https?:)?//|import\s*\(?["'](?:https?:)?//"""
)


def shown(value: int) -> Count:
    """A count that may be shown (display as the read model gives it, Dutch thousands)."""
    return Count(value=value, display=f"{value:,}".replace(",", "."))


SMALL = Count(value=None, suppressed="klein", display="< 10")
HIDDEN = Count.hidden()


class FakeInsights:
    """The read model's interface with fixed answers; records the filters it was asked with."""

    def __init__(self) -> None:
        self.asked: list[Filters] = []
        start = date(2025, 5, 26)
        self.weeks = [f"2025-W{n}" for n in range(22, 26)]
        self.summary = PatternSummary(
            id=7,
            label="Lachgascilinders op straat",
            keywords=["lachgas", "cilinders", "straat"],
            scope="landelijk",
            status="nieuw",
            themes=["afval", "overlast"],
            organisation_kinds=["municipality", "national_agency"],
            provinces=["PV27", "PV28"],
            organisations=4,
            first_seen=start.isoformat(),
            last_seen=(start + timedelta(days=20)).isoformat(),
            signals=shown(1234),
            alerts=2,
            latest_alert="cross_org",
        )
        self.alert = AlertRow(
            kind="cross_org",
            pattern_id=7,
            pattern_label=self.summary.label,
            detected_on=start + timedelta(days=7),
            score=4.2,
            scope="landelijk",
            explanation="Vier organisaties zien tegelijk meer signalen over lachgascilinders.",
            details={},
        )
        self.per_day = [
            DayCount(day=start + timedelta(days=i), count=shown(1000 + i) if i % 3 else SMALL) for i in range(21)
        ]

    def overview(self, filters: Filters = Filters()) -> Overview:
        self.asked.append(filters)
        per_kind = [KeyCount(key="municipality", label="Gemeenten", count=shown(20500))]
        return Overview(
            period_from=filters.period_from, period_to=filters.period_to, total=shown(21034), per_day=self.per_day,
            per_kind=per_kind, rising=[self.summary], open_alerts=[self.alert], threshold=10,
        )  # fmt: skip

    def patterns(
        self, filters: Filters = Filters(), page: int = 1, per_page: int = 50, sort: str = "alerts"
    ) -> Page[PatternSummary]:
        self.asked.append(filters)
        items = [] if filters.theme == "water" else [self.summary]
        return Page[PatternSummary](items=items, page=page, per_page=per_page, total=len(items))

    def pattern(self, pattern_id: int) -> PatternDetail:
        from hub.casework import UnknownPatternError

        if pattern_id != 7:
            raise UnknownPatternError("no such pattern")
        return PatternDetail(
            summary=self.summary, total=shown(1234),
            organisations=[KeyCount(key="GM0363", label="Amsterdam", count=shown(800)),
                           KeyCount(key="GM0599", label="Rotterdam", count=SMALL),
                           KeyCount(key="UWV", label="UWV", count=HIDDEN)],
            organisation_kinds=[KeyCount(key="municipality", label="Gemeente", count=shown(1200))],
            provinces=[KeyCount(key="PV27", label="Noord-Holland", count=shown(800)),
                       KeyCount(key="PV28", label="Zuid-Holland", count=SMALL)],
            alerts=[self.alert], similar=[SimilarPattern(id=8, label="Lege patronen in parken", similarity=0.81)],
            representatives=RepresentativeTexts(texts=["Er liggen weer cilinders bij [LOCATIE]."]),
        )  # fmt: skip

    def pattern_series(self, pattern_id: int, split: str = "totaal", filters: Filters = Filters()) -> Series:
        points = [SeriesPoint(week=w, count=shown(100 * (i + 1)) if i else SMALL) for i, w in enumerate(self.weeks)]
        line = SeriesLine(key="municipality", label="Gemeente", points=points)
        return Series(pattern_id=pattern_id, split="organisation_kind", weeks=self.weeks, lines=[line])

    def volume_around(self, pattern_id: int, day: date, weeks: int = 4) -> tuple[Count, Count]:
        return shown(400), SMALL

    def themes(self, filters: Filters = Filters()) -> list[ThemeRow]:
        return [ThemeRow(theme="afval", label="Afval", patterns=3, signals=shown(2500), rising=1)]

    def search(self, text: str | None = None, signal_id: str | None = None, k: int = 20) -> list[SearchHit]:
        self.searched = (text, signal_id)
        hit = SearchHit(
            signal_id="0f8e6d3c-0000-4000-8000-000000000001", pattern_id=7, organisation="GM0363", week="2025-W23",
            similarity=0.87, text="Cilinders in [STRAAT].",
        )  # fmt: skip
        other = SearchHit(
            signal_id="0f8e6d3c-0000-4000-8000-000000000002", pattern_id=None, organisation="UWV", week="2025-W24",
            similarity=0.5, text=None,
        )  # fmt: skip
        return [hit, other]

    def policies(self) -> list[PolicyRow]:
        return [self.policy("Verbod op lachgas").policy]

    def policy(self, name: str) -> PolicyDetail:
        from governance.errors import NotFoundError

        if name != "Verbod op lachgas":
            raise NotFoundError("no such policy")
        row = PolicyRow(
            name=name, date=date(2025, 6, 2), refs=["bwb:BWBR0001941"], effects=1, evaluated_through=date(2025, 9, 1)
        )
        effect = PolicyEffectRow(
            pattern_id=7, pattern_label=self.summary.label, detected_on=date(2025, 7, 1), weeks_after=4, level=-0.314,
            level_ci=(-0.40, -0.204), trend=-0.015, trend_ci=(-0.03, 0.0), carries_refs=True,
            explanation="Na het verbod daalt het aantal signalen.", before=shown(900), after=SMALL,
        )  # fmt: skip
        return PolicyDetail(policy=row, effects=[effect], series=[self.pattern_series(7)])

    def alerts(self, filters: Filters = Filters(), page: int = 1, per_page: int = 50) -> Page[AlertRow]:
        return Page[AlertRow](items=[self.alert], page=page, per_page=per_page, total=1)

    def close(self) -> None:
        return None


class KnownPatterns:
    """Matching knows pattern 7 only."""

    def exists(self, pattern_id: int) -> bool:
        return pattern_id == 7


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    with open_hub(tmp_path, agencies=("GM0363", "UWV")) as hub:
        accounts = hub.services.accounts
        accounts.add("ana", parse_roles(["analist"]), PASSWORD, "test")
        accounts.add("bea", parse_roles(["beheerder"]), PASSWORD, "test")
        hub.services._insights = FakeInsights()  # type: ignore[assignment]
        hub.app.state.casework = Casework(SQLiteCaseStore(tmp_path / "casework.db"), KnownPatterns())
        yield hub


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]*)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def log_in(hub: Hub, name: str) -> None:
    form = hub.client.get("/inloggen")
    assert form.status_code == 200
    answer = hub.client.post(
        "/inloggen",
        data={"naam": name, "wachtwoord": PASSWORD, "csrf_token": csrf_of(form.text), "next": "/"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def get(hub: Hub, path: str, **headers: str) -> Response:
    return hub.client.get(path, headers=headers, follow_redirects=False)


# --- who gets in ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [*PAGES, "/beheer/organisaties"])
def test_logged_out_visitors_are_sent_to_the_login_page_and_back(hub: Hub, path: str) -> None:
    response = get(hub, path)
    assert response.status_code == 303
    location = urlsplit(response.headers["location"])
    assert location.path == "/inloggen"
    assert parse_qs(location.query)["next"] == [path]


def test_a_form_sent_after_logging_out_returns_to_its_page_after_login(hub: Hub) -> None:
    response = hub.client.post("/patronen/7/status", data={"status": "in_onderzoek"}, follow_redirects=False)
    assert response.status_code == 303
    assert parse_qs(urlsplit(response.headers["location"]).query)["next"] == ["/patronen/7"]
    assert hub.app.state.casework.case(7).history == []


def test_an_htmx_request_without_login_redirects_the_whole_page(hub: Hub) -> None:
    response = get(hub, "/patronen?theme=afval", **{"HX-Request": "true", "HX-Target": "patronen-resultaat"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/inloggen?next=%2Fpatronen%3Ftheme%3Dafval")


def test_without_the_analist_role_every_page_is_a_dutch_403(hub: Hub) -> None:
    log_in(hub, "bea")
    for path in PAGES:
        response = get(hub, path)
        assert response.status_code == 403, path
        assert "Geen toegang" in response.text and "<strong>analist</strong>" in response.text
        assert "Lachgascilinders" not in response.text


def test_the_organisations_page_is_for_beheerders_only(hub: Hub) -> None:
    log_in(hub, "ana")
    assert get(hub, "/beheer/organisaties").status_code == 403
    assert 'href="/beheer/organisaties"' not in get(hub, "/").text  # nor in the analist's menu
    hub.client.cookies.clear()
    log_in(hub, "bea")
    page = get(hub, "/beheer/organisaties")
    assert page.status_code == 200
    assert "<code>GM0363</code>" in page.text and "<code>UWV</code>" in page.text
    assert page.text.count("<details>") == 2  # the keys of each organisation


# --- what the pages show -------------------------------------------------------------------------------------------


def test_every_page_renders_in_dutch_with_the_suppression_legend(hub: Hub) -> None:
    log_in(hub, "ana")
    for path in PAGES:
        page = get(hub, path)
        assert page.status_code == 200, page.text
        assert '<html lang="nl">' in page.text
        assert 'href="#inhoud"' in page.text and 'id="inhoud"' in page.text
        assert 'aria-label="Hoofdmenu"' in page.text and ">Uitloggen<" in page.text
        assert page.headers["cache-control"] == "no-store"
        assert "script-src 'self';" in page.headers["content-security-policy"]
        assert "<script>" not in page.text  # no inline script: the CSP would refuse it
        if path != "/beleid" and not path.startswith("/zoeken"):
            assert "minder dan 10 signalen, niet getoond om personen te beschermen" in page.text, path
            assert "aanvullend onderdrukt" in page.text, path


def test_the_overview_shows_dutch_numbers_suppressed_days_and_the_chart_data(hub: Hub) -> None:
    log_in(hub, "ana")
    page = get(hub, "/").text
    assert "21.034" in page and "20.500" in page  # total and per kind, Dutch thousands
    assert "&lt; 10" in page  # suppressed days in the table alternative
    assert "26 mei 2025" in page  # Dutch dates
    data = re.search(r'<script type="application/json" id="per-dag-data">(.*?)</script>', page, re.S)
    assert data is not None
    assert '"values": [null, 1001, 1002, null' in data.group(1)  # suppressed days are gaps, never zeros
    assert "Lachgascilinders op straat" in page and "Vier organisaties zien tegelijk" in page


def test_the_patterns_filters_reach_the_read_model_and_the_exports(hub: Hub) -> None:
    log_in(hub, "ana")
    insights: FakeInsights = hub.services.insights  # type: ignore[assignment]
    page = get(hub, "/patronen?theme=afval&province=PV27&period_from=2025-06-01&scope=landelijk&organisation=GM0363")
    assert page.status_code == 200
    asked = insights.asked[-1]
    assert (asked.theme, asked.province, asked.period_from, asked.scope) == (
        "afval",
        "PV27",
        date(2025, 6, 1),
        "landelijk",
    )
    assert asked.organisation == "GM0363"
    assert '<option value="afval" selected>' in page.text
    exports = re.findall(r'href="(/v1/[^"]+)" download', page.text)
    assert len(exports) == 2
    for link in exports:
        query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
        assert query["theme"] == ["afval"] and query["province"] == ["PV27"] and query["format"][0] in {"csv", "json"}


def test_an_unknown_filter_value_is_dropped_with_a_message(hub: Hub) -> None:
    log_in(hub, "ana")
    insights: FakeInsights = hub.services.insights  # type: ignore[assignment]
    page = get(hub, "/patronen?theme=bestaat-niet&period_from=gisteren")
    assert page.status_code == 200
    assert "bestaat niet voor dit filter" in page.text and "is niet geldig" in page.text
    assert insights.asked[-1] == Filters()


def test_a_municipality_may_be_named_and_a_reversed_period_is_turned_round(hub: Hub) -> None:
    log_in(hub, "ana")
    insights: FakeInsights = hub.services.insights  # type: ignore[assignment]
    page = get(hub, "/patronen?municipality=amsterdam&period_from=2025-09-01&period_to=2025-06-01")
    assert page.status_code == 200
    asked = insights.asked[-1]
    assert asked.municipality == "GM0363"
    assert (asked.period_from, asked.period_to) == (date(2025, 6, 1), date(2025, 9, 1))
    assert "omgedraaid" in page.text and 'value="GM0363"' in page.text


def test_htmx_gets_only_the_patterns_fragment(hub: Hub) -> None:
    log_in(hub, "ana")
    fragment = get(hub, "/patronen?theme=water", **{"HX-Request": "true", "HX-Target": "patronen-resultaat"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "Geen patronen gevonden" in fragment.text
    full = get(hub, "/patronen?theme=water")
    assert "<html" in full.text and 'hx-target="#patronen-resultaat"' in full.text


def test_the_pattern_page_shows_everything_an_analyst_may_see(hub: Hub) -> None:
    log_in(hub, "ana")
    page = get(hub, "/patronen/7").text
    for expected in (
        "Lachgascilinders op straat", "lachgas", "Er liggen weer cilinders bij [LOCATIE].", "Amsterdam",
        "Noord-Holland", 'data-code="BE-VAN"', "Vier organisaties zien tegelijk", "Lege patronen in parken",
        "81% gelijk", "Status wijzigen", "Landelijk", "1.234",
    ):  # fmt: skip
        assert expected in page, expected
    assert page.count('class="tile ') == 17  # 12 Dutch and 5 Flemish provinces
    assert "×" in page  # UWV's count is complementarily suppressed
    assert get(hub, "/patronen/99").status_code == 404


def test_a_browser_asking_for_an_unknown_address_gets_a_page_the_api_a_problem(hub: Hub) -> None:
    log_in(hub, "ana")
    page = get(hub, "/organisaties", accept="text/html,application/xhtml+xml")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Niet gevonden" in page.text and "Deze pagina bestaat niet." in page.text
    for path, accept in (("/organisaties", "application/json"), ("/v1/bestaat-niet", "text/html")):
        problem = get(hub, path, accept=accept)
        assert problem.status_code == 404, path
        assert problem.headers["content-type"].startswith("application/problem+json"), path


def test_search_and_policy_pages(hub: Hub) -> None:
    log_in(hub, "ana")
    found = get(hub, "/zoeken?q=lachgas").text
    assert "87%" in found and "Cilinders in [STRAAT]." in found and "tekst niet getoond" in found
    assert "Amsterdam" in found  # the organisation's Dutch name
    assert 'href="/zoeken?signaal=0f8e6d3c-0000-4000-8000-000000000001"' in found  # "meer zoals dit" per hit
    like = get(hub, "/zoeken?signaal=0f8e6d3c-0000-4000-8000-000000000001").text
    assert "Signalen zoals het signaal" in like and "87%" in like
    policy = get(hub, "/beleid/Verbod op lachgas").text
    assert "Patronen die het meest veranderden" in policy and "-31%" in policy and "(-40% tot -20%)" in policy
    assert '"label": "Beleid"' in policy  # the policy date is a marker in the before/after chart
    assert get(hub, "/beleid/Onbekend").status_code == 404
    assert "Verbod op lachgas" in get(hub, "/beleid").text


# --- forms and CSRF ------------------------------------------------------------------------------------------------


def test_every_form_that_changes_something_carries_the_csrf_token(hub: Hub) -> None:
    log_in(hub, "ana")
    for path in PAGES:
        page = get(hub, path).text
        forms = re.findall(r"<form[^>]*>.*?</form>", page, re.S)
        posting = [f for f in forms if 'method="post"' in f]
        assert posting, path  # at least the logout form
        for form in posting:
            token = re.search(r'name="csrf_token" value="([^"]+)"', form)
            assert token and len(token.group(1)) >= 32, (path, form[:80])


def test_changing_the_status_needs_the_csrf_token_and_lands_in_the_history(hub: Hub) -> None:
    log_in(hub, "ana")
    token = csrf_of(get(hub, "/patronen/7").text)
    refused = hub.client.post("/patronen/7/status", data={"status": "in_onderzoek"}, follow_redirects=False)
    assert refused.status_code == 403
    assert hub.app.state.casework.case(7).history == []
    done = hub.client.post(
        "/patronen/7/status", data={"status": "in_onderzoek", "csrf_token": token}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/patronen/7?gedaan=status#zaak"
    page = get(hub, done.headers["location"]).text
    assert "De status is gewijzigd." in page
    assert "status van <em>nieuw</em> naar <em>in onderzoek</em>" in page
    assert '<span class="who">ana</span>' in page
    skipped = hub.client.post(
        "/patronen/7/status", data={"status": "afgesloten", "csrf_token": token}, follow_redirects=False
    )
    assert skipped.headers["location"] == "/patronen/7?fout=transition-not-allowed#zaak"


def test_an_action_shows_the_volume_before_and_after_it(hub: Hub) -> None:
    log_in(hub, "ana")
    token = csrf_of(get(hub, "/patronen/7").text)
    body = {"datum": "2025-06-10", "omschrijving": "Extra handhaving in de binnenstad", "csrf_token": token}
    assert hub.client.post("/patronen/7/acties", data=body, follow_redirects=False).status_code == 303
    page = get(hub, "/patronen/7").text
    row = re.search(r"<td>10 jun 2025</td>.*?</tr>", page, re.S)
    assert row and "Extra handhaving" in row.group(0) and "400" in row.group(0) and "&lt; 10" in row.group(0)
    assert '"label": "Actie"' in page  # the action's date is marked in the chart
    bad = hub.client.post("/patronen/7/acties", data={**body, "datum": "morgen"}, follow_redirects=False)
    assert bad.headers["location"].endswith("fout=invalid-date#zaak")


def test_a_note_with_personal_data_is_refused_without_echoing_it(hub: Hub) -> None:
    log_in(hub, "ana")
    token = csrf_of(get(hub, "/patronen/7").text)
    secret = "bel 06-12345678"
    answer = hub.client.post(
        "/patronen/7/notities", data={"tekst": secret, "csrf_token": token}, follow_redirects=False
    )
    assert answer.headers["location"].endswith("fout=personal-data-in-text#zaak")
    page = get(hub, answer.headers["location"]).text
    assert "persoonsgegevens" in page and "06-12345678" not in page
    # The refusal stands in the section the page opens at (#zaak), next to the forms, not at the top.
    section = page[page.index('<section id="zaak"') :]
    assert 'role="alert"' in section and 'role="alert"' not in page[: page.index('<section id="zaak"')]


# --- no CDN, and static files ----------------------------------------------------------------------------------------


def test_no_page_or_static_file_loads_anything_from_elsewhere(hub: Hub) -> None:
    log_in(hub, "ana")
    for path in (*PAGES, "/inloggen"):
        page = get(hub, path).text
        assert not EXTERNAL.search(page), path
        for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page):
            assert get(hub, asset).status_code == 200, asset
    for file in STATIC.rglob("*"):
        if file.suffix in {".js", ".css", ".svg", ".html"}:
            assert not EXTERNAL.search(file.read_text(encoding="utf-8")), file


def test_static_files_are_served_with_cache_headers(hub: Hub) -> None:
    versioned = re.search(r'href="(/static/hartslag.css\?v=[0-9a-f]+)"', get(hub, "/inloggen").text)
    assert versioned is not None
    response = get(hub, versioned.group(1))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/css")
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    plain = get(hub, "/static/vendor/htmx.min.js")
    assert plain.headers["cache-control"] == "public, max-age=86400"
    assert get(hub, "/static/../hub/app.py").status_code == 404


def test_the_vendored_files_match_their_recorded_hashes() -> None:
    import hashlib

    manifest = (STATIC / "vendor" / "VENDORED.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\S+) \| (\S+) \| `([^`]+)` \| `([0-9a-f]{64})` \| (\S+) \|$", manifest, re.M)
    assert {row[2] for row in rows} == {"htmx.min.js", "uPlot.iife.min.js", "uPlot.min.css"}
    for _package, _version, name, digest, _licence in rows:
        assert hashlib.sha256((STATIC / "vendor" / name).read_bytes()).hexdigest() == digest, name


# --- review findings: wording, periods, charts ---------------------------------------------------------------------


def test_the_overview_cards_name_every_organisation_kind_in_the_plural(hub: Hub) -> None:
    from governance.standard import codelist_codes
    from hub.dashboard.labels import KIND_PLURALS, kind_plural

    assert set(KIND_PLURALS) == set(codelist_codes("organisation-kinds"))
    assert kind_plural("flemish_local_government") == "Vlaamse lokale besturen"
    assert kind_plural("national_agency") == "rijksorganisaties"
    log_in(hub, "ana")
    page = get(hub, "/").text
    assert "van gemeenten</span>" in page and "van gemeente</span>" not in page


def test_the_patterns_period_is_compact_and_wraps_only_after_the_dash(hub: Hub) -> None:
    from hub.dashboard.render import format_period

    nbsp = "\u00a0"
    assert format_period("2025-05-26", "2025-06-15") == f"26{nbsp}mei – 15{nbsp}jun{nbsp}2025"
    assert format_period("2024-12-30", "2025-01-05") == f"30{nbsp}dec{nbsp}2024 – 5{nbsp}jan{nbsp}2025"
    assert format_period("2025-06-02", "2025-06-02") == f"2{nbsp}jun{nbsp}2025"
    log_in(hub, "ana")
    page = get(hub, "/patronen").text
    assert f'<td class="period">26{nbsp}mei – 15{nbsp}jun{nbsp}2025</td>' in page


def test_charts_name_their_lines_until_hovered_and_never_bridge_a_hidden_week() -> None:
    script = (STATIC / "hartslag.js").read_text(encoding="utf-8")
    # Values and the week appear only for a hovered index; before that the legend holds the names only.
    assert script.count("idx == null") >= 2 and "chart--idle" in script
    assert "chart--idle" in (STATIC / "hartslag.css").read_text(encoding="utf-8")
    # A hidden week stays a gap (a line across it would invent a value) and is shaded where every line is hidden.
    assert "spanGaps: false" in script and "spanGaps: true" not in script
    assert "hiddenPlugin(spec)" in script


def test_a_theme_with_a_hidden_pattern_count_shows_the_shown_sum_as_a_lower_bound(hub: Hub) -> None:
    insights: FakeInsights = hub.services.insights  # type: ignore[assignment]
    rows = [
        ThemeRow(theme="afval", label="Afval", patterns=43, signals=shown(2500), rising=1),
        ThemeRow(
            theme="verkeer", label="Verkeer", patterns=9, signals=HIDDEN, rising=0, signals_at_least=1210,
            hidden_patterns=1,
        ),
    ]  # fmt: skip
    insights.themes = lambda filters=Filters(): rows  # type: ignore[method-assign]
    log_in(hub, "ana")
    page = get(hub, "/themas").text
    assert "2.500" in page and "ten minste 1.210" in page
    assert "1 patroon met een verborgen aantal niet meegeteld" in page
