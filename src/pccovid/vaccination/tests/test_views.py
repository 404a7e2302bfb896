"""Web pages: the health worker's fast form (scan a photo of the QR, or the ID number), the citizen's
record, the officials' coverage table."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from pccovid.accounts.models import User
from pccovid.audit.models import PersonalDataRead
from pccovid.qr import render
from pccovid.qr import services as qr_services
from pccovid.vaccination.models import Dose
from pccovid.vaccination.tests.conftest import PFIZER

URL = "/vaccination/doses/new/"


def _form(**overrides) -> dict:
    return {
        "product_code": PFIZER,
        "lot_number": "FF2587",
        "dose_number": "1",
        "given_on": "2021-08-01",
        "site_code": "BT-01",
        **overrides,
    }


def _png(person) -> SimpleUploadedFile:
    png = render.qr_png(qr_services.personal_qr_text(person=person))
    return SimpleUploadedFile("code.png", png, content_type="image/png")


def test_the_form_shows_the_scan_widget(client, health_worker, site, lots):
    client.force_login(health_worker[0])
    page = client.get(URL).content.decode()
    assert "data-scan" in page and 'name="national_id"' in page and "BT-01" in page


def test_scanning_a_photo_of_the_qr_records_the_dose(client, health_worker, site, lots, people):
    client.force_login(health_worker[0])
    response = client.post(URL, {**_form(), "image": _png(people["chi"])})
    page = response.content.decode()
    assert response.status_code == 200, page
    assert 'data-testid="dose-recorded"' in page and "Lê Minh Chi" in page
    assert Dose.objects.get().person == people["chi"]
    assert PersonalDataRead.objects.filter(person=people["chi"], purpose="vaccination").exists()


def test_the_id_number_picks_the_person(client, health_worker, site, lots, people):
    client.force_login(health_worker[0])
    response = client.post(URL, _form(national_id="079090001234"))
    assert response.status_code == 200 and Dose.objects.get().person == people["an"]


def test_a_broken_rule_goes_back_on_its_field(client, health_worker, site, lots, people):
    client.force_login(health_worker[0])
    response = client.post(URL, _form(national_id="079090001234", dose_number="2"))
    page = response.content.decode()
    assert response.status_code == 400 and 'data-field="dose_number"' in page
    assert not Dose.objects.exists()


def test_a_tampered_code_or_unknown_id_is_refused(client, health_worker, site, lots, people):
    client.force_login(health_worker[0])
    text = qr_services.personal_qr_text(person=people["an"])
    tampered = text.replace("NGUYEN VAN AN", "NGUYEN VAN AM")
    assert tampered != text
    response = client.post(URL, _form(text=tampered))
    assert response.status_code == 400 and 'data-testid="person-error"' in response.content.decode()
    response = client.post(URL, _form(national_id="079999999999"))
    assert response.status_code == 400 and 'data-testid="person-error"' in response.content.decode()
    response = client.post(URL, _form())
    assert response.status_code == 400 and 'data-testid="person-error"' in response.content.decode()
    assert not Dose.objects.exists() and not PersonalDataRead.objects.exists()


def test_pages_need_the_right_user(client, people, site):
    assert client.get(URL).status_code == 302
    assert client.get("/vaccination/").status_code == 302
    assert client.get("/vaccination/coverage/").status_code == 302


def test_the_citizen_sees_their_record(client, people, record):
    record(people["an"], 1, dt.date(2021, 8, 1))
    user = User.objects.create(username="+84903123456", phone="+84903123456", person=people["an"])
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    page = client.get("/vaccination/").content.decode()
    assert 'data-dose-number="1"' in page and "01/08/2021" in page and "FF2587" in page


def test_the_coverage_table(client, official, people, record):
    record(people["an"], 1, dt.date(2021, 8, 1))
    user, _assignment = official("province_official", "hcmc")
    client.force_login(user)
    page = client.get("/vaccination/coverage/").content.decode()
    row = page.split('data-unit="26743" data-band="18-49"')[1].split("</tr>")[0]
    assert "<td>1</td>" in row and "(100" in row
    assert client.get("/vaccination/coverage/", {"unit": "01"}).status_code == 404
    user, _assignment = official("checkpoint_officer", "ben_thanh")
    client.force_login(user)
    assert client.get("/vaccination/coverage/").status_code == 403


def test_roles_that_do_not_record_get_403(client, official, site):
    user, _assignment = official("checkpoint_officer", "ben_thanh")
    client.force_login(user)
    assert client.get(URL).status_code == 403
