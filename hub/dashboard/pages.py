# SPDX-License-Identifier: EUPL-1.2
"""The analysts' pages: Overzicht, Patronen, Thema's, Beleid and Zoeken (the pattern page is in
:mod:`hub.dashboard.pattern_page`).

Each route reads its filters from the query string, asks the read model and renders a template; the lists answer
htmx requests for their fragment only, so changing a filter swaps the table without reloading the page (and
without htmx the same form reloads the page). Nothing here counts or filters data itself.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from governance.errors import HartslagError, NotFoundError
from hub.dashboard.access import PageNotFoundError, Viewer
from hub.dashboard.charts import day_chart, series_chart
from hub.dashboard.context import InsightsDep, Legend, casework_of, export_links, is_partial, organisations_of
from hub.dashboard.labels import SCOPES, codelist_options, parse_filters
from hub.dashboard.render import render
from hub.insight_models import Filters

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

PER_PAGE = 25
SEARCH_MAX = 1000


def _filter_context(request: Request) -> tuple[Filters, dict[str, Any]]:
    """The filters of the query string, and everything the filter form needs."""
    organisations = organisations_of(request)
    form = parse_filters(request.query_params, organisations)
    return form.filters, {
        "form": form,
        "filters": form.filters,
        "orgs": organisations,
        "options": {
            "theme": codelist_options("themes"),
            "organisation_kind": codelist_options("organisation-kinds"),
            "province": codelist_options("provinces"),
            "municipality": codelist_options("municipalities"),
            "scope": tuple(SCOPES.items()),
        },
        "legend": Legend,
    }


@router.get("/", response_class=HTMLResponse)
def overzicht(request: Request, user: Viewer, insights: InsightsDep) -> HTMLResponse:
    """Overzicht: the national heartbeat (signals per day, rising patterns, open alerts)."""
    filters, context = _filter_context(request)
    overview = insights.overview(Filters(period_from=filters.period_from, period_to=filters.period_to))
    return render(
        request,
        "overzicht.html",
        overview=overview,
        chart=day_chart(overview.per_day),
        exports=export_links("signalen-per-dag", filters),
        **context,
    )


@router.get("/patronen", response_class=HTMLResponse)
def patronen(
    request: Request, user: Viewer, insights: InsightsDep, pagina: Annotated[int, Query(ge=1, le=10_000)] = 1
) -> HTMLResponse:
    """Patronen: the patterns, filtered by period, theme, organisation (kind), province, municipality and scope."""
    filters, context = _filter_context(request)
    page = insights.patterns(filters, page=pagina, per_page=PER_PAGE)
    statuses = casework_of(request).statuses([p.id for p in page.items])
    query = filters.as_query()
    template = "_patronen_lijst.html" if is_partial(request, "patronen-resultaat") else "patronen.html"
    return render(
        request,
        template,
        page=page,
        statuses=statuses,
        query=query,
        exports=export_links("patronen", filters),
        **context,
    )


@router.get("/themas", response_class=HTMLResponse)
def themas(request: Request, user: Viewer, insights: InsightsDep) -> HTMLResponse:
    """Thema's: every theme with its patterns, signals and rising patterns."""
    filters, context = _filter_context(request)
    rows = insights.themes(Filters(period_from=filters.period_from, period_to=filters.period_to))
    return render(request, "themas.html", rows=rows, exports=export_links("themas", filters), **context)


@router.get("/beleid", response_class=HTMLResponse)
def beleid(request: Request, user: Viewer, insights: InsightsDep) -> HTMLResponse:
    """Beleid: the declared policies and how many effects were measured."""
    return render(request, "beleid.html", policies=insights.policies(), legend=Legend)


@router.get("/beleid/{name}", response_class=HTMLResponse)
def beleid_detail(request: Request, name: str, user: Viewer, insights: InsightsDep) -> HTMLResponse:
    """One policy: before/after charts of the patterns it touched, largest change first."""
    try:
        detail = insights.policy(name)
    except NotFoundError:
        raise PageNotFoundError("Dit beleid is niet bekend.") from None
    labels = {effect.pattern_id: effect.pattern_label for effect in detail.effects}
    charts = [
        (series, labels.get(series.pattern_id, f"Patroon {series.pattern_id}"),
         series_chart(series, [(detail.policy.date, "Beleid")]))
        for series in detail.series
    ]  # fmt: skip
    return render(request, "beleid_detail.html", detail=detail, charts=charts, legend=Legend)


@router.get("/zoeken", response_class=HTMLResponse)
def zoeken(
    request: Request,
    user: Viewer,
    insights: InsightsDep,
    q: Annotated[str, Query(max_length=SEARCH_MAX)] = "",
    signaal: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    """Zoeken: signals like a free text or like one signal ("signalen zoals deze"), and their patterns."""
    text, signal = q.strip(), signaal.strip()
    hits, problem, labels = [], None, {}
    if text or signal:
        try:
            hits = insights.search(text=text, k=20) if text else insights.search(signal_id=signal, k=20)
        except HartslagError as exc:
            problem = _search_problem(exc.code)
        else:  # name the listed patterns; a hit in a pattern too small to list links nowhere
            listed = insights.patterns(Filters(), page=1, per_page=200).items
            labels = {p.id: p.label for p in listed}
    template = "_zoeken_resultaat.html" if is_partial(request, "zoek-resultaat") else "zoeken.html"
    searched = bool(text or signal)
    return render(
        request, template, q=text, signal=signal, hits=hits, labels=labels, problem=problem, searched=searched,
        legend=Legend,
    )  # fmt: skip


def _search_problem(code: str) -> str:
    """A Dutch sentence for why searching did not work (never the search text)."""
    if code == "matching-not-run":
        return "Zoeken kan nog niet: de hub heeft de signalen nog niet vergeleken (matching heeft nog niet gedraaid)."
    if code == "signal-not-found":
        return "Dat signaal is niet (meer) doorzoekbaar: onbekend, of ouder dan de bewaartermijn van de vectoren."
    if code == "search-unavailable":
        return "Zoeken is op deze hub niet beschikbaar (het taalmodel voor matching is niet geïnstalleerd)."
    return "Zoeken lukte niet. Probeer het later opnieuw."
