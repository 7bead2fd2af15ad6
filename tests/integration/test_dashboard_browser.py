# SPDX-License-Identifier: EUPL-1.2
"""The dashboard in a real browser: Debian's Chromium, driven by Playwright, against a real hub process.

The module fixture prepares a data folder the operator's way: a generated scenario (seed 7, a tenth of the signals
of 255 days: about 2,700 signals from 14 organisations, with the nitrous-oxide ban as a declared policy) imported
and matched with the real model (``hartslag.demo.evaluation``), an ``analist``, a ``beheerder`` and a ``werkgroep``
account made with ``hartslag hub user add``, two working-group members registered with ``hartslag governance member
add``, and ``hartslag hub serve`` (uvicorn) on a free loopback port.

The steps follow an analyst: log in, read the overview, filter the patterns, open a pattern, change its status and
record an action, open a policy, search, look at the themes; then the working group proposes a schema version by
upload, its members sign votes with ``hartslag governance sign`` and paste them in, and it publishes. Each step
asserts what the page shows, saves a screenshot to ``docs/screenshots/`` (laptop width; the overview and a pattern
also at tablet width) and runs an axe-core scan that must find no serious or critical violation. Playwright never
downloads a browser here.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.factories import make_keypair
from tests.integration.processes import HubProcess, hartslag
from tests.receivers import free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]

playwright_api = pytest.importorskip("playwright.sync_api")
axe_api = pytest.importorskip("axe_playwright_python.sync_playwright")

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
LAPTOP = {"width": 1366, "height": 900}
TABLET = {"width": 820, "height": 1180}  # a 10.9-inch tablet held upright
PASSWORD = "browser-test-wachtwoord"
SCALE = float(os.environ.get("HARTSLAG_DASHBOARD_TEST_SCALE", "0.1"))
DAYS = 255  # holds the nitrous-oxide ban (day 152) and the weeks after it
SERIOUS = {"serious", "critical"}

if not CHROMIUM.is_file():  # pragma: no cover - .ci/system-deps installs it
    pytest.skip("Debian's chromium is not installed (.ci/system-deps)", allow_module_level=True)


@dataclass
class Dashboard:
    """The running hub and the browser pointed at it; ``findings`` collects every axe result by page."""

    url: str
    browser: Any
    page: Any
    findings: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    members: Path = Path()  # the working-group members' key pairs (NAME.key.pem)

    def goto(self, path: str) -> Any:
        response = self.page.goto(self.url + path)
        self.page.wait_for_load_state("networkidle")
        return response

    def shot(self, name: str, page: Any = None) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        (page or self.page).screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def axe(self, name: str, page: Any = None) -> None:
        """Scan the page; no serious or critical violation (the rest is kept for the report)."""
        results = axe_api.Axe().run(page or self.page)
        violations = results.response["violations"]
        self.findings[name] = [
            {"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"]), "help": v["help"]} for v in violations
        ]
        serious = [v for v in violations if v["impact"] in SERIOUS]
        assert not serious, results.generate_report()


def _prepare(data: Path) -> None:
    from hartslag.demo.evaluation import load_into_hub, match
    from hartslag.demo.scenario import generate

    scenario = generate(seed=7, scale=SCALE, days=DAYS)
    assert load_into_hub(scenario, data) == len(scenario.signals)
    match(scenario, data)
    for name, role in (("ana", "analist"), ("bea", "beheerder"), ("wim", "werkgroep")):
        added = subprocess.run(
            [*hartslag(), "hub", "user", "add", name, "--role", role, "--password-stdin", "--data", str(data)],
            input=PASSWORD + "\n", capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
    for name, kind, organisation in (("anna", "municipality", "GM0363"), ("bert", "national_agency", "UWV")):
        pair = make_keypair(data.parent / "members", name)  # the working group: a municipality and a national agency
        member = [*hartslag(), "governance", "member", "add", name, "--organisation", organisation, "--kind", kind]
        added = subprocess.run(
            [*member, "--jwk", str(pair.jwks), "--data", str(data), "--actor", "beheer"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert added.returncode == 0, added.stderr


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    root = tmp_path_factory.mktemp("dashboard")
    data = root / "data"
    started = time.monotonic()
    _prepare(data)
    port = free_port()
    hub = HubProcess([*hartslag(), "hub", "serve", "--data", str(data), "--port", str(port)], port, root / "hub.log")
    hub.start()
    try:
        hub.wait_healthy(60)
        print(f"\ndashboard fixture ready in {time.monotonic() - started:.0f} s")
        with playwright_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            context = browser.new_context(viewport=LAPTOP, locale="nl-NL", timezone_id="Europe/Amsterdam")
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            board = Dashboard(hub.url, browser, page, members=root / "members")
            yield board
            assert not errors, errors  # no script error on any page
            print("axe findings (none serious or critical):", json.dumps(board.findings, indent=1))
            browser.close()
    finally:
        if hub.process is not None:
            hub.process.terminate()
            hub.process.wait(timeout=30)


def _log_in(board: Dashboard, page: Any, name: str, path: str = "/") -> None:
    page.goto(board.url + path)
    assert "/inloggen" in page.url
    page.fill("input[name=naam]", name)
    page.fill("input[name=wachtwoord]", PASSWORD)
    page.click("form[action='/inloggen'] button[type=submit]")
    page.wait_for_load_state("networkidle")


def _expect(locator: Any) -> Any:
    return playwright_api.expect(locator)


def test_log_in_and_read_the_overview(dashboard: Dashboard) -> None:
    page = dashboard.page
    page.goto(dashboard.url + "/patronen")
    assert re.search(r"/inloggen\?next=%2Fpatronen$", page.url)  # sent to log in first
    dashboard.shot("inloggen")
    dashboard.axe("inloggen")
    _log_in(dashboard, page, "ana", "/patronen")
    assert page.url.endswith("/patronen")  # and back where they were going
    dashboard.goto("/")
    _expect(page.locator("h1")).to_have_text("Overzicht")
    _expect(page.locator("nav[aria-label=Hoofdmenu] a[aria-current=page]")).to_have_text("Overzicht")
    _expect(page.locator(".site-header")).to_contain_text("ana")
    assert page.locator("#per-dag-titel + .chart__canvas canvas").count() == 1  # uPlot drew the heartbeat
    days = page.locator("figure.chart table tbody tr")
    assert days.count() >= 30
    assert page.locator(".cards .card").count() >= 3
    _expect(page.locator("#meldingen-kop")).to_have_text("Open meldingen")
    _expect(page.locator(".legend")).to_contain_text("minder dan 10 signalen, niet getoond om personen te beschermen")
    dashboard.shot("overzicht")
    dashboard.axe("overzicht")


def test_filter_the_patterns(dashboard: Dashboard) -> None:
    page = dashboard.page
    dashboard.goto("/patronen")
    _expect(page.locator("h1")).to_have_text("Patronen")
    rows = page.locator("#patronen-resultaat tbody tr")
    everything = rows.count()
    assert everything >= 5
    total_text = page.locator("#patronen-resultaat [role=status]").inner_text()
    page.select_option("#theme", "afval")  # htmx swaps the list; the filter lands in the address
    page.wait_for_url(re.compile(r"theme=afval"))
    _expect(page.locator("#patronen-resultaat [role=status]")).not_to_have_text(total_text)
    _expect(page.locator("#patronen-resultaat [role=status]")).to_contain_text("met deze filters")
    filtered = page.locator("#patronen-resultaat tbody tr")
    assert 1 <= filtered.count() <= everything
    for index in range(filtered.count()):
        assert "Afval" in filtered.nth(index).locator("td").nth(1).inner_text()
    csv_link = page.locator("#patronen-resultaat a[download]", has_text="CSV")
    href = csv_link.get_attribute("href")
    assert href is not None and href.startswith("/v1/patterns?") and "theme=afval" in href and "format=csv" in href
    exported = page.request.get(dashboard.url + href)  # the session cookie is enough for the export
    assert exported.status == 200 and exported.headers["content-type"].startswith("text/csv")
    assert exported.text().splitlines()[0].startswith("id,label")
    listed = int(page.locator("#patronen-resultaat [role=status] strong").inner_text().replace(".", ""))
    assert len(exported.text().splitlines()) == min(listed, 200) + 1  # the export holds the whole filtered list
    dashboard.shot("patronen")
    dashboard.axe("patronen")


def test_open_a_pattern_change_its_status_and_record_an_action(dashboard: Dashboard) -> None:
    page = dashboard.page
    dashboard.goto("/patronen?scope=landelijk")
    first = page.locator("#patronen-resultaat tbody tr a").first
    label = first.inner_text()
    first.click()
    page.wait_for_load_state("networkidle")
    assert re.search(r"/patronen/\d+$", page.url)
    _expect(page.locator("h1")).to_have_text(label)
    _expect(page.locator(".facts")).to_contain_text("Landelijk")
    assert page.locator(".tilemap .tile").count() == 17
    assert page.locator("#reeks-titel + .chart__canvas canvas").count() == 1
    assert page.locator("#organisaties-kop + .table-wrap tbody tr").count() >= 2  # a national pattern
    _expect(page.locator("#voorbeelden-kop")).to_have_text("Voorbeeldteksten")
    _expect(page.locator("#zaak")).to_contain_text("nieuw")
    dashboard.shot("patroon")
    dashboard.axe("patroon")

    page.select_option("#status", "in_onderzoek")
    page.fill("#status-notitie", "Navragen bij de gemeenten in Noord-Holland")
    page.click("#zaak button:has-text('Status wijzigen')")
    page.wait_for_load_state("networkidle")
    _expect(page.locator(".notice--ok")).to_have_text("De status is gewijzigd.")
    history = page.locator("ol.timeline")
    _expect(history).to_contain_text("status van nieuw naar in onderzoek")
    _expect(history).to_contain_text("ana")
    _expect(page.locator("#zaak .timeline").first).to_contain_text("Navragen bij de gemeenten")  # the note
    _expect(page.locator(".facts")).to_contain_text("in onderzoek")

    page.fill("#actie-datum", "2025-07-01")
    page.fill("#actie-omschrijving", "Voorlichting via de gemeentelijke websites")
    page.click("#zaak button:has-text('Actie vastleggen')")
    page.wait_for_load_state("networkidle")
    _expect(page.locator(".notice--ok")).to_have_text("De actie is vastgelegd.")
    action = page.locator("table", has_text="4 weken ervoor").locator("tbody tr").first
    _expect(action).to_contain_text("1 jul 2025")
    cells = action.locator("td.num")
    for index in range(2):  # the volume before and after the action, each a number or a suppression sign
        assert re.fullmatch(r"[\d.]+|< 10|×", cells.nth(index).inner_text().strip())
    _expect(history).to_contain_text("actie vastgelegd voor 1 jul 2025")
    page.locator("#zaak").scroll_into_view_if_needed()
    page.locator("#zaak").screenshot(path=str(SHOTS / "patroon-opvolging.png"))
    dashboard.axe("patroon-na-actie")


def test_open_a_policy(dashboard: Dashboard) -> None:
    page = dashboard.page
    dashboard.goto("/beleid")
    _expect(page.locator("h1")).to_have_text("Beleid")
    page.click("text=Verbod op lachgas")
    page.wait_for_load_state("networkidle")
    _expect(page.locator("h1")).to_have_text("Verbod op lachgas")
    _expect(page.locator(".facts")).to_contain_text("2 jun 2025")
    effects = page.locator("table", has_text="Niveau na invoering").locator("tbody tr")
    assert effects.count() >= 1
    assert page.locator(".chart__canvas canvas").count() >= 1  # before/after charts with the policy's date marked
    _expect(effects.first).to_contain_text("Verbod op lachgas")  # the explanation names the policy
    dashboard.shot("beleid")
    dashboard.axe("beleid")


def test_search_signals_like_these(dashboard: Dashboard) -> None:
    page = dashboard.page
    dashboard.goto("/zoeken")
    page.fill("#q", "lege lachgascilinders op straat")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"q=lege"), timeout=60_000)
    status = page.locator("#zoek-resultaat [role=status]")
    _expect(status).to_contain_text("hierop", timeout=60_000)  # the first search loads the model
    hits = page.locator("#zoek-resultaat tbody tr")
    assert hits.count() >= 5
    assert page.locator("#zoek-resultaat tbody a[href^='/patronen/']").count() >= 1
    similarities = [int(t.strip().rstrip("%")) for t in page.locator("#zoek-resultaat tbody td.num").all_inner_texts()]
    assert similarities == sorted(similarities, reverse=True)  # most alike first
    assert re.search(r"lachgas|cilinder", page.locator("#zoek-resultaat tbody").inner_text().lower())
    dashboard.shot("zoeken")
    dashboard.axe("zoeken")


def test_themes_and_the_organisations_page(dashboard: Dashboard) -> None:
    page = dashboard.page
    dashboard.goto("/themas")
    _expect(page.locator("h1")).to_have_text("Thema's")
    assert page.locator("tbody tr").count() >= 5
    assert page.locator("tbody a[href^='/patronen?theme=']").count() >= 5
    dashboard.shot("themas")
    dashboard.axe("themas")
    assert dashboard.goto("/patronen/999999").status == 404  # unknown (or too small): one and the same answer
    _expect(page.locator("h1")).to_have_text("Niet gevonden")
    assert dashboard.goto("/beheer/organisaties").status == 403  # an analist is no beheerder
    _expect(page.locator("h1")).to_have_text("Geen toegang")

    context = dashboard.browser.new_context(viewport=LAPTOP, locale="nl-NL", timezone_id="Europe/Amsterdam")
    admin = context.new_page()
    _log_in(dashboard, admin, "bea", "/beheer/organisaties")
    _expect(admin.locator("h1")).to_have_text("Organisaties")
    assert admin.locator("table").first.locator("tbody tr").count() == 14  # the scenario's organisations
    _expect(admin.locator("table").first).to_contain_text("actief")
    dashboard.shot("organisaties", admin)
    dashboard.axe("organisaties", admin)
    context.close()


def test_the_dashboard_works_on_a_tablet(dashboard: Dashboard) -> None:
    context = dashboard.browser.new_context(
        viewport=TABLET, locale="nl-NL", timezone_id="Europe/Amsterdam", has_touch=True, is_mobile=True
    )
    tablet = context.new_page()
    _log_in(dashboard, tablet, "ana", "/")
    tablet.wait_for_load_state("networkidle")
    _expect(tablet.locator("h1")).to_have_text("Overzicht")
    assert tablet.locator(".chart__canvas canvas").count() == 1
    overflow = tablet.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0  # nothing sticks out sideways
    dashboard.shot("overzicht-tablet", tablet)
    dashboard.axe("overzicht-tablet", tablet)
    tablet.goto(dashboard.url + "/patronen")
    tablet.locator("#patronen-resultaat tbody tr a").first.click()
    tablet.wait_for_load_state("networkidle")
    assert tablet.locator(".tilemap .tile").count() == 17
    assert tablet.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    dashboard.shot("patroon-tablet", tablet)
    context.close()


def test_the_working_group_proposes_votes_and_publishes(dashboard: Dashboard, tmp_path: Path) -> None:
    from tests.governance.registry_support import longer_texts, signal_schema

    context = dashboard.browser.new_context(viewport=LAPTOP, locale="nl-NL", timezone_id="Europe/Amsterdam")
    page = context.new_page()
    _log_in(dashboard, page, "wim", "/werkgroep/standaard")
    _expect(page.locator("h1")).to_have_text("Standaard")
    _expect(page.locator("nav[aria-label=Hoofdmenu] a[aria-current=page]")).to_have_text("Standaard")
    assert page.locator("table tbody tr").count() == 12  # signal, batch and ten code lists
    dashboard.shot("werkgroep-standaard", page)
    dashboard.axe("werkgroep-standaard", page)

    page.click("text=Nieuwe versie voorstellen")
    page.wait_for_load_state("networkidle")
    schema_file = tmp_path / "signal-1.1.0.json"
    schema_file.write_text(json.dumps(signal_schema("1.1.0", longer_texts(5000))), encoding="utf-8")
    page.fill("#onderwerp", "signal")
    page.fill("#versie", "1.1.0")
    page.fill("#toelichting", "Langere teksten toestaan voor uitgebreide meldingen")
    page.set_input_files("#bestand", str(schema_file))
    dashboard.axe("werkgroep-voorstel", page)
    page.click("main button:has-text('Voorstellen')")
    page.wait_for_load_state("networkidle")
    _expect(page.locator("h1")).to_have_text("Signaal 1.1.0")
    _expect(page.locator(".notice--ok")).to_contain_text("Het voorstel is vastgelegd")
    _expect(page.locator("#rapport-kop + h3")).to_have_text("Tegen 1.0.0: verenigbaar")
    _expect(page.locator("#opdracht-goedkeuren")).to_have_value(
        re.compile(r"^hartslag governance sign signal 1\.1\.0 ")
    )

    download = page.request.get(page.url.split("?")[0] + "/schema.json")  # what the member reads and signs
    assert download.status == 200
    schema_file.write_bytes(download.body())
    for name, remaining in (("anna", "nog 1 goedkeuring"), ("bert", None)):
        signed = subprocess.run(
            [*hartslag(), "governance", "sign", "signal", "1.1.0", "--decision", "approve", "--schema",
             str(schema_file), "--member", name, "--key", str(dashboard.members / f"{name}.key.pem")],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert signed.returncode == 0, signed.stderr
        page.fill("#verklaring", signed.stdout.strip())
        page.click("main button:has-text('Stem laten tellen')")
        page.wait_for_load_state("networkidle")
        _expect(page.locator(".notice--ok")).to_have_text("De stem is geverifieerd en geteld.")
        if remaining:
            _expect(page.locator("#quorum")).to_contain_text(remaining)
            dashboard.shot("werkgroep-versie", page)
            dashboard.axe("werkgroep-versie", page)
    _expect(page.locator("#quorum")).to_contain_text("Het quorum is bereikt")
    _expect(page.locator(".facts")).to_contain_text("goedgekeurd")
    page.click("main button:has-text('Publiceren')")
    page.wait_for_load_state("networkidle")
    _expect(page.locator(".notice--ok")).to_contain_text("De versie is gepubliceerd")
    _expect(page.locator(".facts")).to_contain_text("gepubliceerd")
    _expect(page.locator("ol.timeline")).to_contain_text("van goedgekeurd naar gepubliceerd")

    page.goto(dashboard.url + "/werkgroep/standaard/verschil?onderwerp=signal&oud=1.0.0&nieuw=1.1.0")
    page.wait_for_load_state("networkidle")
    _expect(page.locator("#uitkomst-kop + p")).to_contain_text("Verenigbaar op niveau BACKWARD")
    _expect(page.locator("main table")).to_contain_text("text › maxLength")
    dashboard.shot("werkgroep-verschil", page)
    dashboard.axe("werkgroep-verschil", page)
    context.close()
