"""The check-in API: each operation, and every error is a 4xx JSON body with a code and a message."""

import datetime as dt

import pytest

from pccovid.accounts import services as account_services
from pccovid.checkins.models import CheckIn, Venue
from pccovid.checkins.tests.conftest import NOW, personal_qr
from pccovid.qr.formats import venue_qr_text

API = "/api/v1/checkins"


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error"] == code and body["message"], body
    return body


def _poster(venue) -> str:
    return venue_qr_text(venue_code=venue.code, token=venue.qr_token)


@pytest.fixture
def device(client, operator):
    """The operator's scanner: a device token."""
    token = account_services.api_token_create(user=operator, name="scanner at the door")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_register_list_reissue_deactivate(client, operator, tree):
    client.force_login(operator)
    body = {
        "name": "Nhà sách Phương Nam",
        "category": "shop",
        "unit_code": "26743",
        "address_line": "1 Lê Lợi",
    }
    created = client.post(f"{API}/venues", body, content_type="application/json")
    assert created.status_code == 201, created.content
    venue = created.json()
    assert venue["unit_name"] == "Phường Bến Thành" and venue["qr_text"].startswith(
        f"PCV|VENUE|{venue['code']}|"
    )
    listed = client.get(f"{API}/venues").json()
    assert [v["code"] for v in listed["items"]] == [venue["code"]]
    reissued = client.post(f"{API}/venues/{venue['code']}/reissue").json()
    assert reissued["qr_text"] != venue["qr_text"]
    assert client.post(f"{API}/venues/{venue['code']}/deactivate").json()["active"] is False


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"name": "X", "category": "casino", "unit_code": "26743"}, 422, "invalid_request", "category"),
        ({"name": "X", "category": "shop", "unit_code": "99999"}, 400, "venue_invalid", "unit_code"),
        ({"name": "  ", "category": "shop", "unit_code": "26743"}, 400, "venue_invalid", "name"),
        ({"name": "a\x00b", "category": "shop", "unit_code": "26743"}, 422, "invalid_request", "name"),
    ],
)
def test_register_refusals(client, operator, tree, body, status, code, field):
    client.force_login(operator)
    response = client.post(f"{API}/venues", body, content_type="application/json")
    assert _error(response, status, code)["field"] == field
    assert not Venue.objects.exists()


def test_venue_list_query_count(client, operator, tree, django_assert_max_num_queries):
    client.force_login(operator)
    for n in range(5):
        client.post(
            f"{API}/venues",
            {"name": f"Quầy {n}", "category": "market", "unit_code": "26743"},
            content_type="application/json",
        )
    with django_assert_max_num_queries(4):
        assert client.get(f"{API}/venues").json()["count"] == 5


def test_someone_elses_venue_is_404(client, citizen, venue):
    client.force_login(citizen)
    for response in (
        client.post(f"{API}/venues/{venue.code}/reissue"),
        client.get(f"{API}/venues/{venue.code}/counts"),
        client.post(f"{API}/venues/ZZZZZZZZ/reissue"),
    ):
        _error(response, 404, "not_found")
    _error(client.get(f"{API}/venues/lower/counts"), 422, "invalid_request")


def test_counts_show_numbers_only(client, operator, venue, people):
    client.force_login(operator)
    for n in range(7):
        CheckIn.objects.create(
            person=people["an"],
            venue=venue,
            at=NOW,
            how="venue_scan",
            recorded_by=operator,
            client_event_id=f"{n}",
        )
    response = client.get(f"{API}/venues/{venue.code}/counts", {"days": 2})
    assert response.json()["days"] == [{"day": "2021-09-19", "count": 0}, {"day": "2021-09-20", "count": 7}]
    assert people["an"].qid not in response.content.decode() and "Nguyễn" not in response.content.decode()


