"""The testing API: each caller's view; every refusal is 4xx JSON naming the field, never a 500."""

import pytest

from pccovid.accounts import services as account_services
from pccovid.accounts.models import User
from pccovid.audit.models import PersonalDataRead
from pccovid.testing.models import TestResult
from pccovid.testing.tests.conftest import csv_file

API = "/api/v1/testing"
pytestmark = pytest.mark.django_db


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error"] == code and body["message"], body
    return body


@pytest.fixture
def lab(technician):
    """A lab system's device token of the Bến Thành health worker."""
    user, _assignment = technician
    return {"HTTP_AUTHORIZATION": f"Bearer {account_services.api_token_create(user=user, name='lab LIS')}"}


def _record_body(person, **overrides):
    body = {
        "site_code": "BT01",
        "person_qid": person.qid,
        "kind": "rt_pcr",
        "sample_taken_at": "2021-10-15T08:00:00+07:00",
        "result": "negative",
        "ct_value": 36.5,
        "external_id": "LAB-9",
    }
    return {**body, **overrides}


def test_record_201(client, lab, people):
    response = client.post(
        f"{API}/results", _record_body(people["an"]), content_type="application/json", **lab
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["full_name"] == "Nguyễn Văn An" and body["ct_value"] == 36.5 and body["site_code"] == "BT01"


@pytest.mark.parametrize(
    "overrides,status,code,field",
    [
        ({"kind": "rapid_antigen"}, 400, "invalid_test_result", "ct_value"),
        ({"sample_taken_at": "2021-10-16T08:00:00+07:00"}, 400, "invalid_test_result", "sample_taken_at"),
        ({"site_code": "HK01"}, 404, "not_found", "site_code"),
        ({"person_qid": "ZZZZZZZZZZZZ"}, 404, "not_found", "person_qid"),
        ({"kind": "antibody"}, 422, "invalid_request", "kind"),
        ({"ct_value": "x"}, 422, "invalid_request", "ct_value"),
    ],
)
def test_record_errors(client, lab, people, overrides, status, code, field):
    response = client.post(
        f"{API}/results", _record_body(people["an"], **overrides), content_type="application/json", **lab
    )
    assert _error(response, status, code)["field"] == field
    assert not TestResult.objects.exists()


def test_anonymous_401_and_no_role_403(client, people, sites):
    _error(client.post(f"{API}/results", _record_body(people["an"]), content_type="application/json"), 401,
           "unauthenticated")  # fmt: skip
    user = User.objects.create(username="+84903123456", phone="+84903123456", person=people["an"])
    client.force_login(user)
    _error(client.post(f"{API}/results", _record_body(people["an"]), content_type="application/json"), 403,
           "no_role")  # fmt: skip
    _error(client.post(f"{API}/results", "not json", content_type="application/json"), 400, "http_error")


def test_batch_report_and_idempotent(client, lab, people, row):
    body = {"site_code": "BT01", "rows": [row(), row(external_id="S-2", kind="rapid_antigen", ct_value="20")]}
    first = client.post(f"{API}/results/batch", body, content_type="application/json", **lab)
    assert first.status_code == 200, first.content
    report = first.json()
    assert (report["stored"], report["rejected_rows"]) == (1, 1)
    assert report["rejected"][0] == {"row": 2, "field": "ct_value", "reason": report["rejected"][0]["reason"],
                                     "external_id": "S-2"}  # fmt: skip
    again = client.post(f"{API}/results/batch", body, content_type="application/json", **lab).json()
    assert (again["stored"], again["unchanged"]) == (0, 1) and TestResult.objects.count() == 1


def test_batch_too_large_is_422(client, lab, row):
    body = {"site_code": "BT01", "rows": [row(external_id=f"S-{n}") for n in range(1001)]}
    _error(client.post(f"{API}/results/batch", body, content_type="application/json", **lab), 422,
           "invalid_request")  # fmt: skip


def test_csv_upload(client, lab, people, row):
    upload = csv_file([row(), row(external_id="S-2", id_number="079999999999", full_name="", birth_date="")])
    response = client.post(f"{API}/results/csv", {"site_code": "BT01", "file": upload}, **lab)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["source"] == "csv:lab.csv" and body["stored"] == 1 and body["rejected"][0]["row"] == 3


def test_csv_unreadable_is_400(client, lab, sites):
    import io

    upload = io.BytesIO(b"\xff\xfe")
    upload.name = "x.csv"
    _error(
        client.post(f"{API}/results/csv", {"site_code": "BT01", "file": upload}, **lab),
        400,
        "import_unreadable",
    )
    _error(client.post(f"{API}/results/csv", {"site_code": "BT01"}, **lab), 422, "invalid_request")


def test_pool_result(client, lab, people, row):
    rows = [row(external_id="P1", kind="pooled_rt_pcr", pool_code="POOL-1", result="")]
    client.post(f"{API}/results/csv", {"site_code": "BT01", "file": csv_file(rows)}, **lab)
    response = client.post(f"{API}/pools/POOL-1/result", {"site_code": "BT01", "result": "positive"},
                           content_type="application/json", **lab)  # fmt: skip
    assert response.json() == {
        "pool_code": "POOL-1",
        "result": "positive",
        "members": 1,
        "flagged": 1,
        "cleared": 0,
    }
    _error(client.post(f"{API}/pools/NOPE/result", {"site_code": "BT01", "result": "positive"},
                       content_type="application/json", **lab), 404, "not_found")  # fmt: skip


def test_citizen_me(client, technician, people, row, lab):
    body = {"site_code": "BT01", "rows": [row()]}
    client.post(f"{API}/results/batch", body, content_type="application/json", **lab)
    user = User.objects.create(username="+84903123456", phone="+84903123456", person=people["an"])
    client.force_login(user)
    mine = client.get(f"{API}/me")
    assert mine.status_code == 200 and [r["result"] for r in mine.json()] == ["negative"]
    user.person = None
    user.save()
    _error(client.get(f"{API}/me"), 404, "not_found")


def test_official_list_jurisdiction_and_audit(client, official, technician, people, row, lab,
                                              django_assert_max_num_queries):  # fmt: skip
    rows = [row(), row(external_id="S-2", id_number="001301009999", full_name="", birth_date="")]
    client.post(
        f"{API}/results/batch", {"site_code": "BT01", "rows": rows}, content_type="application/json", **lab
    )
    hanoi_user, _a = official("commune_official", "hoan_kiem")
    ward_user, _b = official("commune_official", "sai_gon")
    client.force_login(ward_user)
    reads = PersonalDataRead.objects.count()
    assert client.get(f"{API}/results").json() == {"items": [], "count": 0}  # Sài Gòn reaches neither
    assert PersonalDataRead.objects.count() == reads
    province_user, _c = official("province_official", "hcmc")
    client.force_login(province_user)
    with django_assert_max_num_queries(12):
        body = client.get(f"{API}/results?limit=10").json()
    assert body["count"] == 2  # An lives here; Chi (Hanoi) was granted by her test in Bến Thành
    assert PersonalDataRead.objects.filter(actor=province_user).count() == 2
    client.force_login(hanoi_user)
    assert client.get(f"{API}/results").json()["count"] == 1  # Chi lives in Hoàn Kiếm
    _error(client.get(f"{API}/results?result=maybe"), 422, "invalid_request")
    _error(client.get(f"{API}/results?offset=-1"), 422, "invalid_request")
