"""The declarations API: what each caller gets; every refusal is 4xx JSON naming the field, never a 500."""

import csv
import io

import pytest

from pccovid.audit.models import PersonalDataRead
from pccovid.declarations import services
from pccovid.declarations.models import Declaration, FollowUp
from pccovid.declarations.tests.conftest import TODAY

API = "/api/v1/declarations"


def _error_body(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error"] == code and body["message"], body
    return body


def _post(client, path: str, body: dict):
    return client.post(f"{API}{path}", body, content_type="application/json")


def _json(data: dict) -> dict:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in data.items() if k != "kind"}


@pytest.fixture
def official_client(client, official):
    def _login(role: str = "commune_official", unit_key: str = "ben_thanh"):
        user, _assignment = official(role, unit_key)
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def chi_flagged(people):
    """Chi (Hanoi resident) declared a stay in Sài Gòn with a cough."""
    return services.declaration_submit(
        declared_by=people["chi"],
        person=people["chi"],
        data={"kind": "domestic", "stay_unit": "26740", "stay_address": "5 Hàm Nghi", "cough": True},
    )


def test_citizen_declares_domestic_for_self(citizen_client, domestic_data, family):
    response = _post(citizen_client, "/domestic", _json(domestic_data(fever=True)))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["person"]["qid"] == family["lan"].qid and body["declared_by"]["qid"] == family["lan"].qid
    assert body["flagged"] and body["follow_up"] == "open" and body["symptoms"] == ["fever"]
    assert body["stay_unit"]["code"] == "26743" and body["travel_from"]["code"] == "01"


def test_citizen_declares_entry_for_a_household_member(citizen_client, entry_data, family):
    response = _post(citizen_client, "/entry", {**_json(entry_data()), "person": family["minh"].qid})
    assert response.status_code == 201, response.content
    assert response.json()["person"]["qid"] == family["minh"].qid
    assert response.json()["countries_visited"] == ["US", "JP"]


def test_declaring_for_a_non_member_is_403(citizen_client, domestic_data, people):
    body = _error_body(
        _post(citizen_client, "/domestic", {**_json(domestic_data()), "person": people["binh"].qid}),
        403,
        "not_household_member",
    )
    assert body["field"] == "person"
    assert not Declaration.objects.exists()


def test_rule_errors_are_400_naming_the_field(citizen_client, domestic_data, entry_data):
    citizen_client.cookies["django_language"] = "en"  # messages follow the person's language (vi by default)
    body = _error_body(
        _post(citizen_client, "/domestic", _json(domestic_data(travel_to="01"))), 400, "invalid_declaration"
    )
    assert body["field"] == "travel_to" and "Travelling to" in body["message"]
    body = _error_body(
        _post(citizen_client, "/entry", _json(entry_data(countries_visited=["XX"]))),
        400,
        "invalid_declaration",
    )
    assert body["field"] == "countries_visited"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"transport": "rocket"}, "transport"),
        ({"travel_date": "yesterday"}, "travel_date"),
        ({"stay_address": "x" * 201}, "stay_address"),
        ({"stay_unit": "26743\x00"}, "stay_unit"),
        ({"fever": "very"}, "fever"),
    ],
)
def test_malformed_bodies_are_422_naming_the_field(citizen_client, domestic_data, overrides, field):
    body = _error_body(
        _post(citizen_client, "/domestic", {**_json(domestic_data()), **overrides}), 422, "invalid_request"
    )
    assert body["field"] == field


def test_body_that_is_not_json_is_400(citizen_client):
    response = citizen_client.post(f"{API}/entry", "not json", content_type="application/json")
    _error_body(response, 400, "http_error")


def test_anonymous_gets_401(client, db):
    _error_body(_post(client, "/domestic", {"stay_address": "x"}), 401, "unauthenticated")
    _error_body(client.get(f"{API}/"), 401, "unauthenticated")


def test_account_without_a_person_cannot_declare(official_client, domestic_data):
    _error_body(_post(official_client(), "/domestic", _json(domestic_data())), 404, "not_found")


def test_mine_lists_what_i_declared(citizen_client, domestic_data, family):
    _post(citizen_client, "/domestic", _json(domestic_data()))
    _post(citizen_client, "/domestic", {**_json(domestic_data()), "person": family["hung"].qid})
    mine = citizen_client.get(f"{API}/mine").json()
    assert {d["person"]["qid"] for d in mine} == {family["lan"].qid, family["hung"].qid}


def test_citizen_cannot_use_official_endpoints(citizen_client):
    _error_body(citizen_client.get(f"{API}/"), 403, "no_role")