def test_citizen_checks_in_and_sees_history(client, citizen, household, venue):
    client.force_login(citizen)
    body = {"venue_text": _poster(venue), "members": [household["dung"].qid]}
    response = client.post(f"{API}/checkin", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert [p["full_name"] for p in response.json()["people"]] == ["Nguyễn Văn An", "Nguyễn Thị Dung"]
    mine = client.get(f"{API}/mine").json()
    assert [(c["venue"]["name"], c["how"]) for c in mine["items"]] == [("Tạp hóa Cô Bình", "citizen_scan")]


@pytest.mark.parametrize(
    ("text", "members", "code"),
    [
        ("garbage", [], "not_a_venue_qr"),
        (None, ["0000000000AA"], "not_household_member"),
    ],
)
def test_checkin_refusals(client, citizen, venue, text, members, code):
    client.force_login(citizen)
    body = {"venue_text": text or _poster(venue), "members": members}
    _error(client.post(f"{API}/checkin", body, content_type="application/json"), 400, code)


def test_checkin_with_a_revoked_poster(client, citizen, operator, venue):
    client.cookies["django_language"] = "en"  # messages follow the person's language (vi by default)
    old = _poster(venue)
    client.force_login(operator)
    client.post(f"{API}/venues/{venue.code}/reissue")
    client.force_login(citizen)
    body = _error(
        client.post(f"{API}/checkin", {"venue_text": old}, content_type="application/json"),
        400,
        "venue_qr_revoked",
    )
    assert "no longer valid" in body["message"]


def test_bulk_from_a_device_and_resent(client, device, venue, people):
    events = [
        {"client_event_id": f"d-{n}", "qr_text": personal_qr(people["an"]), "at": NOW.isoformat()}
        for n in range(3)
    ]
    body = {"venue_code": venue.code, "events": events}
    first = client.post(f"{API}/bulk", body, content_type="application/json", **device).json()
    again = client.post(f"{API}/bulk", body, content_type="application/json", **device).json()
    assert (first["stored"], again["stored"], again["duplicates"]) == (3, 0, 3)
    assert [r["result"] for r in again["results"]] == ["duplicate"] * 3
    assert CheckIn.objects.count() == 3


def test_bulk_over_1000_events_is_422(client, device, venue, people):
    event = {"client_event_id": "x", "qr_text": "x", "at": NOW.isoformat()}
    body = {"venue_code": venue.code, "events": [event] * 1001}
    _error(
        client.post(f"{API}/bulk", body, content_type="application/json", **device), 422, "invalid_request"
    )


def test_bulk_for_someone_elses_venue_is_404(client, citizen, venue, people):
    client.force_login(citizen)
    body = {"venue_code": venue.code, "events": []}
    _error(client.post(f"{API}/bulk", body, content_type="application/json"), 404, "not_found")


@pytest.mark.parametrize(
    "body",
    [
        {"venue_code": "nope", "events": []},
        {
            "venue_code": "ABCDEFGH",
            "events": [{"client_event_id": "a b", "qr_text": "", "at": "2021-09-20T10:00"}],
        },
        {"venue_code": "ABCDEFGH", "events": [{"client_event_id": "a", "qr_text": "", "at": "yesterday"}]},
        {"venue_code": "ABCDEFGH"},
    ],
)
def test_bulk_malformed_is_422(client, operator, body):
    client.force_login(operator)
    _error(client.post(f"{API}/bulk", body, content_type="application/json"), 422, "invalid_request")


def test_anonymous_is_401(client, venue):
    for response in (
        client.get(f"{API}/mine"),
        client.get(f"{API}/venues"),
        client.post(f"{API}/checkin", {"venue_text": "x"}, content_type="application/json"),
    ):
        _error(response, 401, "unauthenticated")


def test_unlinked_account_history_is_404(client, operator, db):
    operator.person = None
    operator.save()
    client.force_login(operator)
    _error(client.get(f"{API}/mine"), 404, "not_found")


def test_far_dates_are_refused_not_crashing(client, device, venue, people):
    events = [
        {"client_event_id": "old", "qr_text": personal_qr(people["an"]), "at": "0001-01-01T00:00:00"},
        {"client_event_id": "new", "qr_text": personal_qr(people["an"]), "at": "9999-12-31T23:59:59+00:00"},
    ]
    response = client.post(
        f"{API}/bulk", {"venue_code": venue.code, "events": events}, content_type="application/json", **device
    )
    assert response.status_code == 200, response.content
    assert [r["reason"] for r in response.json()["results"]] == ["too_old", "time_in_future"]


def test_checkin_time_is_utc(client, citizen, venue):
    client.force_login(citizen)
    client.post(f"{API}/checkin", {"venue_text": _poster(venue)}, content_type="application/json")
    assert CheckIn.objects.get().at == NOW == dt.datetime(2021, 9, 20, 3, tzinfo=dt.UTC)
