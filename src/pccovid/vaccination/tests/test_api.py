"""The vaccination API: what each caller gets; every refusal is 4xx JSON naming the field, never a 500."""

import datetime as dt

import pytest

from pccovid.accounts.models import User
from pccovid.audit.models import PersonalDataRead
from pccovid.vaccination.models import Dose
from pccovid.vaccination.tests.conftest import PFIZER

API = "/api/v1/vaccination"


def _error_body(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error"] == code and body["message"], body
    return body


def _post(client, path: str, body: dict):
    return client.post(f"{API}{path}", body, content_type="application/json")


@pytest.fixture
def worker_client(client, health_worker, site, lots):
    client.force_login(health_worker[0])
    return client


def _dose(person, **overrides) -> dict:
    return {
        "person_qid": person.qid,
        "product_code": PFIZER,
        "lot_number": "FF2587",
        "dose_number": 1,
        "given_on": "2021-08-01",
        "site_code": "BT-01",
        **overrides,
    }


def test_products_are_public(client, products):
    body = client.get(f"{API}/products").json()
    codes = {p["code"]: p for p in body}
    assert codes["EU/1/20/1528"]["doses_in_primary_series"] == 2
    assert codes["Nano-Covax"]["in_dcc_valueset"] is False


def test_a_health_worker_records_a_dose(worker_client, people):
    response = _post(worker_client, "/doses", _dose(people["an"]))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["dose_number"] == 1 and body["person_qid"] == people["an"].qid
    assert body["primary_series_complete"] is False and body["lot_number"] == "FF2587"
    assert PersonalDataRead.objects.filter(person=people["an"], purpose="vaccination").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"lot_number": "EW0150", "given_on": "2021-09-01"}, "lot_number"),
        ({"dose_number": 2}, "dose_number"),
        ({"given_on": "2021-12-21"}, "given_on"),
        ({"product_code": "XX"}, "product_code"),
        ({"site_code": "NOPE"}, "site_code"),
    ],
)
def test_rule_errors_are_400_and_name_the_field(worker_client, people, overrides, field):
    body = _error_body(
        _post(worker_client, "/doses", _dose(people["an"], **overrides)), 400, "invalid_vaccination"
    )
    assert body["field"] == field
    assert not Dose.objects.exists()


def test_malformed_requests_are_422(worker_client, people):
    for bad in ({"given_on": "1634256000"}, {"dose_number": 0}, {"person_qid": "a b"}):
        assert _post(worker_client, "/doses", _dose(people["an"], **bad)).status_code == 422


def test_an_unknown_person_is_404(worker_client):
    _error_body(_post(worker_client, "/doses", _dose(type("P", (), {"qid": "ZZZZ"})())), 404, "not_found")


def test_anonymous_and_roles_without_the_right(client, people, official, site, lots):
    _error_body(_post(client, "/doses", _dose(people["an"])), 401, "unauthenticated")
    user, _assignment = official("checkpoint_officer", "ben_thanh")
    client.force_login(user)
    _error_body(_post(client, "/doses", _dose(people["an"])), 403, "no_permission")
    _error_body(client.get(f"{API}/coverage"), 403, "no_permission")


def test_a_citizen_reads_their_own_record(client, people, record):
    record(people["an"], 1, dt.date(2021, 8, 1))
    user = User.objects.create(username="+84903123456", phone="+84903123456", person=people["an"])
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    body = client.get(f"{API}/me").json()
    assert [d["dose_number"] for d in body["doses"]] == [1] and body["first_dose_on"] == "2021-08-01"
    _error_body(_post(client, "/doses", _dose(people["an"], dose_number=2)), 403, "no_role")


def test_me_without_a_linked_person_is_404(client, db):
    user = User.objects.create(username="+84903999999", phone="+84903999999")
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    _error_body(client.get(f"{API}/me"), 404, "not_found")


def test_coverage_for_officials(client, official, people, record):
    record(people["an"], 1, dt.date(2021, 8, 1))
    user, _assignment = official("province_official", "hcmc")
    client.force_login(user)
    rows = client.get(f"{API}/coverage", {"on": "2021-12-20"}).json()
    row = next(r for r in rows if r["unit_code"] == "26743" and r["age_band"] == "18-49")
    assert (row["population"], row["first_dose"], row["first_dose_percent"]) == (1, 1, 100.0)
    _error_body(client.get(f"{API}/coverage", {"unit": "01"}), 404, "not_found")
    assert client.get(f"{API}/coverage", {"on": "0"}).status_code == 422


def test_sites_and_lots(client, official, products):
    user, _assignment = official("commune_official", "ben_thanh")
    client.force_login(user)
    site = {"code": "BT-02", "name": "Trường THCS Minh Đức", "unit_code": "26743"}
    assert _post(client, "/sites", site).status_code == 201
    _error_body(_post(client, "/sites", site), 400, "invalid_vaccination")
    _error_body(
        _post(client, "/sites", {**site, "code": "HN", "unit_code": "00070"}), 400, "invalid_vaccination"
    )
    lot = {"product_code": PFIZER, "number": "FK0108", "expiry_date": "2022-02-28"}
    assert _post(client, "/lots", lot).json()["number"] == "FK0108"
    assert _error_body(_post(client, "/lots", lot), 400, "invalid_vaccination")["field"] == "number"
