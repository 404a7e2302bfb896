"""Thin web views for officials: the levels of the jurisdiction's units on a day, one unit's "why" with its
14-day history, the households at risk of a commune or group, the capacity form, the province's adjustment
form, and noting a person's care need."""

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pccovid.audit.models import Purpose
from pccovid.core import clock
from pccovid.core.errors import ApplicationError, NotFound
from pccovid.risk import selectors, services
from pccovid.risk.forms import AdjustmentForm, CapacityForm, CareNeedForm, DayForm
from pccovid.web.views import official_required

PURPOSE = Purpose.EPIDEMIC_CONTROL


def _not_found(request: HttpRequest, error: NotFound | None = None) -> HttpResponse:
    message = error.message if error else NotFound().message
    return render(request, "web/not_found.html", {"message": message}, status=404)


def _day(request: HttpRequest) -> tuple[DayForm, dt.date]:
    form = DayForm(request.GET or None)
    on = (form.cleaned_data["on"] if form.is_valid() else None) or clock.today()
    return form, on


def _unit_code(request: HttpRequest) -> str | None:
    return (request.GET.get("unit") or request.POST.get("unit") or "").strip() or None


@official_required
def levels(request: HttpRequest, assignment, assignments) -> HttpResponse:
    """The children of the unit (default: the assignment's) with their level on the day."""
    form, on = _day(request)
    try:
        code = _unit_code(request)
        unit = selectors.unit_level(assignment=assignment, unit_code=code or assignment.unit.code, on=on)
        rows = selectors.unit_levels(assignment=assignment, unit_code=code, on=on)
    except NotFound as error:
        return _not_found(request, error)
    context = {
        "assignment": assignment,
        "unit": unit,
        "rows": rows,
        "on": on,
        "day_form": form,
        "is_own_unit": unit.unit_code == assignment.unit.code,
        "can_compute": assignment.allows("risk.capacity"),
        "can_see_households": assignment.allows("risk.households"),
    }
    return render(request, "risk/levels.html", context, status=400 if form.errors else 200)


@require_POST
@official_required
def compute(request: HttpRequest, assignment, assignments) -> HttpResponse:
    form = DayForm(request.POST)
    on = (form.cleaned_data["on"] if form.is_valid() else None) or clock.today()
    try:
        count = services.levels_compute_for(assignment=assignment, unit_code=_unit_code(request), on=on)
    except NotFound as error:
        return _not_found(request, error)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(n)d levels computed for %(day)s.") % {"n": count, "day": on.isoformat()}
        )
    query = f"?on={on.isoformat()}" + (f"&unit={_unit_code(request)}" if _unit_code(request) else "")
    return redirect(reverse("risk:levels") + query)


@official_required
def unit_detail(request: HttpRequest, assignment, assignments, code: str) -> HttpResponse:
    """One unit's level, its figures, the rule that applied, and its last 14 days."""
    form, on = _day(request)
    try:
        level = selectors.unit_level(assignment=assignment, unit_code=code, on=on)
        history = selectors.unit_history(assignment=assignment, unit_code=code, end=on)
    except NotFound as error:
        return _not_found(request, error)
    context = {
        "assignment": assignment,
        "level": level,
        "history": history,
        "on": on,
        "day_form": form,
        "has_children": level.unit_level != "group",
        "can_see_households": assignment.allows("risk.households")
        and level.unit_level in ("commune", "group"),
    }
    return render(request, "risk/unit.html", context)


@official_required
def households(request: HttpRequest, assignment, assignments, code: str) -> HttpResponse:
    try:
        found = selectors.households_at_risk(assignment=assignment, unit_code=code, purpose=PURPOSE)
    except NotFound as error:
        return _not_found(request, error)
    return render(
        request, "risk/households.html", {"assignment": assignment, "code": code, "households": found}
    )


@official_required
def capacity(request: HttpRequest, assignment, assignments) -> HttpResponse:
    form = CapacityForm(request.POST or None)
    code = _unit_code(request)
    try:
        if request.method == "POST" and form.is_valid():
            try:
                services.capacity_enter(assignment=assignment, unit_code=code, **form.cleaned_data)
            except NotFound:
                raise
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("Capacity saved; today's levels are recomputed."))
                return redirect(reverse("risk:capacity") + (f"?unit={code}" if code else ""))
        unit = selectors.unit_in_reach(assignment=assignment, unit_code=code, action="risk.capacity")
        latest = selectors.capacity_latest(assignment=assignment, unit_code=code)
    except NotFound as error:
        return _not_found(request, error)
    context = {"assignment": assignment, "unit": unit, "latest": latest, "form": form, "code": code or ""}
    return render(request, "risk/capacity.html", context, status=400 if form.errors else 200)


@official_required
def adjustments(request: HttpRequest, assignment, assignments) -> HttpResponse:
    """The province's adjustments; its officials with "risk.adjust" add one."""
    can_adjust = assignment.allows("risk.adjust") and assignment.unit.level == "province"
    form = AdjustmentForm(request.POST or None, initial=_initial())
    try:
        if request.method == "POST" and form.is_valid():
            try:
                services.adjustment_set(
                    assignment=assignment,
                    values=form.adjusted_values(),
                    reason=form.cleaned_data["reason"],
                    effective_from=form.cleaned_data["effective_from"],
                )
            except NotFound:
                raise
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Adjustment saved."))
                return redirect("risk:adjustments")
        rows = list(selectors.adjustments_of(assignment=assignment))
    except NotFound as error:
        return _not_found(request, error)
    context = {
        "assignment": assignment,
        "rows": rows,
        "form": form,
        "can_adjust": can_adjust,
        "rules": selectors.rules_in_force(),
    }
    return render(request, "risk/adjustments.html", context, status=400 if form.errors else 200)


def _initial() -> dict:
    values = selectors.rules_in_force()["values"]
    bands, coverage = values["case_bands"], values["coverage"]
    return {
        "band_2": bands[0], "band_3": bands[1], "band_4": bands[2], "older_age": coverage["older_age"],
        "older_threshold": coverage["older_threshold"], "adult_threshold": coverage["adult_threshold"],
        "green_zone_days": values["green_zone_days"], "effective_from": clock.today(),
    }  # fmt: skip


@official_required
def care_needs(request: HttpRequest, assignment, assignments) -> HttpResponse:
    """Note that a person in reach needs priority care (commune officials)."""
    if not assignment.allows("risk.households"):
        return _not_found(request)
    form = CareNeedForm(request.POST or None, initial={"person": request.GET.get("person", "")[:32]})
    if request.method == "POST" and form.is_valid():
        try:
            services.care_need_note(
                assignment=assignment,
                person_qid=form.cleaned_data["person"],
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
            )
        except NotFound as error:
            return _not_found(request, error)
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Care need noted."))
            return redirect("risk:care-needs")
    context = {"assignment": assignment, "form": form}
    return render(request, "risk/care_needs.html", context, status=400 if form.errors else 200)
