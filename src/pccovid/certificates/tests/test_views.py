"""Citizen pages (list, issue, QR and fields, PDF) and the officials' revoke page."""

import datetime as dt

import pytest

from pccovid.certificates import services
from pccovid.certificates.models import Certificate
from pccovid.certificates.tests.conftest import NOW
from pccovid.core import clock


@pytest.fixture(autouse=True)
def frozen():
    with clock.frozen(NOW):
        yield


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get("/certificates/").status_code == 302
    assert client.get("/certificates/revoke/").status_code == 302


def test_citizen_issues_and_sees_the_certificate(citizen_client, an_vaccinated):
    assert "issue-vaccination" in citizen_client.get("/certificates/").content.decode()
    response = citizen_client.post("/certificates/")
    assert response.status_code == 302
    certificate = Certificate.objects.get()
    assert response["Location"] == f"/certificates/{certificate.pk}/"
    page = citizen_client.get(response["Location"]).content.decode()
    assert "<svg" in page and "NGUYEN VAN&lt;AN" in page and certificate.uvci in page and "Comirnaty" in page
    pdf = citizen_client.get(f"/certificates/{certificate.pk}/certificate.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_refusal_is_explained(citizen_client, people):
    citizen_client.cookies["django_language"] = "en"  # pages follow the person's language (vi by default)
    response = citizen_client.post("/certificates/")
    assert response.status_code == 400
    assert "There is no vaccination on record" in response.content.decode()


def test_someone_elses_certificate_is_404(citizen_client, people, record):
    record(people["binh"], 1, dt.date(2021, 8, 1))
    other = services.my_vaccination_certificate(person=people["binh"])
    assert citizen_client.get(f"/certificates/{other.pk}/").status_code == 404
    assert citizen_client.get(f"/certificates/{other.pk}/certificate.pdf").status_code == 404


def test_official_revokes(client, official, an_vaccinated):
    certificate = services.my_vaccination_certificate(person=an_vaccinated)
    user, _assignment = official("commune_official", "ben_thanh", username="revoker")
    client.force_login(user)
    assert client.get("/certificates/revoke/").status_code == 200
    response = client.post("/certificates/revoke/", {"uvci": certificate.uvci, "reason": "Issued in error"})
    assert response.status_code == 200 and "revoked" in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.revoked_at == NOW


def test_official_out_of_jurisdiction_gets_404(client, official, an_vaccinated):
    certificate = services.my_vaccination_certificate(person=an_vaccinated)
    user, _assignment = official("commune_official", "hoan_kiem", username="hanoi")
    client.force_login(user)
    response = client.post("/certificates/revoke/", {"uvci": certificate.uvci, "reason": "x"})
    assert response.status_code == 404
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
