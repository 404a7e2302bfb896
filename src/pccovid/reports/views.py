"""Thin web views: the index of forms and units in reach, a report (figures, the breakdown by unit, the
unit's entered values as an HTMX form, submit and correct, versions), and its CSV, Excel and PDF. Every
page and download goes through `selectors.report_build`: outside the official's unit is "not found"."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pccovid.core.errors import ApplicationError, Forbidden, NotFound
from pccovid.reports import exports, selectors, services
from pccovid.reports.forms import CorrectionForm, EntriesForm, ReportQueryForm
from pccovid.web.views import official_required

EXPORTS = {
    "csv": (exports.report_csv, "text/csv; charset=utf-8"),
    "xlsx": (exports.report_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pdf": (exports.report_pdf, "application/pdf"),
}


def _error(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    if isinstance(error, NotFound):
        return render(request, "web/not_found.html", {"message": error.message}, status=404)
    return render(request, "reports/error.html", {"message": error.message}, status=error.status)


def _query(request: HttpRequest) -> tuple[str, object]:
    """The unit code and day of the request; a malformed day is a 400 (ApplicationError)."""
    form = ReportQueryForm(request.GET)
    if not form.is_valid():
        raise ApplicationError(next(iter(form.errors.values()))[0], field="date")
    return form.cleaned_data["unit"], form.cleaned_data["date"]


def _report(request: HttpRequest, assignment, form: str) -> selectors.Report:
    unit_code, on = _query(request)
    return selectors.report_build(assignment=assignment, form=form, unit_code=unit_code, on=on)


def _report_url(report: selectors.Report) -> str:
    query = urlencode({"unit": report.unit.code, "date": report.on.isoformat()})
    return f"{reverse('reports:report', args=[report.form.key])}?{query}"


def _context(report: selectors.Report, entries_form=None, correction_form=None) -> dict:
    current_rows = {e.field: e for e in report.entries}
    current = {key: e.value for key, e in current_rows.items()}
    return {
        "report": report,
        "query": urlencode({"unit": report.unit.code, "date": report.on.isoformat()}),
        "sections": [
            (title, [(f, report.figures[f.key]) for f in fields])
            for _k, title, fields in report.form.sections
        ],
        "fields": report.form.fields,
        "entries_form": entries_form or EntriesForm(form=report.form, initial_values=current),
        "correction_form": correction_form or CorrectionForm(),
        "entered_rows": [
            (f, report.figures[f.key], current_rows.get(f.key)) for f in report.form.entered_fields
        ],
    }


@official_required
def index(request: HttpRequest, assignment, assignments) -> HttpResponse:
    form = ReportQueryForm(request.GET)
    on = form.cleaned_data["date"] if form.is_valid() else None
    try:
        selectors.report_unit(assignment=assignment)
        on = selectors.report_day(on=on)
    except ApplicationError as error:
        return _error(request, error)
    context = {
        "assignment": assignment,
        "form": form,
        "on": on,
        "forms": selectors.forms_list(),
        "units": selectors.units_in_reach(assignment=assignment),
        "error": None if form.is_valid() else next(iter(form.errors.values()))[0],
    }
    return render(request, "reports/index.html", context, status=200 if form.is_valid() else 400)


@official_required
def report(request: HttpRequest, assignment, assignments, form: str) -> HttpResponse:
    try:
        found = _report(request, assignment, form)
    except ApplicationError as error:
        return _error(request, error)
    return render(request, "reports/report.html", _context(found))


@require_POST
@official_required
def entries(request: HttpRequest, assignment, assignments, form: str) -> HttpResponse:
    """The unit's values (HTMX: the form again, saved or with its errors; otherwise back to the page)."""
    try:
        found = _report(request, assignment, form)
    except ApplicationError as error:
        return _error(request, error)
    posted = EntriesForm(request.POST, form=found.form)
    status = 200
    if posted.is_valid():
        try:
            services.report_entries_save(
                assignment=assignment,
                form=form,
                unit_code=found.unit.code,
                on=found.on,
                values=posted.values(),
            )
        except (NotFound, Forbidden) as error:
            return _error(request, error)
        except ApplicationError as error:
            posted.add_error(error.field if error.field in posted.fields else None, error.message)
            status = 400
        else:
            if not request.htmx:
                messages.success(request, _("Values saved."))
                return redirect(_report_url(found))
            found = _report(request, assignment, form)
            posted = None
    else:
        status = 400
    template = "reports/_entries.html" if request.htmx else "reports/report.html"
    context = _context(found, entries_form=posted)
    context["saved"] = posted is None
    return render(request, template, context, status=status)


@require_POST
@official_required
def submit(request: HttpRequest, assignment, assignments, form: str) -> HttpResponse:
    """Submit, or (with a reason, and possibly new values) correct the submitted report."""
    try:
        found = _report(request, assignment, form)
    except ApplicationError as error:
        return _error(request, error)
    values_form = EntriesForm(request.POST, form=found.form)
    reason_form = CorrectionForm(request.POST)
    if not (values_form.is_valid() and reason_form.is_valid()):
        return render(request, "reports/report.html", _context(found, values_form, reason_form), status=400)
    try:
        submission = services.report_submit(
            assignment=assignment,
            form=form,
            unit_code=found.unit.code,
            on=found.on,
            reason=reason_form.cleaned_data["reason"],
            values=values_form.values(),
        )
    except (NotFound, Forbidden) as error:
        return _error(request, error)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Report submitted (version %(v)d).") % {"v": submission.version})
    return redirect(_report_url(found))


@official_required
def export(request: HttpRequest, assignment, assignments, form: str, fmt: str) -> HttpResponse:
    if fmt not in EXPORTS:
        return _error(request, NotFound(_("No such download format.")))
    try:
        found = _report(request, assignment, form)
    except ApplicationError as error:
        return _error(request, error)
    render_file, content_type = EXPORTS[fmt]
    response = HttpResponse(render_file(found), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(found, fmt)}"'
    return response
