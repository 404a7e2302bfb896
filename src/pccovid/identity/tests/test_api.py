"""The HTTP API: what each caller gets, and every error is 4xx JSON with a message (never a 500)."""

import pytest

from pccovid.accounts import services as account_services
from pccovid.audit.models import PersonalDataRead

API = "/api/v1"


def _error_body(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error"] == code and body["message"], body
    return body


@pytest.fixture
def official_client(client, official):
    user, _assignment = official("commune_official", "ben_thanh")
    client.force_login(user)
    return client


def test_official_search_and_detail_inside_jurisdiction(official_client, people):
    found = official_client.get(f"{API}/identity/persons", {"q": "nguyen van an"}).json()
    assert [p["qid"] for p in found] == [people["an"].qid]
    detail = official_client.get(f"{API}/identity/persons/{people['an'].qid}", {"purpose": "testing"})
    assert detail.status_code == 200
    assert {"kind": "cccd", "value": "079090001234"} in [
        {"kind": i["kind"], "value": i["value"]} for i in detail.json()["identifiers"]
    ]
    assert PersonalDataRead.objects.filter(purpose="testing").count() == 1


def test_person_outside_jurisdiction_is_404_exactly_like_a_missing_one(official_client, people):
    outside = official_client.get(f"{API}/identity/persons/{people['chi'].qid}")
    missing = official_client.get(f"{API}/identity/persons/NOSUCHPERSON")
    assert _error_body(outside, 404, "not_found") == _error_body(missing, 404, "not_found")
    assert not PersonalDataRead.objects.exists()


def test_anonymous_gets_401_json(client, people):
    _error_body(client.get(f"{API}/identity/persons/{people['an'].qid}"), 401, "unauthenticated")


def test_citizen_without_a_role_gets_403_on_official_endpoints(client, people):
    user = account_services.official_create(
        username="x", password="pw-123456", role="tracer", unit=people["an"].residence_unit
    )
    user.assignments.update(active=False)
    client.force_login(user)
    _error_body(client.get(f"{API}/identity/persons", {"q": "an"}), 403, "no_role")


def test_several_roles_must_name_the_assignment(client, official, tree, people):
    user, _ = official("commune_official", "ben_thanh")
    second = account_services.role_assign(user=user, role="tracer", unit=tree["hcmc"])
    client.force_login(user)
    _error_body(client.get(f"{API}/identity/persons", {"q": "Bình"}), 400, "choose_assignment")
    found = client.get(f"{API}/identity/persons", {"q": "tran thi binh", "assignment": second.pk}).json()
    assert [p["qid"] for p in found] == [people["binh"].qid]


def test_bad_query_values_are_422_naming_the_field(official_client, people):
    body = _error_body(
        official_client.get(f"{API}/identity/persons", {"q": "an", "purpose": "curiosity"}),
        422,
        "invalid_request",
    )
    assert body["field"] == "purpose"
    _error_body(official_client.get(f"{API}/identity/persons", {"q": "an"}), 400, "query_too_short")


def test_device_token_flow_for_a_citizen(client, people, sms_outbox):
    assert (
        client.post(
            f"{API}/accounts/otp/request", {"phone": "0903123456"}, content_type="application/json"
        ).status_code
        == 202
    )
    token = client.post(
        f"{API}/accounts/otp/verify",
        {"phone": "0903123456", "code": sms_outbox.last_code("+84903123456")},
        content_type="application/json",
    ).json()["token"]
    me = client.get(f"{API}/identity/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.json()["full_name"] == "Nguyễn Văn An"
    household = client.get(f"{API}/identity/me/household", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert [p["qid"] for p in household.json()] == [people["an"].qid]


def test_otp_errors_are_json(client, people, sms_outbox):
    _error_body(
        client.post(f"{API}/accounts/otp/request", {"phone": "12"}, content_type="application/json"),
        400,
        "invalid_identity",
    )
    client.post(f"{API}/accounts/otp/request", {"phone": "0903123456"}, content_type="application/json")
    _error_body(
        client.post(f"{API}/accounts/otp/request", {"phone": "0903123456"}, content_type="application/json"),
        429,
        "otp_throttled",
    )
    _error_body(
        client.post(
            f"{API}/accounts/otp/verify",
            {"phone": "0903123456", "code": "x"},
            content_type="application/json",
        ),
        400,
        "otp_wrong",
    )
    _error_body(
        client.post(f"{API}/accounts/otp/verify", {"phone": "0903123456"}, content_type="application/json"),
        422,
        "invalid_request",
    )
    _error_body(
        client.post(f"{API}/accounts/otp/verify", "{not json", content_type="application/json"),
        400,
        "http_error",
    )


def test_official_token_with_wrong_password_is_401(client, official):
    official("tracer", "hcmc", username="tracy")
    _error_body(
        client.post(
            f"{API}/accounts/token",
            {"username": "tracy", "password": "nope", "device_name": "x"},
            content_type="application/json",
        ),
        401,
        "wrong_credentials",
    )
    ok = client.post(
        f"{API}/accounts/token",
        {"username": "tracy", "password": "pw-123456", "device_name": "x"},
        content_type="application/json",
    )
    me = client.get(f"{API}/accounts/me", HTTP_AUTHORIZATION=f"Bearer {ok.json()['token']}").json()
    assert me["assignments"][0]["role"] == "tracer"


def test_citizen_sees_who_read_their_record(client, people, official, sms_outbox):
    _user, assignment = official("commune_official", "ben_thanh")
    from pccovid.identity import selectors

    selectors.person_get(assignment=assignment, qid=people["an"].qid, purpose="case_investigation")
    client.post(f"{API}/accounts/otp/request", {"phone": "0903123456"}, content_type="application/json")
    token = client.post(
        f"{API}/accounts/otp/verify",
        {"phone": "0903123456", "code": sms_outbox.last_code("+84903123456")},
        content_type="application/json",
    ).json()["token"]
    reads = client.get(f"{API}/audit/me/reads", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert [(r["official"], r["role"], r["purpose"]) for r in reads] == [
        ("commune_official-ben_thanh", "commune_official", "case_investigation")
    ]
