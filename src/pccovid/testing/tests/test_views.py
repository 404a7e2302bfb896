"""Web pages: each for anonymous, no role, in jurisdiction, out of jurisdiction."""

import pytest

from pccovid.accounts.models import User
from pccovid.audit.models import PersonalDataRead
from pccovid.qr import services as qr_services
from pccovid.testing import services
from pccovid.testing.models import TestResult
from pccovid.testing.tests.conftest import csv_file

pytestmark = pytest.mark.django_db


def _form(**overrides):
    data = {
        "site": "BT01",
        "kind": "rapid_antigen",
        "sample_taken_at": "2021-10-15T09:30",
        "result": "negative",
    }
    return {**data, **overrides}


def test_anonymous_is_sent_to_sign_in(client):
    for name in ("record", "upload", "retests"):
        response = client.get(f"/testing/{name}/")
        assert response.status_code == 302 and "/console/login/" in response["Location"]
    assert client.get("/testing/").status_code == 302


def test_no_role_403(client, people):
    user = User.objects.create(username="+84903123456", phone="+84903123456", person=people["an"])
    client.force_login(user)
    assert client.get("/testing/record/").status_code == 403


def test_record_by_scanning_the_personal_qr(client, technician, people):
    client.force_login(technician[0])
    text = qr_services.personal_qr_text(person=people["chi"])
    response = client.post("/testing/record/", _form(text=text))
    assert response.status_code == 200, response.content.decode()
    assert "Lê Minh Chi" in response.content.decode()
    assert TestResult.objects.get().person == people["chi"]


def test_record_by_id_number_and_errors(client, technician, people):
    client.force_login(technician[0])
    assert client.post("/testing/record/", _form(id_number="079090001234")).status_code == 200
    bad = client.post("/testing/record/", _form(id_number="079090001234", ct_value="20"))
    assert bad.status_code == 400 and 'data-field="ct_value"' in bad.content.decode()
    unknown = client.post("/testing/record/", _form(id_number="079999999999"))
    assert unknown.status_code == 400
    forged = client.post("/testing/record/", _form(text="NOT|A|CODE"))
    assert forged.status_code == 400
    assert TestResult.objects.count() == 1


def test_record_out_of_jurisdiction_site_is_404(client, technician, people):
    client.force_login(technician[0])
    response = client.post("/testing/record/", _form(site="HK01", id_number="079090001234"))
    assert response.status_code == 400  # HK01 is not even offered: the form refuses the choice
    assert not TestResult.objects.exists()


def test_upload_page_shows_report(client, technician, people, row):
    client.force_login(technician[0])
    rows = [row(), row(external_id="S-2", kind="rapid_antigen", ct_value="20")]
    response = client.post("/testing/upload/", {"site": "BT01", "file": csv_file(rows)})
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="rejected-rows"' in page and "S-2" in page
    again = client.post("/testing/upload/", {"site": "BT01", "file": csv_file(rows)}).content.decode()
    assert 'data-testid="unchanged">1<' in again and TestResult.objects.count() == 1


def test_retests_page_lists_in_reach_only(client, technician, official, people, row):
    rows = [row(external_id="P1", kind="pooled_rt_pcr", pool_code="POOL-1", result="positive")]
    services.results_import_csv(assignment=technician[1], site_code="BT01", file=csv_file(rows))
    client.force_login(technician[0])
    page = client.get("/testing/retests/").content.decode()
    assert "Nguyễn Văn An" in page
    other, _a = official("commune_official", "hoan_kiem")
    client.force_login(other)
    reads = PersonalDataRead.objects.count()
    assert "Nguyễn Văn An" not in client.get("/testing/retests/").content.decode()
    assert PersonalDataRead.objects.count() == reads


def test_citizen_sees_results_at_once(client, technician, people, row):
    services.results_import_rows(assignment=technician[1], site_code="BT01", rows=[row(result="positive")])
    user = User.objects.create(username="+84903123456", phone="+84903123456", person=people["an"])
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    page = client.get("/testing/").content.decode()
    assert 'data-result="positive"' in page
