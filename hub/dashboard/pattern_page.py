# SPDX-License-Identifier: EUPL-1.2
"""The pattern page (Patroon) and its forms: change the status, set the owner, add a note or an action.

The page shows what the read model gives for one pattern (label, keywords, anonymised example texts when allowed,
weekly lines per organisation kind, the provinces as a tile map with a table, organisations, alert explanations,
similar patterns) and its case from :mod:`hub.casework` (status, owner, notes, actions with the volume before and
after each, history). Every form carries the session's CSRF token (checked by :data:`hub.deps.CsrfProtected`) and
answers with a redirect back to the page (post/redirect/get); a refused change comes back as a message chosen by
its error code, so no text the analyst typed is ever echoed into a URL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from governance.errors import HartslagError, NotFoundError
from hub.casework import CaseStatus
from hub.dashboard.access import PageNotFoundError, Viewer
from hub.dashboard.charts import series_chart, tile_map
from hub.dashboard.context import InsightsDep, Legend, casework_of, organisations_of
from hub.dashboard.render import render
from hub.deps import CsrfProtected
from hub.insight_models import Series

__all__ = ["MESSAGES", "PROBLEMS", "router"]

router = APIRouter(include_in_schema=False)

#: What was done, by the ``gedaan`` query parameter of the redirect.
MESSAGES = {
    "status": "De status is gewijzigd.",
    "eigenaar": "De eigenaar is vastgelegd.",
    "notitie": "De notitie is toegevoegd.",
    "actie": "De actie is vastgelegd.",
}

#: Why a change was refused, by the error code in the ``fout`` query parameter of the redirect.
PROBLEMS = {
    "transition-not-allowed": "Deze statuswijziging is niet toegestaan vanuit de huidige status.",
    "unknown-case-status": "Kies een status uit de lijst.",
    "case-text-invalid": "De tekst is leeg, te lang of bevat ongeldige tekens.",
    "personal-data-in-text": "De tekst bevat persoonsgegevens (zoals een naam, telefoonnummer of BSN). "
    "Haal die weg en probeer het opnieuw.",
    "unknown-organisation": "Kies een organisatie uit de lijst.",
    "invalid-date": "Vul een geldige datum in (jjjj-mm-dd).",
}

_REPRESENTATIVE_REASONS = {
    "te-klein": "Voorbeeldteksten worden alleen getoond bij patronen met minstens 10 signalen.",
    "een-organisatie": "Voorbeeldteksten worden alleen getoond als minstens 2 organisaties het patroon zien.",
    "niet-bewaard": "Voor dit patroon zijn geen voorbeeldteksten bewaard.",
}


def _with_total(total: Series, split: Series) -> Series:
    """The lines per organisation kind with the pattern's total line first (same weeks), so one chart shows both."""
    if total.weeks != split.weeks:
        return split
    lines = [line.model_copy(update={"label": "Totaal"}) for line in total.lines[:1]]
    return split.model_copy(update={"lines": lines + list(split.lines)})


def _back(pattern_id: int, *, done: str | None = None, problem: str | None = None) -> RedirectResponse:
    query = f"?gedaan={done}" if done else f"?fout={problem}" if problem else ""
    return RedirectResponse(f"/patronen/{pattern_id}{query}#zaak", status_code=303)


@router.get("/patronen/{pattern_id}", response_class=HTMLResponse)
def patroon(
    request: Request, pattern_id: int, user: Viewer, insights: InsightsDep, gedaan: str = "", fout: str = ""
) -> HTMLResponse:
    """Patroon: everything about one pattern, and what is being done about it."""
    try:
        detail = insights.pattern(pattern_id)
        case = casework_of(request).case(pattern_id)
    except NotFoundError:
        raise PageNotFoundError("Dit patroon bestaat niet, of heeft te weinig signalen om te tonen.") from None
    series = _with_total(
        insights.pattern_series(pattern_id, "totaal"), insights.pattern_series(pattern_id, "organisation_kind")
    )
    markers = [(action.day, "Actie") for action in case.actions]
    effects = [(action, *insights.volume_around(pattern_id, action.day)) for action in case.actions]
    representatives_reason = _REPRESENTATIVE_REASONS.get(detail.representatives.reason or "", "")
    return render(
        request,
        "patroon.html",
        detail=detail,
        summary=detail.summary,
        case=case,
        statuses=list(CaseStatus),
        series=series,
        chart=series_chart(series, markers),
        tiles=tile_map(detail.provinces),
        effects=effects,
        orgs=organisations_of(request),
        representatives_reason=representatives_reason,
        message=MESSAGES.get(gedaan),
        problem=PROBLEMS.get(fout, "De wijziging is niet doorgevoerd." if fout else None),
        today=date.today().isoformat(),
        legend=Legend,
    )


@router.post("/patronen/{pattern_id}/status")
def wijzig_status(
    request: Request,
    pattern_id: int,
    user: Viewer,
    csrf: CsrfProtected,
    status: Annotated[str, Form(max_length=40)],
    notitie: Annotated[str, Form(max_length=4000)] = "",
) -> RedirectResponse:
    """Change the pattern's status (the table of allowed changes is in :mod:`hub.casework`)."""
    return _apply(
        pattern_id, "status", lambda: casework_of(request).change_status(pattern_id, status, user.name, notitie)
    )


@router.post("/patronen/{pattern_id}/eigenaar")
def wijzig_eigenaar(
    request: Request,
    pattern_id: int,
    user: Viewer,
    csrf: CsrfProtected,
    eigenaar: Annotated[str, Form(max_length=40)],
) -> RedirectResponse:
    """Make an organisation the pattern's owner."""
    return _apply(pattern_id, "eigenaar", lambda: casework_of(request).set_owner(pattern_id, eigenaar, user.name))


@router.post("/patronen/{pattern_id}/notities")
def voeg_notitie_toe(
    request: Request,
    pattern_id: int,
    user: Viewer,
    csrf: CsrfProtected,
    tekst: Annotated[str, Form(max_length=4000)],
) -> RedirectResponse:
    """Add a note to the pattern's case."""
    return _apply(pattern_id, "notitie", lambda: casework_of(request).add_note(pattern_id, tekst, user.name))


@router.post("/patronen/{pattern_id}/acties")
def voeg_actie_toe(
    request: Request,
    pattern_id: int,
    user: Viewer,
    csrf: CsrfProtected,
    datum: Annotated[str, Form(max_length=10)],
    omschrijving: Annotated[str, Form(max_length=1000)],
) -> RedirectResponse:
    """Record an action taken on a date; the page then shows the volume before and after it."""
    try:
        day = date.fromisoformat(datum)
    except ValueError:
        return _back(pattern_id, problem="invalid-date")
    return _apply(
        pattern_id, "actie", lambda: casework_of(request).add_action(pattern_id, day, omschrijving, user.name)
    )


def _apply(pattern_id: int, done: str, change: Callable[[], object]) -> RedirectResponse:
    """Run ``change``; back to the page with what was done, or with the code of why it was refused."""
    try:
        change()
    except NotFoundError:
        raise PageNotFoundError("Dit patroon bestaat niet.") from None
    except HartslagError as exc:
        return _back(pattern_id, problem=exc.code)
    return _back(pattern_id, done=done)
