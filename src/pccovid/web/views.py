"""Thin web views: parse a form, call a service or selector, render. Errors become messages on the page."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pccovid.accounts import selectors as account_selectors
from pccovid.accounts import services as account_services
from pccovid.audit import selectors as audit_selectors
from pccovid.audit.models import Purpose
from pccovid.core import clock
from pccovid.core.errors import ApplicationError, NotFound
from pccovid.geography import selectors as geography_selectors
from pccovid.identity import selectors as identity_selectors
from pccovid.quarantine import selectors as quarantine_selectors
from pccovid.status import services as status_services
from pccovid.tracing import selectors as tracing_selectors
from pccovid.web.forms import CodeForm, DayForm, LinkForm, PersonSearchForm, PhoneForm

CITIZEN_HOME = "web:citizen-home"


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(CITIZEN_HOME if request.user.is_citizen else "web:console-home")
    return render(request, "web/home.html")


def citizen_login(request: HttpRequest) -> HttpResponse:
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_services.otp_request(phone=form.cleaned_data["phone"])
        except ApplicationError as error:
            form.add_error("phone", error.message)
        else:
            request.session["otp_phone"] = form.cleaned_data["phone"]
            return redirect("web:citizen-code")
    return render(request, "web/citizen_login.html", {"form": form})


def citizen_code(request: HttpRequest) -> HttpResponse:
    phone = request.session.get("otp_phone")
    if not phone:
        return redirect("web:citizen-login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = account_services.otp_verify(phone=phone, code=form.cleaned_data["code"])
        except ApplicationError as error:
            form.add_error("code", error.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session.pop("otp_phone", None)
            return redirect(CITIZEN_HOME)
    minutes = account_selectors.otp_policy()["valid_seconds"] // 60
    return render(request, "web/citizen_code.html", {"form": form, "phone": phone, "minutes": minutes})


def citizen_required(view):
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated or not request.user.is_citizen:
            return redirect("web:citizen-login")
        return view(request, *args, **kwargs)

    return wrapper


@citizen_required
def citizen_home(request: HttpRequest) -> HttpResponse:
    person = identity_selectors.person_own(user=request.user)
    if person is None:
        return redirect("web:citizen-link")
    context = {
        "person": person,
        "household": identity_selectors.household_members(person=person),
        "card": status_services.card_for(person=person),
        "exposed_on": tracing_selectors.exposed_on(person=person),
        "order": quarantine_selectors.active_order_of(person=person),
    }
    return render(request, "web/citizen_home.html", context)


@citizen_required
def citizen_link(request: HttpRequest) -> HttpResponse:
    form = LinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_services.citizen_link_person(user=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return redirect(CITIZEN_HOME)
    return render(request, "web/citizen_link.html", {"form": form})


@citizen_required
def citizen_reads(request: HttpRequest) -> HttpResponse:
    person = identity_selectors.person_own(user=request.user)
    if person is None:
        return redirect("web:citizen-link")
    return render(
        request, "web/citizen_reads.html", {"reads": audit_selectors.reads_of_person(person=person)}
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:home")


class OfficialLoginView(LoginView):
    template_name = "web/official_login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return reverse("web:console-home")


def official_required(view):
    """The signed-in official and the assignment they act as (chosen in the session, or their only one)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('web:official-login')}?next={request.path}")
        chosen = request.GET.get("assignment") or request.session.get("assignment_id")
        assignments = list(account_selectors.assignments_of(user=request.user))
        assignment = next(
            (a for a in assignments if str(a.pk) == str(chosen)), assignments[0] if assignments else None
        )
        if assignment is None:
            return render(request, "web/console_no_role.html", status=403)
        request.session["assignment_id"] = assignment.pk
        return view(request, assignment, assignments, *args, **kwargs)

    return wrapper


@official_required
def console_home(request: HttpRequest, assignment, assignments) -> HttpResponse:
    unit = assignment.unit
    context = {
        "assignment": assignment,
        "assignments": assignments,
        "unit": unit,
        "children": geography_selectors.unit_children(unit)[:200],
        "can_search": assignment.allows("person.search"),
        "form": PersonSearchForm(),
    }
    if assignment.allows("case.view"):
        day_form = DayForm(request.GET)
        on = (day_form.cleaned_data["on"] if day_form.is_valid() else None) or clock.today()
        context |= {"day_form": day_form, "on": on}
        context["daily"] = tracing_selectors.daily_counts(assignment=assignment, on=on)
    return render(request, "web/console_home.html", context)


@official_required
def console_search(request: HttpRequest, assignment, assignments) -> HttpResponse:
    form = PersonSearchForm(request.GET)
    results, error = [], None
    if form.is_valid():
        try:
            results = identity_selectors.person_search(
                assignment=assignment, query=form.cleaned_data["q"], purpose=form.cleaned_data["purpose"]
            )
        except ApplicationError as exc:
            error = exc.message
    else:
        error = next(iter(form.errors.values()))[0]
    template = "web/_search_results.html" if request.htmx else "web/console_search.html"
    return render(
        request,
        template,
        {
            "results": results,
            "error": error,
            "form": form,
            "purpose": form.data.get("purpose", Purpose.EPIDEMIC_CONTROL),
        },
    )


@official_required
def console_person(request: HttpRequest, assignment, assignments, qid: str) -> HttpResponse:
    purpose = request.GET.get("purpose", Purpose.EPIDEMIC_CONTROL)
    try:
        person = identity_selectors.person_get(assignment=assignment, qid=qid, purpose=purpose)
    except NotFound as exc:
        return render(request, "web/not_found.html", {"message": exc.message}, status=404)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("web:console-home")
    return render(request, "web/console_person.html", {"person": person, "purpose": purpose})
