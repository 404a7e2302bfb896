"""Thin web views. Health workers: record a dose (scan the person's QR or type their ID number).
Citizens: their vaccination record. Officials: coverage by unit and age band."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from pccovid.core import clock
from pccovid.core.errors import ApplicationError
from pccovid.identity import selectors as identity_selectors
from pccovid.vaccination import rules, selectors, services
from pccovid.vaccination.forms import CoverageForm, DoseForm
from pccovid.web.views import citizen_required, official_required

# Errors of these fields are shown beside the scan widget (the person).
PERSON_FIELDS = {"text", "image", "national_id", "person_qid"}


@official_required
def dose_new(request: HttpRequest, assignment, assignments) -> HttpResponse:
    """The fast form: the person (scan or ID number), then product, lot, dose number, date and site."""
    if assignment.role not in rules.RECORD_ROLES:
        return render(request, "vaccination/no_permission.html", {"assignment": assignment}, status=403)
    sites = list(selectors.sites_in_reach(assignment=assignment))
    form = DoseForm(
        request.POST or None,
        products=selectors.products_list(),
        sites=sites,
        initial={"given_on": clock.today(), "site_code": sites[0].code if len(sites) == 1 else None},
    )
    person_error = None
    if request.method == "POST" and form.is_valid():
        upload = request.FILES.get("image")
        try:
            qid = services.person_qid_presented(
                text=request.POST.get("text"),
                image=upload.read() if upload else None,
                national_id=form.cleaned_data["national_id"],
            )
            dose = services.dose_record(
                assignment=assignment,
                person_qid=qid,
                **{k: v for k, v in form.cleaned_data.items() if k != "national_id"},
            )
        except ApplicationError as error:
            if error.field in form.fields and error.field not in PERSON_FIELDS:
                form.add_error(error.field, error.message)
            else:
                person_error = error.message
        else:
            facts = selectors.vaccination_facts(person=dose.person)
            return render(
                request,
                "vaccination/dose_recorded.html",
                {"dose": dose, "facts": facts, "assignment": assignment},
            )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "vaccination/dose_form.html",
        {"form": form, "assignment": assignment, "person_error": person_error, "sites": sites},
        status=status,
    )


@citizen_required
def mine(request: HttpRequest) -> HttpResponse:
    person = identity_selectors.person_own(user=request.user)
    if person is None:
        return redirect("web:citizen-link")
    return render(
        request,
        "vaccination/mine.html",
        {
            "person": person,
            "doses": selectors.doses_of(person=person),
            "facts": selectors.vaccination_facts(person=person),
        },
    )


@official_required
def coverage(request: HttpRequest, assignment, assignments) -> HttpResponse:
    form = CoverageForm(request.GET or None)
    rows, error, unit, status = [], None, None, 200
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        try:
            unit = selectors.coverage_unit(assignment=assignment, unit_code=data.get("unit") or None)
            rows = selectors.coverage(assignment=assignment, unit_code=unit.code, on=data.get("on"))
        except ApplicationError as exc:
            error, status = exc.message, exc.status
    else:
        status = 400
    return render(
        request,
        "vaccination/coverage.html",
        {"form": form, "rows": rows, "error": error, "unit": unit, "assignment": assignment},
        status=status,
    )
