"""The citizen's own QR code: on screen (masked by default), full screen, as files, and as a printable
card. Every page signs a fresh code, so what is shown is always inside its validity."""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe

from pccovid.core.errors import ApplicationError
from pccovid.identity import selectors as identity_selectors
from pccovid.qr import render as qr_render
from pccovid.qr import selectors, services
from pccovid.web.views import citizen_required


def _with_own_code(view: Callable[[HttpRequest, str], HttpResponse]):
    """Signed-in citizen, linked to a person: call `view(request, text)`; explain why there is no code."""

    @citizen_required
    @wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        person = identity_selectors.person_own(user=request.user)
        if person is None:
            return redirect("web:citizen-link")
        try:
            text = services.personal_qr_text(person=person)
        except ApplicationError as error:
            return render(request, "qr/mine.html", {"error": error.message}, status=400)
        return view(request, text)

    return wrapper


def _page(request: HttpRequest, text: str, template: str, scale: int = 6) -> HttpResponse:
    unmask = request.GET.get("unmask") == "1"
    context = {
        "svg": mark_safe(qr_render.qr_svg(text, scale=scale)),  # segno output: no user text
        "shown": selectors.personal_qr_display(text=text, masked=not unmask),
        "unmask": unmask,
    }
    return render(request, template, context)


@_with_own_code
def my_qr(request: HttpRequest, text: str) -> HttpResponse:
    return _page(request, text, "qr/mine.html")


@_with_own_code
def my_qr_full(request: HttpRequest, text: str) -> HttpResponse:
    """Black on white, as large as the screen allows, for a scanner at arm's length."""
    return _page(request, text, "qr/full.html", scale=10)


@_with_own_code
def my_qr_card(request: HttpRequest, text: str) -> HttpResponse:
    return _page(request, text, "qr/card.html")


@_with_own_code
def my_qr_png(request: HttpRequest, text: str) -> HttpResponse:
    response = HttpResponse(qr_render.qr_png(text, scale=10), content_type="image/png")
    response["Content-Disposition"] = 'attachment; filename="pccovid-qr.png"'
    return response


@_with_own_code
def my_qr_svg(request: HttpRequest, text: str) -> HttpResponse:
    response = HttpResponse(qr_render.qr_svg(text, scale=10), content_type="image/svg+xml")
    response["Content-Disposition"] = 'attachment; filename="pccovid-qr.svg"'
    return response
