"""Thin web views. Citizens: choose the form and whom it is for, fill it, see the confirmation and their
list. Officials: the filtered list (an HTMX request gets the table only), one declaration, follow-up, CSV."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pccovid.audit.models import Purpose
from pccovid.core.errors import ApplicationError, NotFound
from pccovid.declarations import rules, selectors, services
from pccovid.declarations.exports import declarations_csv
from pccovid.declarations.forms import FORMS, ConsoleFilterForm, FollowUpForm, StartForm
from pccovid.declarations.models import FollowUp, Kind
from pccovid.geography import selectors as geography_selectors
from pccovid.geography.models import Edition, Level
from pccovid.identity import selectors as identity_selectors
from pccovid.web.views import citizen_required, official_required

PAGE_SIZE = 50


def _not_found(request: HttpRequest, error: NotFound) -> HttpResponse:
    return render(request, "web/not_found.html", {"message": error.message}, status=404)


def _own_person(request: HttpRequest):
    return identity_selectors.person_own(user=request.user)


@citizen_required
def citizen_list(request: HttpRequest) -> HttpResponse:
    person = _own_person(request)
    if person is None:
        return redirect("web:citizen-link")
    return render(
        request,
        "declarations/citizen_list.html",
        {"person": person, "declarations": selectors.my_declarations(person=person)},
    )


@citizen_required
def citizen_start(request: HttpRequest) -> HttpResponse:
    person = _own_person(request)
    if person is None:
        return redirect("web:citizen-link")
    members = selectors.declarable_persons(declared_by=person)
    form = StartForm(
        request.GET or None, members=members, initial={"person": person.qid, "kind": Kind.DOMESTIC}
    )
    if form.is_valid():
        url = reverse("declarations:new", args=[form.cleaned_data["kind"]])
        return redirect(f"{url}?person={form.cleaned_data['person']}")
    return render(request, "declarations/citizen_start.html", {"form": form})


def _units_hint(person) -> list:
    """Provinces and the communes of the person's province, offered as suggestions for unit codes."""
    provinces = list(geography_selectors.units_list(edition=Edition.CURRENT, level=Level.PROVINCE))
    stay = selectors.residence_commune(person=person)
    if stay is None or stay.parent is None:
        return provinces
    communes = geography_selectors.units_list(
        edition=Edition.CURRENT, level=Level.COMMUNE, parent_code=stay.parent.code
    )
    return [*provinces, *communes]


@citizen_required
def citizen_new(request: HttpRequest, kind: str) -> HttpResponse:
    declared_by = _own_person(request)
    if declared_by is None:
        return redirect("web:citizen-link")
    if kind not in FORMS:
        return _not_found(request, NotFound())
    try:
        person = selectors.declarable_person(declared_by=declared_by, qid=request.GET.get("person"))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("declarations:start")
    form_class = FORMS[kind]
    stay = selectors.residence_commune(person=person)
    initial = {"stay_unit": stay.code if stay else "", "stay_address": person.address_line}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            declaration = services.declaration_submit(
                declared_by=declared_by, person=person, data={**form.cleaned_data, "kind": kind}
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return redirect("declarations:done", declaration.pk)
    context = {"form": form, "kind": kind, "person": person, "units": _units_hint(person)}
    return render(request, "declarations/citizen_form.html", context)


@citizen_required
def citizen_done(request: HttpRequest, pk: int) -> HttpResponse:
    person = _own_person(request)
    if person is None:
        return redirect("web:citizen-link")
    try:
        declaration = selectors.my_declaration(person=person, declaration_id=pk)
    except NotFound as error:
        return _not_found(request, error)
    return render(request, "declarations/citizen_done.html", {"declaration": declaration})


@official_required
def console_list(request: HttpRequest, assignment, assignments) -> HttpResponse:
    form = ConsoleFilterForm(request.GET)
    page, error = None, None
    offset = max(0, _int(request.GET.get("offset")))
    if form.is_valid():
        try:
            page = selectors.declarations_list(
                assignment=assignment,
                purpose=form.purpose_or_default(),
                limit=PAGE_SIZE,
                offset=offset,
                **form.filters(),
            )
        except ApplicationError as exc:
            error = exc.message
    else:
        error = next(iter(form.errors.values()))[0]
    context = {
        "assignment": assignment,
        "assignments": assignments,
        "form": form,
        "page": page,
        "error": error,
        "offset": offset,
        "next_offset": offset + PAGE_SIZE if page and page.count > offset + PAGE_SIZE else None,
        "previous_offset": max(0, offset - PAGE_SIZE) if offset else None,
        "query": _query_without_offset(request),
    }
    template = "declarations/_console_table.html" if request.htmx else "declarations/console_list.html"
    return render(request, template, context)


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 10 else 0


def _query_without_offset(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("offset", None)
    return query.urlencode()


@official_required
def console_export(request: HttpRequest, assignment, assignments) -> HttpResponse:
    form = ConsoleFilterForm(request.GET)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return redirect("declarations:console-list")
    try:
        found = selectors.declarations_export(
            assignment=assignment, purpose=form.purpose_or_default(), **form.filters()
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("declarations:console-list")
    response = HttpResponse(declarations_csv(found), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="declarations.csv"'
    return response


@official_required
def console_detail(request: HttpRequest, assignment, assignments, pk: int) -> HttpResponse:
    purpose = request.GET.get("purpose", Purpose.EPIDEMIC_CONTROL)
    try:
        declaration = selectors.declaration_get(assignment=assignment, declaration_id=pk, purpose=purpose)
    except NotFound as error:
        return _not_found(request, error)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("declarations:console-list")
    can_follow_up = declaration.follow_up == FollowUp.OPEN and assignment.role in rules.FOLLOW_UP_ROLES
    context = {
        "declaration": declaration,
        "purpose": purpose,
        "follow_up_form": FollowUpForm() if can_follow_up else None,
    }
    return render(request, "declarations/console_detail.html", context)


@require_POST
@official_required
def console_follow_up(request: HttpRequest, assignment, assignments, pk: int) -> HttpResponse:
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return redirect("declarations:console-detail", pk)
    try:
        services.declaration_follow_up(
            assignment=assignment, declaration_id=pk, note=form.cleaned_data["note"]
        )
    except NotFound as error:
        return _not_found(request, error)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Marked as followed up."))
    return redirect("declarations:console-detail", pk)
