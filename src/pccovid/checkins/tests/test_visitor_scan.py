"""The reverse flow on the operator's phone: scan a visitor's personal QR; the operator never sees who."""

from pccovid.checkins.models import CheckIn, CheckInHow
from pccovid.checkins.tests.conftest import citizen_account
from pccovid.qr import render
from pccovid.qr import services as qr_services


def _scan(client, venue, **data):
    return client.post(f"/checkins/venues/{venue.code}/scan/", data)


def test_scanning_a_visitors_signed_code_checks_them_in_without_naming_them(client, operator, venue, people):
    client.force_login(operator)
    response = _scan(client, venue, text=qr_services.personal_qr_text(person=people["an"]))
    page = response.content.decode()
    assert 'data-result="stored"' in page and "Nguyễn Văn An" not in page
    check_in = CheckIn.objects.get()
    assert (check_in.person, check_in.venue, check_in.how) == (people["an"], venue, CheckInHow.VENUE_SCAN)


def test_a_photo_of_the_visitors_code_works_too(client, operator, venue, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(operator)
    png = render.qr_png(qr_services.personal_qr_text(person=people["an"]))
    _scan(client, venue, image=SimpleUploadedFile("code.png", png, content_type="image/png"))
    assert CheckIn.objects.filter(person=people["an"]).count() == 1


def test_a_forged_code_is_refused_with_the_reason(client, operator, venue, people):
    client.force_login(operator)
    forged = qr_services.personal_qr_text(person=people["an"]).replace("NGUYEN VAN AN", "NGUYEN VAN AM")
    page = _scan(client, venue, text=forged).content.decode()
    assert 'data-result="rejected"' in page and not CheckIn.objects.exists()


def test_only_the_venues_operator_may_scan_for_it(client, venue, people):
    client.force_login(citizen_account(people["chi"], "+84987000222"))
    assert _scan(client, venue, text="x").status_code == 404


def test_an_empty_scan_is_explained(client, operator, venue):
    client.force_login(operator)
    response = _scan(client, venue)
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
