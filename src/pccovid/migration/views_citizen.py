"""Thin web views. Citizens: their records from the old apps, "this is not mine", "a dose is missing" and
their requests' outcomes. Officials: the open requests they decide (data engineers: not-mine; vaccination
staff: missing doses at their sites)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pccovid.core.errors import ApplicationError, NotFound
from pccovid.identity import selectors as identity_selectors
from pccovid.migration import corrections
from pccovid.migration.forms_citizen import DoseMissingForm, NotMineForm, ResolveForm
from pccovid.vaccination import selectors as vaccination_selectors
from pccovid.web.views import citizen_required, official_required

MINE = "legacy:mine"
QUEUE = "legacy:corrections"


def _not_found(request: HttpRequest, error: NotFound) -> HttpResponse:
    return render(request, "web/not_found.html", {"message": error.message}, status=404)


def _first_error(form) -> str:
    return next(iter(form.errors.values()))[0]


def _requests(person) -> list[dict]:
    return [
        {"row": row, "outcome": corrections.outcome_of(row)}
        for row in corrections.corrections_mine(person=person)
    ]


@citizen_required
def mine(request: HttpRequest) -> HttpResponse:
    """The citizen's own records (reading oneself: not audited)."""
    person = identity_selectors.person_own(user=request.user)
    if person is None:
        return redirect("web:citizen-link")
    context = {
        "person": person,
        "items": corrections.legacy_items_of(person=person),
        "requests": _requests(person),
        "form": NotMineForm(),
    }
    return render(request, "migration/citizen_legacy.html", context)


@require_POST
@citizen_required
def not_mine(request: HttpRequest, link_id: int) -> HttpResponse:
    form = NotMineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect(MINE)
    try:
        corrections.request_not_mine(user=request.user, link_id=link_id, message=form.cleaned_data["message"])
    except NotFound as error:
        return _not_found(request, error)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you: a data engineer will check this record."))
    return redirect(MINE)


def _dose_form(data=None) -> DoseMissingForm:
    return DoseMissingForm(
        data, products=vaccination_selectors.products_list(), sites=corrections.sites_to_ask()[:500]
    )


@citizen_required
def dose_missing(request: HttpRequest) -> HttpResponse:
    """The form (an HTMX request gets it alone, to open inside the vaccination page)."""
    if identity_selectors.person_own(user=request.user) is None:
        return redirect("web:citizen-link")
    form = _dose_form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            corrections.request_dose_missing(user=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Thank you: the vaccination site will check your dose."))
            return redirect(MINE)
    template = (
        "migration/citizen_dose_missing_form.html" if request.htmx else "migration/citizen_dose_missing.html"
    )
    return render(request, template, {"form": form}, status=400 if form.errors else 200)


@official_required
def queue(request: HttpRequest, assignment, assignments) -> HttpResponse:
    rows = corrections.corrections_open(assignment=assignment)
    return render(
        request,
        "migration/corrections_queue.html",
        {"assignment": assignment, "rows": rows, "form": ResolveForm()},
    )


@require_POST
@official_required
def resolve(request: HttpRequest, assignment, assignments, pk: int) -> HttpResponse:
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect(QUEUE)
    data = form.cleaned_data
    try:
        corrections.request_resolve(
            assignment=assignment, request_id=pk, accept=data["decision"] == "accept",
            outcome=data["outcome"], lot_number=data["lot_number"],
        )  # fmt: skip
    except NotFound as error:
        return _not_found(request, error)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Request decided: the citizen sees the outcome."))
    return redirect(QUEUE)
