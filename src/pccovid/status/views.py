from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pccovid.core.errors import ApplicationError
from pccovid.qr import scan as qr_scan
from pccovid.status import services
from pccovid.web.views import official_required


@official_required
def checkpoint(request: HttpRequest, assignment, assignments) -> HttpResponse:
    """Scan a code (camera, photo or pasted text): its kind, its signature verdict, the person, their card."""
    result, error = None, None
    if request.method == "POST":
        upload = request.FILES.get("image")
        try:
            text = qr_scan.scanned_text(
                text=request.POST.get("text"), image=upload.read() if upload else None
            )
            result = services.checkpoint_scan(assignment=assignment, text=text)
        except ApplicationError as exc:
            error = exc.message
    return render(
        request,
        "status/checkpoint.html",
        {"assignment": assignment, "result": result, "error": error},
        status=400 if error else 200,
    )
