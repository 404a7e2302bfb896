"""Citizen pages (my certificates: issue from my doses, the QR with its fields, a PDF) and the
officials' revoke page."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pccovid.certificates import pdf, selectors, services
from pccovid.core.errors import ApplicationError
from pccovid.identity import selectors as identity_selectors
from pccovid.qr import render as qr_render
from pccovid.web.views import citizen_required, official_required


def _own_certificate(request: HttpRequest, pk: int):
    person = identity_selectors.person_own(user=request.user)
    certificate = selectors.certificates_own(person=person).filter(pk=pk).first() if person else None
    if certificate is None:
        raise Http404(_("Not found."))
    return certificate


@citizen_required
@require_http_methods(["GET", "POST"])
def mine(request: HttpRequest) -> HttpResponse:
    person = identity_selectors.person_own(user=request.user)
    if person is None:
        return redirect("web:citizen-link")
    error = None
    if request.method == "POST":
        try:
            certificate = services.my_vaccination_certificate(person=person)
        except ApplicationError as refused:
            error = refused.message
        else:
            return redirect("certificates:detail", pk=certificate.pk)
    certificates = list(selectors.certificates_own(person=person))
    return render(
        request,
        "certificates/mine.html",
        {"certificates": certificates, "error": error},
        status=400 if error else 200,
    )


@citizen_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _own_certificate(request, pk)
    context = {
        "certificate": certificate,
        "svg": mark_safe(qr_render.qr_svg(certificate.text, scale=4)),  # segno output: no user text
        "facts": selectors.certificate_facts(certificate=certificate),
    }
    return render(request, "certificates/detail.html", context)


@citizen_required
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _own_certificate(request, pk)
    data = pdf.certificate_pdf(
        title=_("EU Digital COVID Certificate"),
        text=certificate.text,
        facts=selectors.certificate_facts(certificate=certificate),
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="covid-certificate-{certificate.pk}.pdf"'
    return response


@official_required
@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest, assignment, assignments) -> HttpResponse:
    context: dict = {"assignment": assignment, "uvci": "", "reason": ""}
    status = 200
    if request.method == "POST":
        context["uvci"] = request.POST.get("uvci", "").strip()[:80]
        context["reason"] = request.POST.get("reason", "").strip()[:200]
        try:
            context["revoked"] = services.certificate_revoke(
                assignment=assignment, uvci=context["uvci"], reason=context["reason"]
            )
        except ApplicationError as refused:
            context["error"] = refused.message
            status = refused.status
    return render(request, "certificates/revoke.html", context, status=status)
