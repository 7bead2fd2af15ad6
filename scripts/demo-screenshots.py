# SPDX-License-Identifier: EUPL-1.2
"""Screenshots of a running demo's dashboard for the README: what a newcomer sees after ``make demo``.

Start the demo first (``make demo`` or ``hartslag demo``), wait for "ready", then, with the password printed by the
demo (also in ``<data>/logins``)::

    .venv/bin/python scripts/demo-screenshots.py --url http://127.0.0.1:8000 --user analist --password ... \\
        --out docs/screenshots

It logs in through the dashboard's own form and saves three full-page shots at laptop width (1366 px):

- ``demo-overzicht.png``: the overview (``/``);
- ``demo-patronen-landelijk.png``: the patterns list filtered to national scope (``/patronen?scope=landelijk``);
- ``demo-lachgas.png``: the planted nitrous-oxide pattern: a national pattern whose label or keywords mention
  lachgas or cilinders and whose page lists a cross-organisation alert (a label match first); when none has such an
  alert, the first whose label mentions it, with a warning. ``--pattern ID`` picks one by hand.

Playwright drives Debian's Chromium (``/usr/bin/chromium``); it never downloads a browser.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import ViewportSize, sync_playwright

__all__ = ["main"]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LAPTOP: ViewportSize = {"width": 1366, "height": 900}
NITROUS = re.compile(r"lachgas|cilinder", re.IGNORECASE)
CROSS_ORG = "Bij meerdere organisaties tegelijk"  # the Dutch label of a ``cross_org`` alert
MAX_LIST_PAGES = 20  # the national list is short; this only stops a runaway pager
TIMEOUT_MS = 300_000  # a page's first view after "ready" can take minutes at full demo scale (releases computed)


def _goto(page: Any, url: str) -> float:
    """Open ``url`` and wait until the page (and its htmx/chart requests) settle; the seconds that took."""
    started = time.monotonic()
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return time.monotonic() - started


def _log_in(page: Any, url: str, user: str, password: str) -> None:
    _goto(page, url + "/inloggen")
    page.fill("input[name=naam]", user)
    page.fill("input[name=wachtwoord]", password)
    page.click("form[action='/inloggen'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    if "/inloggen" in page.url:
        raise SystemExit(f"login as {user!r} failed: still on {page.url}")


def _candidates(page: Any, url: str) -> list[tuple[str, bool]]:
    """National patterns whose row (label and shown keywords) mentions nitrous oxide or its cylinders, in list
    order, each as (link, whether the label itself mentions it)."""
    found: list[tuple[str, bool]] = []
    for number in range(1, MAX_LIST_PAGES + 1):
        _goto(page, f"{url}/patronen?scope=landelijk&pagina={number}")
        rows = page.locator("#patronen-resultaat tbody tr")
        for index in range(rows.count()):
            cell = rows.nth(index).locator("td").first
            link = cell.locator("a").first
            if NITROUS.search(cell.inner_text()):
                found.append((str(link.get_attribute("href")), bool(NITROUS.search(link.inner_text()))))
        if page.locator("nav.pager a", has_text="Volgende").count() == 0:
            break
    return found


def _nitrous_pattern(page: Any, url: str) -> str:
    """The path of the nitrous-oxide pattern to show: a candidate with a cross-organisation alert (label match
    before keyword match); when none has one, the first whose label mentions it, with a warning on stderr."""
    candidates = _candidates(page, url)
    if not candidates:
        raise SystemExit("no national pattern mentions lachgas or cilinders; pass --pattern ID")
    ranked = sorted(candidates, key=lambda candidate: not candidate[1])  # stable: list order within each group
    for href, _ in ranked:
        _goto(page, url + href)
        if CROSS_ORG in page.locator("section[aria-labelledby=meldingen-kop]").inner_text():
            return href
    chosen = ranked[0][0]
    print(
        f"warning: none of {len(candidates)} nitrous-oxide patterns has a cross-organisation alert; showing {chosen}",
        file=sys.stderr,
    )
    return chosen


def main(argv: list[str] | None = None) -> int:
    """Log in, take the three screenshots, print where they went."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the demo hub (default: %(default)s)")
    parser.add_argument("--user", default="analist", help="demo login name (default: %(default)s)")
    parser.add_argument("--password", required=True, help="its password, as printed by the demo")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"), help="folder (default: %(default)s)")
    parser.add_argument("--pattern", type=int, help="pattern id for demo-lachgas.png instead of searching")
    args = parser.parse_args(argv)
    url = args.url.rstrip("/")
    args.out.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport=LAPTOP, locale="nl-NL", timezone_id="Europe/Amsterdam")
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        page = context.new_page()
        _log_in(page, url, args.user, args.password)
        shots = {
            "demo-overzicht.png": "/",
            "demo-patronen-landelijk.png": "/patronen?scope=landelijk",
        }
        shots["demo-lachgas.png"] = f"/patronen/{args.pattern}" if args.pattern else _nitrous_pattern(page, url)
        for name, path in shots.items():
            seconds = _goto(page, url + path)
            page.screenshot(path=str(args.out / name), full_page=True)
            print(f"{args.out / name}: {path} (loaded in {seconds:.1f} s)")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
