"""Thin web views of the map. Officials: their jurisdiction coloured by level (date filter, legend, a side
panel per unit with its figures and why, drill-down, a residential group's households at risk for roles
allowed to see persons) and the same units as a table. Citizens and visitors: the public map of an area."""

import datetime as dt

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pccovid.audit.models import Purpose
from pccovid.core import clock
from pccovid.core.errors import ApplicationError, NotFound
from pccovid.geography.models import Edition, Level
from pccovid.identity import selectors as identity_selectors
from pccovid.maps import selectors
from pccovid.maps.forms import MapFilterForm
from pccovid.web.views import official_required

PURPOSE = Purpose.EPIDEMIC_CONTROL
LEGEND = (
    ("green", gettext_lazy("Level 1: low risk (new normal)")),
    ("yellow", gettext_lazy("Level 2: medium risk")),
    ("orange", gettext_lazy("Level 3: high risk")),
    ("red", gettext_lazy("Level 4: very high risk")),
    ("grey", gettext_lazy("Not computed")),
)


def _not_found(request: HttpRequest, error: NotFound | None = None) -> HttpResponse:
    message = error.message if error else NotFound().message
    return render(request, "web/not_found.html", {"message": message}, status=404)


def _filters(request: HttpRequest) -> tuple[MapFilterForm, str | None, dt.date]:
    """The form, the unit asked for and the day (today when absent or not a date)."""
    form = MapFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    return form, data.get("unit") or None, data.get("date") or clock.today()


def _map_context(view: selectors.MapView, form: MapFilterForm) -> dict:
    return {
        "view": view,
        "form": form,
        "on": view.on,
        "geojson": view.feature_collection,
        "legend": LEGEND,
        "tile_url": getattr(settings, "PCCOVID_MAP_TILE_URL", ""),
        "figure_labels": {name: str(label) for name, label in FIGURE_LABELS.items()},
    }


@official_required
def official_map(request: HttpRequest, assignment, assignments) -> HttpResponse:
    form, unit_code, on = _filters(request)
    try:
        view = selectors.official_map(assignment=assignment, unit_code=unit_code, on=on)
    except NotFound as error:
        return _not_found(request, error)
    context = _map_context(view, form) | {"assignment": assignment, "mode": "official"}
    return render(request, "maps/map.html", context)


@official_required
def unit_panel(request: HttpRequest, assignment, assignments, code: str) -> HttpResponse:
    """The side panel of one unit (an HTMX partial; a page of its own without JavaScript)."""
    _form, _unit, on = _filters(request)
    try:
        unit = selectors.official_unit(assignment=assignment, unit_code=code, on=on)
    except NotFound as error:
        return _not_found(request, error)
    context = {
        "unit": unit,
        "on": on,
        "figures": figure_rows(unit.figures),
        "can_households": assignment.allows("risk.households") and unit.unit_level == Level.RESIDENTIAL_GROUP,
    }
    return render(request, "maps/_panel.html" if request.htmx else "maps/unit.html", context)


@official_required
def unit_households(request: HttpRequest, assignment, assignments, code: str) -> HttpResponse:
    """A residential group's households at risk: personal data, only for roles with `risk.households`;
    each person shown is recorded in their audit trail by the risk app."""
    try:
        households = selectors.households_at_risk(assignment=assignment, unit_code=code, purpose=PURPOSE)
    except NotFound as error:
        return _not_found(request, error)
    except ApplicationError as error:
        return render(request, "web/not_found.html", {"message": error.message}, status=error.status)
    context = {"households": households, "code": code}
    return render(request, "maps/_households.html" if request.htmx else "maps/households.html", context)


def public_map(request: HttpRequest) -> HttpResponse:
    """Levels and counts of an area, counts under 5 suppressed. A signed-in citizen starts on their own
    commune and its neighbours; anyone can pick a province or a commune."""
    form, unit_code, on = _filters(request)
    edition = Edition.CURRENT
    if not unit_code and (commune := _own_commune(request)):
        unit_code, edition = commune.code, commune.edition
    view, status, error = None, 200, ""
    if unit_code:
        try:
            view = selectors.public_map(unit_code=unit_code, on=on, edition=edition)
        except NotFound as exc:
            status, error = 404, exc.message
    province = view.trail[0] if view and view.trail else None
    context = {
        "form": form,
        "on": on,
        "error": error,
        "provinces": selectors.provinces(),
        "province": province,
        "communes": selectors.communes_of(province=province) if province else [],
        "legend": LEGEND,
        "tile_url": getattr(settings, "PCCOVID_MAP_TILE_URL", ""),
        "mode": "public",
    }
    if view:
        context |= _map_context(view, form) | {
            "rows": [(unit, figure_rows(unit.figures)) for unit in view.units]
        }
    return render(request, "maps/public.html", context, status=status)


def _own_commune(request: HttpRequest):
    if not request.user.is_authenticated or not request.user.is_citizen:
        return None
    person = identity_selectors.person_own(user=request.user)
    return selectors.public_commune_of(unit=person.residence_unit) if person else None


def figure_rows(figures: dict) -> list[tuple[str, object]]:
    """(label, value) of the figures people read, in `FIGURE_LABELS` order (the rule's own parameters,
    such as the ages and windows, are in the "why" sentence); yes/no for flags."""
    rows = []
    for name, label in FIGURE_LABELS.items():
        if name in figures:
            value = figures[name]
            rows.append((str(label), (_("yes") if value else _("no")) if isinstance(value, bool) else value))
    return rows


FIGURE_LABELS = {
    "population": gettext_lazy("Population"),
    "registered_people": gettext_lazy("People registered here"),
    "week_start": gettext_lazy("Week from"),
    "community_cases_week": gettext_lazy("Community cases this week"),
    "cases_week": gettext_lazy("All new cases this week"),
    "imported_week": gettext_lazy("Imported cases this week"),
    "in_quarantine_week": gettext_lazy("Cases found in quarantine this week"),
    "community_per_100k": gettext_lazy("Community cases per 100,000 a week"),
    "case_band": gettext_lazy("Case band"),
    "community_cases_green_window": gettext_lazy("Community cases in 14 days"),
    "green_zone": gettext_lazy("Green zone"),
    "older_coverage": gettext_lazy("Older people with a first dose (%)"),
    "adult_coverage": gettext_lazy("Adults with a first dose (%)"),
    "f1_active": gettext_lazy("Active F1 contacts"),
    "beds": gettext_lazy("Beds"),
    "icu_beds": gettext_lazy("Intensive care beds"),
    "home_care_teams": gettext_lazy("Home-care teams"),
    "capacity_enough": gettext_lazy("Treatment capacity enough"),
}
