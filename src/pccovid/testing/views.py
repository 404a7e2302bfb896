"""Thin web views: the technician's fast form (scan or ID number), the lab's CSV upload with its report,
the site's retest to-do list, and the citizen's own results."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from pccovid.core.errors import ApplicationError, NotFound
from pccovid.identity import selectors as identity_selectors
from pccovid.qr import scan as qr_scan
from pccovid.testing import selectors, services
from pccovid.testing.forms import RecordForm, UploadForm
from pccovid.web.views import citizen_required, official_required


@citizen_required
def mine(request: HttpRequest) -> HttpResponse:
    person = identity_selectors.person_own(user=request.user)
    if person is None:
        return redirect("web:citizen-link")
    return render(request, "testing/mine.html", {"results": selectors.results_of(person=person)})


def _sites(assignment) -> list:
    return list(selectors.sites_in_reach(assignment=assignment).order_by("code")[:200])


@official_required
def record(request: HttpRequest, assignment, assignments) -> HttpResponse:
    sites = _sites(assignment)
    initial = {"sample_taken_at": timezone.localtime().replace(second=0, microsecond=0, tzinfo=None)}
    if sites:
        initial["site"] = request.session.get("testing_site") or sites[0].code
    form = RecordForm(request.POST or None, request.FILES or None, sites=sites, initial=initial)
    recorded, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                text = ""
                if data["text"] or data["image"]:
                    text = qr_scan.scanned_text(
                        text=data["text"], image=data["image"].read() if data["image"] else None
                    )
                qid = services.result_person_qid(scanned_text=text, id_number=data["id_number"])
                recorded = services.result_record(
                    assignment=assignment,
                    person_qid=qid,
                    kind=data["kind"],
                    sample_taken_at=data["sample_taken_at"],
                    result=data["result"],
                    ct_value=data["ct_value"],
                    site_code=data["site"],
                    external_id=data["external_id"] or None,
                )
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                status = 404 if isinstance(error, NotFound) else 400
            else:
                request.session["testing_site"] = data["site"]
                messages.success(request, _("Result recorded."))
        else:
            status = 400
    context = {"assignment": assignment, "form": form, "recorded": recorded, "has_sites": bool(sites)}
    return render(request, "testing/record.html", context, status=status)


@official_required
def upload(request: HttpRequest, assignment, assignments) -> HttpResponse:
    sites = _sites(assignment)
    form = UploadForm(request.POST or None, request.FILES or None, sites=sites)
    report, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                report = services.results_import_csv(
                    assignment=assignment, site_code=form.cleaned_data["site"], file=form.cleaned_data["file"]
                )
            except ApplicationError as error:
                form.add_error("file" if error.field == "file" else None, error.message)
                status = 400
        else:
            status = 400
    context = {"assignment": assignment, "form": form, "report": report, "has_sites": bool(sites)}
    return render(request, "testing/upload.html", context, status=status)


@official_required
def retests(request: HttpRequest, assignment, assignments) -> HttpResponse:
    try:
        due = selectors.retests_due(assignment=assignment)
    except ApplicationError as error:
        messages.error(request, error.message)
        due = []
    return render(request, "testing/retests.html", {"assignment": assignment, "due": due})
