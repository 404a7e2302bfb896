"""Thin web views. Citizens: their reports with the commune's replies, and the form. Officials who handle
reports: the queue of their unit (filters; an HTMX request gets the table only), one report with its photo
and history, and the status change with a note to the citizen. Photos only through `photo`, which checks
who asks."""

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pccovid.core.errors import ApplicationError, NotFound
from pccovid.declarations import selectors as declaration_selectors
from pccovid.feedback import selectors, services
from pccovid.feedback.forms import QueueFilterForm, ReportForm, StatusForm
from pccovid.feedback.models import Status
from pccovid.geography import selectors as geography_selectors
from pccovid.geography.models import Edition, Level
from pccovid.identity import selectors as identity_selectors
from pccovid.web.views import citizen_required, official_required

PAGE_SIZE = 50


def _not_found(request: HttpRequest, error: NotFound | None = None) -> HttpResponse:
    message = error.message if error else NotFound().message
    return render(request, "web/not_found.html", {"message": message}, status=404)


def _offset(request: HttpRequest) -> int:
    value = request.GET.get("offset") or ""
    return int(value) if value.isdigit() and len(value) < 10 else 0


@citizen_required
def mine(request: HttpRequest) -> HttpResponse:
    person = identity_selectors.person_own(user=request.user)
    if person is None:
        return redirect("web:citizen-link")
    return render(request, "feedback/mine.html", {"reports": selectors.my_reports(person=person)})


def _units_hint(commune) -> list:
    """The communes of the citizen's province on both maps, offered as suggestions for the code."""
    if commune is None or commune.parent is None:
        return []
    province = commune.parent
    current = list(
        geography_selectors.units_list(
            edition=Edition.CURRENT, level=Level.COMMUNE, parent_code=province.code
        )
    )
    try:
        old_province = geography_selectors.unit_get(edition=Edition.PRE_2025, code=province.code)
    except NotFound:
        return current
    old = geography_selectors.unit_descendants(old_province).filter(level=Level.COMMUNE).order_by("path")
    return [*current, *old]


@citizen_required
def new(request: HttpRequest) -> HttpResponse:
    person = identity_selectors.person_own(user=request.user)
    if person is None:
        return redirect("web:citizen-link")
    commune = declaration_selectors.residence_commune(person=person)
    form = ReportForm(
        request.POST or None, request.FILES or None, initial={"unit": commune.code if commune else ""}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.citizen_report_submit(
                reporter=person,
                kind=data["kind"],
                edition=data["edition"],
                unit_code=data["unit"],
                place=data["place"],
                description=data["description"],
                photo=data["photo"],
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _("Report %(ref)s sent to %(unit)s. You will see its status here.")
                % {"ref": report.reference, "unit": report.unit.name},
            )
            return redirect("feedback:mine")
    context = {"form": form, "units": _units_hint(commune)}
    return render(request, "feedback/new.html", context, status=400 if form.errors else 200)


@official_required
def queue(request: HttpRequest, assignment, assignments) -> HttpResponse:
    form = QueueFilterForm(request.GET)
    page, error = None, None
    offset = _offset(request)
    try:
        filters = form.filters() if form.is_valid() else {}
        if form.errors:
            error = next(iter(form.errors.values()))[0]
        page = selectors.queue(assignment=assignment, limit=PAGE_SIZE, offset=offset, **filters)
    except NotFound as exc:
        return _not_found(request, exc)
    except ApplicationError as exc:
        error = exc.message
    query = request.GET.copy()
    query.pop("offset", None)
    query.pop("status", None)
    context = {
        "assignment": assignment,
        "assignments": assignments,
        "form": form,
        "page": page,
        "error": error,
        "statuses": [
            (value, label, page.by_status.get(value, 0) if page else 0) for value, label in Status.choices
        ],
        "query": query.urlencode(),
        "next_offset": offset + PAGE_SIZE if page and page.count > offset + PAGE_SIZE else None,
        "previous_offset": max(0, offset - PAGE_SIZE) if offset else None,
    }
    template = "feedback/_queue_table.html" if request.htmx else "feedback/queue.html"
    return render(request, template, context)


def _detail(request: HttpRequest, assignment, pk: int, form: StatusForm, status: int = 200) -> HttpResponse:
    try:
        report = selectors.report_get(assignment=assignment, report_id=pk)
    except NotFound as error:
        return _not_found(request, error)
    return render(
        request,
        "feedback/detail.html",
        {"report": report, "form": form, "assignment": assignment},
        status=status,
    )


@official_required
def detail(request: HttpRequest, assignment, assignments, pk: int) -> HttpResponse:
    return _detail(request, assignment, pk, StatusForm())


@require_POST
@official_required
def status_change(request: HttpRequest, assignment, assignments, pk: int) -> HttpResponse:
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            report = services.citizen_report_status_change(
                assignment=assignment,
                report_id=pk,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except NotFound as error:
            return _not_found(request, error)
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _("Report %(ref)s is now %(status)s.")
                % {"ref": report.reference, "status": report.get_status_display()},
            )
            return redirect("feedback:detail", pk)
    return _detail(request, assignment, pk, form, status=400)


def photo(request: HttpRequest, pk: int) -> HttpResponse:
    """The photo, to its reporter and to the officials who handle the report's commune; to anyone else it
    does not exist. Never cached by shared caches, never sniffed as another type."""
    if not request.user.is_authenticated:
        return redirect("web:citizen-login")
    try:
        report = selectors.report_photo_get(user=request.user, report_id=pk)
    except NotFound as error:
        return _not_found(request, error)
    response = FileResponse(report.photo.open("rb"), content_type=report.photo_content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = (
        f'inline; filename="{report.reference}.{report.photo.name.rsplit(".", 1)[-1]}"'
    )
    return response
