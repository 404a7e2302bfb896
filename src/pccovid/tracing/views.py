"""Thin web views. Tracers: the cases in reach (and opening one by hand), a case with its contacts and their
evidence (filters as an HTMX partial, bulk notify / order quarantine), the transmission chain, the unit's
queue of contacts. Citizens: their exposure alerts."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from pccovid.audit.models import Purpose
from pccovid.core.errors import ApplicationError, NotFound
from pccovid.identity import selectors as identity_selectors
from pccovid.quarantine import selectors as quarantine_selectors
from pccovid.quarantine import services as quarantine_services
from pccovid.tracing import selectors, services
from pccovid.tracing.forms import (
    BulkForm,
    CaseOpenForm,
    ContactFilterForm,
    DeclareForm,
    OutcomeForm,
    QueueFilterForm,
)
from pccovid.web.views import citizen_required, official_required

PURPOSE = Purpose.CONTACT_TRACING
PAGE_SIZE = 50


def _not_found(request: HttpRequest, error: NotFound | None = None) -> HttpResponse:
    message = error.message if error else NotFound().message
    return render(request, "web/not_found.html", {"message": message}, status=404)


def _first_error(form) -> str:
    return next(iter(form.errors.values()))[0]


def _offset(request: HttpRequest) -> int:
    value = request.GET.get("offset") or ""
    return int(value) if value.isdigit() and len(value) < 10 else 0


@official_required
def cases(request: HttpRequest, assignment, assignments) -> HttpResponse:
    form = CaseOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(
                assignment=assignment,
                person_qid=form.cleaned_data["person"],
                reason=form.cleaned_data["reason"],
                onset_date=form.cleaned_data["onset_date"],
                isolation_place=form.cleaned_data["isolation_place"],
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Case %(code)s opened.") % {"code": case.code})
            return redirect("tracing:case", case.code)
    offset = _offset(request)
    page = selectors.cases_list(assignment=assignment, purpose=PURPOSE, limit=PAGE_SIZE, offset=offset)
    context = {
        "assignment": assignment,
        "page": page,
        "form": form,
        "can_manage": assignment.allows("case.manage"),
        "next_offset": offset + PAGE_SIZE if page.count > offset + PAGE_SIZE else None,
        "previous_offset": max(0, offset - PAGE_SIZE) if offset else None,
    }
    return render(request, "tracing/cases.html", context, status=400 if form.errors else 200)


def _contacts_context(request: HttpRequest, assignment, code: str) -> dict:
    filters = ContactFilterForm(request.GET)
    chosen = filters.filters() if filters.is_valid() else {}
    contacts = selectors.case_contacts(assignment=assignment, case_code=code, purpose=PURPOSE, **chosen)
    return {"filters": filters, "contacts": contacts}


@official_required
def case_detail(request: HttpRequest, assignment, assignments, code: str) -> HttpResponse:
    try:
        if request.htmx:
            context = {"case_code": code, **_contacts_context(request, assignment, code)}
            return render(request, "tracing/_contacts.html", context)
        case = selectors.case_get(assignment=assignment, case_code=code, purpose=PURPOSE)
        context = _contacts_context(request, assignment, code)
    except NotFound as error:
        return _not_found(request, error)
    context.update(
        {
            "case": case,
            "case_code": case.code,
            "can_manage": assignment.allows("case.manage"),
            "outcome_form": OutcomeForm(),
            "declare_form": DeclareForm(case=case, contacts=_f1s(case)),
            "tests": case.tests.order_by("attached_at"),
        }
    )
    return render(request, "tracing/case.html", context)


def _f1s(case) -> list:
    """The F1s a declared contact can be named by (the case's own contacts, seen through the case)."""
    return list(case.contacts.filter(degree=1).select_related("person").order_by("pk"))


def _post(view):
    """A POST action on a case: its errors become a message; out of reach is a 404 page."""

    def wrapper(request: HttpRequest, assignment, assignments, code: str) -> HttpResponse:
        try:
            view(request, assignment, code)
        except NotFound as error:
            return _not_found(request, error)
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("tracing:case", code)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return require_POST(official_required(wrapper))


@_post
def case_find(request: HttpRequest, assignment, code: str) -> None:
    report = services.contacts_find_again(assignment=assignment, case_code=code)
    messages.success(
        request,
        ngettext("%(n)d new contact found.", "%(n)d new contacts found.", report.added) % {"n": report.added},
    )


@_post
def case_outcome(request: HttpRequest, assignment, code: str) -> None:
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        raise ApplicationError(_first_error(form))
    services.case_outcome_record(assignment=assignment, case_code=code, **form.cleaned_data)
    messages.success(request, _("Outcome recorded."))


@_post
def case_declare(request: HttpRequest, assignment, code: str) -> None:
    case = selectors.case_in_reach(assignment=assignment, case_code=code).first()
    if case is None:
        raise NotFound()
    form = DeclareForm(request.POST, case=case, contacts=_f1s(case))
    if not form.is_valid():
        raise ApplicationError(_first_error(form))
    services.contact_declare(
        assignment=assignment,
        case_code=code,
        person_qid=form.cleaned_data["person"],
        via_qid=form.cleaned_data["via"] or None,
        at=form.cleaned_data["at"],
        note=form.cleaned_data["note"],
    )
    messages.success(request, _("Contact added."))


@_post
def case_bulk(request: HttpRequest, assignment, code: str) -> None:
    case = selectors.case_in_reach(assignment=assignment, case_code=code).first()
    if case is None:
        raise NotFound()
    form = BulkForm(request.POST, contact_ids=case.contacts.values_list("pk", flat=True))
    if not form.is_valid():
        raise ApplicationError(_first_error(form))
    ids, action = form.cleaned_data["contact"], form.cleaned_data["action"]
    if action == "notify":
        count = services.contacts_notify(assignment=assignment, case_code=code, contact_ids=ids)
        messages.success(
            request, ngettext("%(n)d contact notified.", "%(n)d contacts notified.", count) % {"n": count}
        )
        return
    report = quarantine_services.orders_for_contacts(
        assignment=assignment,
        contact_ids=ids,
        place="facility" if action == "quarantine_facility" else "home",
        facility_code=form.cleaned_data["facility_code"] or None,
    )
    messages.success(
        request,
        ngettext("%(n)d quarantine order made.", "%(n)d quarantine orders made.", len(report.created))
        % {"n": len(report.created)},
    )
    for _contact_id, reason in report.skipped:
        messages.warning(request, reason)


@official_required
def case_chain(request: HttpRequest, assignment, assignments, code: str) -> HttpResponse:
    try:
        root = selectors.chain(assignment=assignment, case_code=code)
    except NotFound as error:
        return _not_found(request, error)
    return render(request, "tracing/chain.html", {"root": root, "case_code": code})


@official_required
def queue(request: HttpRequest, assignment, assignments) -> HttpResponse:
    form = QueueFilterForm(request.GET)
    status = (form.cleaned_data["status"] or None) if form.is_valid() else None
    offset = _offset(request)
    page = selectors.contacts_queue(
        assignment=assignment, purpose=PURPOSE, status=status, limit=PAGE_SIZE, offset=offset
    )
    context = {
        "assignment": assignment,
        "form": form,
        "page": page,
        "next_offset": offset + PAGE_SIZE if page.count > offset + PAGE_SIZE else None,
        "previous_offset": max(0, offset - PAGE_SIZE) if offset else None,
    }
    return render(request, "tracing/queue.html", context)


@citizen_required
def exposures(request: HttpRequest) -> HttpResponse:
    person = identity_selectors.person_own(user=request.user)
    if person is None:
        return redirect("web:citizen-link")
    found = selectors.exposures_of(person=person)
    context = {
        "exposures": found,
        "active": any(e.active for e in found),
        "order": quarantine_selectors.active_order_of(person=person),
    }
    return render(request, "tracing/exposures.html", context)
