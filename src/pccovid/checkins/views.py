"""Check-in pages. Citizens: scan a venue's poster, confirm who checks in, done; their history.
Operators (any signed-in citizen who runs a venue): register, poster (page and PDF), re-issue, counts."""

import datetime as dt
import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pccovid.checkins import poster, selectors, services
from pccovid.checkins.forms import ConfirmForm, ScanForm, VenueForm
from pccovid.core import clock
from pccovid.core.errors import ApplicationError, NotFound
from pccovid.geography import selectors as geography_selectors
from pccovid.geography.models import Level
from pccovid.identity import selectors as identity_selectors
from pccovid.qr import formats as qr_formats
from pccovid.qr import render as qr_render
from pccovid.qr import scan
from pccovid.web.views import citizen_required

DONE_KEY = "checkin_done"


def _household_others(person) -> list:
    return [m for m in identity_selectors.household_members(person=person) if m.pk != person.pk]


def _uploaded(form: ScanForm) -> bytes | None:
    upload = form.cleaned_data.get("image")
    return upload.read(scan.MAX_UPLOAD_BYTES + 1) if upload else None


@citizen_required
def checkin_scan(request: HttpRequest) -> HttpResponse:
    person = identity_selectors.person_own(user=request.user)
    if person is None:
        return redirect("web:citizen-link")
    form = ScanForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            text = scan.scanned_text(text=form.cleaned_data["text"], image=_uploaded(form))
            venue = services.venue_for_scan(venue_text=text)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            confirm = ConfirmForm(initial={"venue_text": text}, household=_household_others(person))
            return render(request, "checkins/confirm.html", {"venue": venue, "form": confirm})
    return render(request, "checkins/scan.html", {"form": form})