def test_official_list_filter_and_page(official_client, chi_flagged, people):
    client = official_client("commune_official", "sai_gon")
    body = client.get(f"{API}/", {"flagged": "true", "limit": 10}).json()
    assert body["count"] == 1 and body["items"][0]["id"] == chi_flagged.pk
    assert body["items"][0]["person"]["full_name"] == "Lê Minh Chi"
    assert client.get(f"{API}/", {"flagged": "false"}).json() == {"items": [], "count": 0}
    assert PersonalDataRead.objects.count() == 1


def test_official_list_filter_errors(official_client, chi_flagged):
    client = official_client("commune_official", "sai_gon")
    body = _error_body(client.get(f"{API}/", {"unit": "12345"}), 400, "invalid_declaration")
    assert body["field"] == "unit"
    body = _error_body(
        client.get(f"{API}/", {"date_from": "2021-10-15", "date_to": "2021-10-01"}),
        400,
        "invalid_declaration",
    )
    assert body["field"] == "date_from"
    body = _error_body(client.get(f"{API}/", {"offset": -1}), 422, "invalid_request")
    body = _error_body(client.get(f"{API}/", {"purpose": "curiosity"}), 422, "invalid_request")
    assert body["field"] == "purpose"


def test_detail_in_reach_and_out_of_reach(official_client, chi_flagged):
    client = official_client("commune_official", "sai_gon")
    detail = client.get(f"{API}/{chi_flagged.pk}", {"purpose": "testing"})
    assert detail.status_code == 200 and detail.json()["symptoms"] == ["cough"]
    assert PersonalDataRead.objects.get().purpose == "testing"


def test_detail_out_of_reach_is_404_like_a_missing_one(official_client, chi_flagged):
    client = official_client("commune_official", "ben_thanh")
    outside = client.get(f"{API}/{chi_flagged.pk}")
    missing = client.get(f"{API}/999999")
    assert _error_body(outside, 404, "not_found") == _error_body(missing, 404, "not_found")
    assert not PersonalDataRead.objects.exists()


def test_follow_up(official_client, chi_flagged):
    client = official_client("commune_official", "sai_gon")
    response = _post(client, f"/{chi_flagged.pk}/follow-up", {"note": "Called, tested negative."})
    assert response.status_code == 200, response.content
    assert response.json()["follow_up"] == FollowUp.DONE
    assert response.json()["followed_up_by"] == "commune_official-sai_gon"
    body = _error_body(
        _post(client, f"/{chi_flagged.pk}/follow-up", {"note": "again"}), 400, "invalid_declaration"
    )
    assert body["field"] == "declaration"
    _error_body(_post(client, f"/{chi_flagged.pk}/follow-up", {"note": ""}), 422, "invalid_request")


def test_follow_up_refusals(client, official, chi_flagged):
    user, _assignment = official("tracer", "sai_gon")
    client.force_login(user)
    _error_body(_post(client, f"/{chi_flagged.pk}/follow-up", {"note": "x"}), 403, "not_follow_up_official")
    other, _assignment = official("commune_official", "ben_thanh")
    client.force_login(other)
    _error_body(_post(client, f"/{chi_flagged.pk}/follow-up", {"note": "x"}), 404, "not_found")
    assert Declaration.objects.get().follow_up == FollowUp.OPEN


def test_csv_export(official_client, chi_flagged, people):
    client = official_client("commune_official", "hoan_kiem")
    response = client.get(
        f"{API}/export.csv", {"purpose": "case_investigation", "date_from": TODAY.isoformat()}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1
    row = rows[0]
    assert row["id"] == str(chi_flagged.pk) and row["full_name"] == "Lê Minh Chi"
    assert row["person_qid"] == people["chi"].qid and row["birth_year"] == "2001"
    assert row["stay_unit_code"] == "26740" and row["stay_unit"] == "Phường Sài Gòn"
    assert row["flagged"] == "yes" and row["symptoms"] == "cough" and row["follow_up"] == "open"
    assert row["declared_at"] == "2021-10-15T10:00:00+07:00"
    read = PersonalDataRead.objects.get()
    assert read.purpose == "case_investigation" and read.person_id == people["chi"].pk


def test_csv_escapes_spreadsheet_formulas(citizen_client, domestic_data, official_client):
    _post(citizen_client, "/domestic", _json(domestic_data(stay_address='=HYPERLINK("x")')))
    client = official_client("commune_official", "ben_thanh")
    row = next(csv.DictReader(io.StringIO(client.get(f"{API}/export.csv").content.decode())))
    assert row["stay_address"] == '\'=HYPERLINK("x")'


def test_csv_out_of_reach_is_empty_and_unaudited(official_client, chi_flagged):
    client = official_client("commune_official", "ben_thanh")
    rows = list(csv.reader(io.StringIO(client.get(f"{API}/export.csv").content.decode())))
    assert len(rows) == 1  # the header only
    assert not PersonalDataRead.objects.exists()
