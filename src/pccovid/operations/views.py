"""Thin web views: the city dashboard (its panels re-drawn by HTMX when the range changes), the
data-quality page, and the exports (streamed files)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from pccovid.core.errors import ApplicationError, NotFound
from pccovid.operations import charts, selectors, services
from pccovid.operations.api import export_response
from pccovid.operations.forms import RangeForm
from pccovid.web.views import official_required


def _refused(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    """Out of reach is the site's "not found" page; "may look but not do" a 403 page with the reason."""
    if isinstance(error, NotFound):
        return render(request, "web/not_found.html", {"message": error.message}, status=404)
    return render(request, "operations/refused.html", {"message": error.message}, status=error.status)


def _charts(board: selectors.Dashboard) -> dict:
    bars = [
        (name, percent) for _code, name, _pop, _full, percent in selectors.coverage_by_child(board.coverage)
    ]
    return {
        "tests_chart": charts.tests_chart(
            board.tests, chart_id="tests-chart", title=_("Tests per day and percent positive")
        ),
        "coverage_chart": charts.percent_bars(
            bars, chart_id="coverage-chart", title=_("Full primary series, percent of the population")
        ),
    }


@official_required
def dashboard(request: HttpRequest, assignment, assignments) -> HttpResponse:
    form = RangeForm(request.GET)
    context = {"assignment": assignment, "form": form, "sources": selectors.SOURCES}
    if not form.is_valid():
        return render(request, "operations/dashboard.html", context, status=400)
    data = form.cleaned_data
    try:
        chosen = selectors.date_range(start=data["start"], end=data["end"], days=data["days"])
        board = selectors.dashboard(assignment=assignment, unit_code=data["unit"], chosen=chosen)
    except NotFound as error:
        return _refused(request, error)
    except ApplicationError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return render(request, "operations/dashboard.html", context, status=error.status)
    context |= {
        "board": board,
        "coverage_bars": selectors.coverage_by_child(board.coverage),
        "can_export": assignment.allows(selectors.EXPORT),
        **_charts(board),
    }
    if request.htmx:
        return render(request, "operations/_panels.html", context)
    context["quality"] = selectors.quality(assignment=assignment, unit_code=data["unit"])
    return render(request, "operations/dashboard.html", context)


@official_required
def quality(request: HttpRequest, assignment, assignments) -> HttpResponse:
    form = RangeForm(request.GET)
    if not form.is_valid():  # only a malformed unit code can be wrong here: no such unit
        return _refused(request, NotFound())
    try:
        found = selectors.quality(assignment=assignment, unit_code=form.cleaned_data["unit"])
    except ApplicationError as error:
        return _refused(request, error)
    context = {"assignment": assignment, "quality": found, "sources": selectors.SOURCES}
    return render(request, "operations/quality.html", context)


@official_required
def export(request: HttpRequest, assignment, assignments, fmt: str) -> HttpResponse:
    form = RangeForm(request.GET)
    if not form.is_valid():
        return _refused(request, NotFound())
    try:
        found = services.records_export(assignment=assignment, unit_code=form.cleaned_data["unit"], fmt=fmt)
    except ApplicationError as error:
        return _refused(request, error)
    return export_response(found)