@require_POST
@citizen_required
def checkin_confirm(request: HttpRequest) -> HttpResponse:
    person = identity_selectors.person_own(user=request.user)
    if person is None:
        return redirect("web:citizen-link")
    form = ConfirmForm(request.POST, household=_household_others(person))
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return redirect("checkins:scan")
    try:
        checkins = services.checkin_by_citizen(
            user=request.user,
            venue_text=form.cleaned_data["venue_text"],
            members=form.cleaned_data["members"],
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("checkins:scan")
    venue = checkins[0].venue
    request.session[DONE_KEY] = {
        "venue": venue.name,
        "address": venue.address_line,
        "unit": venue.unit.name,
        "at": checkins[0].at.isoformat(),
        "people": [c.person.full_name for c in checkins],
    }
    return redirect("checkins:done")


@citizen_required
def checkin_done(request: HttpRequest) -> HttpResponse:
    done = request.session.get(DONE_KEY)
    if done is None:
        return redirect("checkins:scan")
    at = dt.datetime.fromisoformat(done["at"])
    return render(request, "checkins/done.html", {"done": done, "at": at})


@citizen_required
def checkin_history(request: HttpRequest) -> HttpResponse:
    person = identity_selectors.person_own(user=request.user)
    if person is None:
        return redirect("web:citizen-link")
    context = {
        "checkins": selectors.my_checkins(person=person)[:200],
        "retention_days": selectors.retention_days(),
    }
    return render(request, "checkins/mine.html", context)


@citizen_required
def venue_list(request: HttpRequest) -> HttpResponse:
    return render(request, "checkins/venues.html", {"venues": selectors.my_venues(operator=request.user)})


def _home_commune_code(user) -> str:
    """The commune the citizen lives in: the likely place of the venue they run."""
    person = identity_selectors.person_own(user=user)
    if person is None:
        return ""
    unit = person.residence_unit
    if unit.level == Level.COMMUNE:
        return unit.code
    communes = geography_selectors.unit_ancestors(unit).filter(level=Level.COMMUNE)
    return next((u.code for u in communes), "")


@citizen_required
def venue_register(request: HttpRequest) -> HttpResponse:
    form = VenueForm(request.POST or None, initial={"unit_code": _home_commune_code(request.user)})
    if request.method == "POST" and form.is_valid():
        try:
            venue = services.venue_register(operator=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return redirect("checkins:venue", code=venue.code)
    return render(request, "checkins/venue_form.html", {"form": form})


def _own_venue(request: HttpRequest, code: str):
    return selectors.venue_of_operator(operator=request.user, venue_code=code)


def _not_found(request: HttpRequest, error: NotFound) -> HttpResponse:
    return render(request, "web/not_found.html", {"message": error.message}, status=404)


@citizen_required
def venue_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        venue = _own_venue(request, code)
        counts = selectors.venue_counts(operator=request.user, venue_code=code)
    except NotFound as error:
        return _not_found(request, error)
    return render(request, "checkins/venue_detail.html", {"venue": venue, "counts": counts})


def _poster_text(venue) -> str:
    return qr_formats.venue_qr_text(venue_code=venue.code, token=venue.qr_token)


def _page_size(request: HttpRequest) -> str:
    return "a5" if request.GET.get("size") == "a5" else "a4"


@citizen_required
def venue_poster(request: HttpRequest, code: str) -> HttpResponse:
    try:
        venue = _own_venue(request, code)
    except NotFound as error:
        return _not_found(request, error)
    context = {
        "venue": venue,
        "qr": qr_render.qr_svg(_poster_text(venue), scale=8),
        "size": _page_size(request),
    }
    return render(request, "checkins/poster.html", context)


@citizen_required
def venue_poster_pdf(request: HttpRequest, code: str) -> HttpResponse:
    try:
        venue = _own_venue(request, code)
    except NotFound as error:
        return _not_found(request, error)
    address = ", ".join(part for part in (venue.address_line, venue.unit.name) if part)
    pdf = poster.poster_pdf(
        name=venue.name,
        address=address,
        code=venue.code,
        qr_text=_poster_text(venue),
        size=_page_size(request),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="pc-covid-{venue.code}.pdf"'
    return response


@require_POST
@citizen_required
def venue_reissue(request: HttpRequest, code: str) -> HttpResponse:
    try:
        services.venue_qr_reissue(operator=request.user, venue_code=code)
    except NotFound as error:
        return _not_found(request, error)
    messages.success(
        request, _("A new QR code was issued: print the new poster; old posters no longer work.")
    )
    return redirect("checkins:venue", code=code)


@require_POST
@citizen_required
def venue_deactivate(request: HttpRequest, code: str) -> HttpResponse:
    try:
        services.venue_deactivate(operator=request.user, venue_code=code)
    except NotFound as error:
        return _not_found(request, error)
    messages.success(request, _("The venue is closed for check-in."))
    return redirect("checkins:venue", code=code)


@citizen_required
def venue_scan_visitor(request: HttpRequest, code: str) -> HttpResponse:
    """The reverse flow on the venue's own phone: scan a visitor's personal QR (camera, photo or text).

    One scan is a batch of one through the same ingest as scanner devices, so the same checks apply
    (signature, expiry, known person) and the operator learns only "checked in" or why not, never who.
    """
    try:
        venue = _own_venue(request, code)
    except NotFound as error:
        return _not_found(request, error)
    form = ScanForm(request.POST, request.FILES) if request.method == "POST" else ScanForm()
    outcome = None
    if request.method == "POST" and form.is_valid():
        try:
            text = scan.scanned_text(text=form.cleaned_data.get("text"), image=_uploaded(form))
            event = {
                "client_event_id": f"web-{uuid.uuid4().hex}",
                "qr_text": text,
                "at": clock.now(),
            }
            outcome = services.checkins_bulk_ingest(
                recorded_by=request.user, venue_code=venue.code, events=[event]
            ).results[0]
        except ApplicationError as error:
            form.add_error(None, error.message)
    return render(
        request,
        "checkins/venue_scan.html",
        {"venue": venue, "form": form, "outcome": outcome},
        status=400 if form.errors else 200,
    )
