"""Thin web views. Citizens: their household's orders, today's report, the release certificate. Officials:
orders (HTMX filters), one order and its release, alerts, facilities, the test sites' to-do list. Anyone:
verify a release certificate."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pccovid.audit.models import Purpose
from pccovid.core import clock
from pccovid.core.errors import ApplicationError, NotFound
from pccovid.identity import selectors as identity_selectors
from pccovid.qr import render as qr_render
from pccovid.qr import scan as qr_scan
from pccovid.quarantine import selectors, services
from pccovid.quarantine.forms import (
    SYMPTOM_LABELS,
    FacilityForm,
    OrderFilterForm,
    ReportForm,
    ResolveForm,
    VerifyForm,
)
from pccovid.web.views import citizen_required, official_required

PAGE_SIZE = 50
PURPOSE = Purpose.EPIDEMIC_CONTROL


def _not_found(request: HttpRequest, error: NotFound) -> HttpResponse:
    return render(request, "web/not_found.html", {"message": error.message}, status=404)


def _first_error(form) -> str:
    return next(iter(form.errors.values()))[0]


# --- Citizens ---------------------------------------------------------------------------------------------


def _order_view(order, form: ReportForm | None) -> dict:
    today = clock.today()
    return {
        "order": order,
        "day": selectors.day_of(order, today),
        "days": (order.ends_on - order.starts_on).days + 1,
        "tests": sorted(order.scheduled_tests.all(), key=lambda t: t.day_number),
        "form": form,
        "reported_today": any(r.on == today for r in order.reports.all()),
        "qr": mark_safe(qr_render.qr_svg(order.release_code, scale=4)) if order.release_code else "",  # segno
    }


@citizen_required
def mine(request: HttpRequest) -> HttpResponse:
    me = identity_selectors.person_own(user=request.user)
    if me is None:
        return redirect("web:citizen-link")
    posted = ReportForm(request.POST) if request.method == "POST" else None
    status = 200
    if posted is not None:
        if posted.is_valid():
            data = posted.cleaned_data
            try:
                services.daily_report_submit(user=request.user, person_qid=data["person"],
                                             temperature=data["temperature"], symptoms=data["symptoms"],
                                             note=data["note"])  # fmt: skip
            except ApplicationError as error:
                posted.add_error(error.field if error.field in posted.fields else None, error.message)
                status = 404 if isinstance(error, NotFound) else 400
            else:
                messages.success(request, _("Daily report sent. Thank you."))
                return redirect("quarantine:mine")
        else:
            status = 400
    entries = []
    for member in identity_selectors.household_members(person=me):
        for order in selectors.own_orders(person=member):
            form = None
            if order.status == "active":
                same = posted is not None and posted.data.get("person") == member.qid
                form = posted if same else ReportForm(initial={"person": member.qid})
            entries.append(_order_view(order, form))
    context = {"entries": entries, "symptom_labels": SYMPTOM_LABELS}
    return render(request, "quarantine/mine.html", context, status=status)


# --- Officials --------------------------------------------------------------------------------------------


def _offset(request: HttpRequest) -> int:
    value = request.GET.get("offset") or ""
    return int(value) if value.isdigit() and len(value) < 10 else 0


@official_required
def orders(request: HttpRequest, assignment, assignments) -> HttpResponse:
    form = OrderFilterForm(request.GET)
    page, error, offset = None, None, _offset(request)
    if form.is_valid():
        try:
            page = selectors.orders_list(
                assignment=assignment, purpose=PURPOSE, limit=PAGE_SIZE, offset=offset, **form.cleaned_data
            )
        except ApplicationError as exc:
            error = exc.message
    else:
        error = _first_error(form)
    query = request.GET.copy()
    query.pop("offset", None)
    context = {
        "assignment": assignment,
        "form": form,
        "page": page,
        "error": error,
        "query": query.urlencode(),
        "next_offset": offset + PAGE_SIZE if page and page.count > offset + PAGE_SIZE else None,
        "previous_offset": max(0, offset - PAGE_SIZE) if offset else None,
    }
    template = "quarantine/_orders_table.html" if request.htmx else "quarantine/orders.html"
    return render(request, template, context)


@official_required
def order(request: HttpRequest, assignment, assignments, pk: int) -> HttpResponse:
    try:
        found = selectors.order_get(assignment=assignment, order_id=pk, purpose=PURPOSE)
    except NotFound as error:
        return _not_found(request, error)
    context = {
        **_order_view(found, None),
        "blockers": selectors.release_blockers(order=found) if found.status == "active" else [],
        "can_release": assignment.allows(services.ACTION) and found.status == "active",
    }
    return render(request, "quarantine/order.html", context)


@require_POST
@official_required
def order_release(request: HttpRequest, assignment, assignments, pk: int) -> HttpResponse:
    try:
        services.order_release(assignment=assignment, order_id=pk)
    except NotFound as error:
        return _not_found(request, error)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Released. The release certificate is on the citizen's page."))
    return redirect("quarantine:order", pk)


@official_required
def alerts(request: HttpRequest, assignment, assignments) -> HttpResponse:
    services.alerts_raise_missed(unit=assignment.unit)
    found = selectors.alerts_open(assignment=assignment, purpose=PURPOSE)
    return render(request, "quarantine/alerts.html", {"assignment": assignment, "alerts": found,
                                                      "form": ResolveForm()})  # fmt: skip


@require_POST
@official_required
def alert_resolve(request: HttpRequest, assignment, assignments, pk: int) -> HttpResponse:
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("quarantine:alerts")
    try:
        services.alert_resolve(assignment=assignment, alert_id=pk, note=form.cleaned_data["note"])
    except NotFound as error:
        return _not_found(request, error)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Alert resolved."))
    return redirect("quarantine:alerts")


@official_required
def facilities(request: HttpRequest, assignment, assignments) -> HttpResponse:
    form = FacilityForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.facility_register(assignment=assignment, **form.cleaned_data)
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                status = error.status
            else:
                messages.success(request, _("Facility registered."))
                return redirect("quarantine:facilities")
        else:
            status = 400
    rows = selectors.facilities_list(assignment=assignment)
    context = {"assignment": assignment, "rows": rows, "form": form}
    return render(request, "quarantine/facilities.html", context, status=status)


@official_required
def tests_due(request: HttpRequest, assignment, assignments) -> HttpResponse:
    due = selectors.tests_due(assignment=assignment, purpose=PURPOSE)
    return render(request, "quarantine/tests_due.html", {"assignment": assignment, "due": due})


# --- Anyone -----------------------------------------------------------------------------------------------


def verify(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.POST or None, request.FILES or None)
    verdict, status = None, 200
    if request.method == "POST" and form.is_valid():
        image = form.cleaned_data["image"]
        try:
            text = qr_scan.scanned_text(text=form.cleaned_data["text"], image=image.read() if image else None)
        except ApplicationError as error:
            form.add_error(None, error.message)
            status = 400
        else:
            verdict = selectors.certificate_verify(text=text)
    elif request.method == "POST":
        status = 400
    return render(request, "quarantine/verify.html", {"form": form, "verdict": verdict}, status=status)
