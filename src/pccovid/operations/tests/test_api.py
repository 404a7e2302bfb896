"""The API: the dashboard and quality JSON, the exports, jurisdiction and bad input."""

import csv
import io

import pytest

from pccovid.accounts import services as account_services
from pccovid.accounts.models import User
from pccovid.audit.models import PersonalDataRead

API = "/api/v1/operations"
ENDPOINTS = ["/dashboard", "/quality", "/export/fhir", "/export/csv"]


@pytest.fixture
def as_user(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.mark.parametrize("path", ENDPOINTS)
def test_anonymous_is_401(client, db, path):
    assert client.get(API + path).status_code == 401


@pytest.mark.parametrize("path", ENDPOINTS)
def test_no_role_403_role_without_the_module_404(as_user, officials, path):
    response = as_user(User.objects.create_user(username="nobody", password="pw-123456")).get(API + path)
    assert response.status_code == 403 and response.json()["error"] == "no_role"
    assert as_user(officials["tracer"][0]).get(API + path).status_code == 404


@pytest.mark.parametrize("path", ENDPOINTS)
def test_inside_200_outside_404(as_user, city, officials, path):
    client = as_user(officials["province"][0])
    assert client.get(API + path, {"unit": "26740"}).status_code == 200
    outside = client.get(API + path, {"unit": "00070"})
    assert outside.status_code == 404 and outside.json()["error"] == "not_found"


@pytest.mark.parametrize("path", ["/export/fhir", "/export/csv"])
def test_a_commune_official_cannot_export(as_user, city, officials, path):
    response = as_user(officials["sai_gon"][0]).get(API + path)
    assert response.status_code == 403 and response.json()["error"] == "no_permission"


def test_dashboard_json(as_user, city, levels, officials):
    body = (
        as_user(officials["province"][0])
        .get(API + "/dashboard", {"start": "2021-12-18", "end": "2021-12-20"})
        .json()
    )
    assert (body["unit"]["code"], body["start"], body["end"]) == ("79", "2021-12-18", "2021-12-20")
    assert [(d["day"], d["tests"], d["positive"]) for d in body["tests"]["days"]] == [
        ("2021-12-18", 3, 1), ("2021-12-19", 2, 0), ("2021-12-20", 1, 1),
    ]  # fmt: skip
    assert body["tests"]["tests"] == 6 and body["tests"]["source"]
    total = next(r for r in body["cases"]["rows"] if r["code"] == "")
    assert (total["home"], total["facility"], total["hospital"]) == (1, 1, 1)
    assert body["quarantine"]["facilities"][0]["occupied"] == 1
    assert {r["unit_code"] for r in body["coverage"]["rows"]} == {"26743", "26740"}
    assert body["level_changes"]["rows"] == [
        {"unit_code": "26743", "unit_name": "Phường Bến Thành", "unit_level": "commune", "on": "2021-12-19",
         "old_level": 2, "new_level": 3}
    ]  # fmt: skip


def test_quality_json(as_user, legacy_quality, officials):
    body = as_user(officials["engineer"][0]).get(API + "/quality").json()
    ncovi = next(s for s in body["sources"] if s["source"] == "ncovi")
    assert (ncovi["rejected"], ncovi["unlinked"], ncovi["not_mine_open"]) == (3, 1, 1)
    assert body["sites"] == [
        {"site_code": "BT-01", "site_name": "Trạm Y tế Bến Thành", "dose_missing_open": 1}
    ]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"start": "2021-12-20", "end": "2021-12-01"}, 400),
        ({"start": "2020-01-01", "end": "2021-12-20"}, 400),
        ({"start": "1634256000"}, 422),
        ({"end": "2021-02-30"}, 422),
        ({"days": "400"}, 422),
        ({"unit": "bad code"}, 422),
    ],
)
def test_bad_input_is_4xx_with_a_message(as_user, city, officials, query, status):
    response = as_user(officials["province"][0]).get(API + "/dashboard", query)
    assert response.status_code == status and response.json()["message"]


def test_csv_export_with_a_device_token(client, city, officials):
    user, _engineer = officials["engineer"]
    token = account_services.api_token_create(user=user, name="national")
    before = PersonalDataRead.objects.count()
    response = client.get(
        API + "/export/csv", {"unit": "26740"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {r["full_name"] for r in rows} == {"Trần Thị Bình"} and len(rows) == 3  # a dose, two tests
    assert PersonalDataRead.objects.count() == before + 1
