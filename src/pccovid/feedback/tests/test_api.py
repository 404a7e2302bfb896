"""The API: citizens send (multipart, optional photo) and read their reports; officials read the queue and
change a status. Errors are 4xx with a message."""

import pytest

from pccovid.accounts import services as account_services
from pccovid.feedback import services
from pccovid.feedback.models import CitizenReport, Status
from pccovid.feedback.tests.conftest import jpeg_with_gps, upload

REPORTS = "/api/v1/feedback/reports"
QUEUE = "/api/v1/feedback/queue"
FIELDS = {"kind": "crowded", "edition": "2025", "unit_code": "26743", "place": "Chợ", "description": "Đông."}


def test_citizen_posts_multipart_with_photo_and_lists_own(login, citizen, report, people):
    report(reporter=people["binh"], unit="26740")  # someone else's: never listed
    client = login(citizen)
    response = client.post(REPORTS, {**FIELDS, "photo": upload(jpeg_with_gps())})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (
        body["status"] == "received" and body["has_photo"] is True and body["unit_name"] == "Phường Bến Thành"
    )
    assert body["events"][0]["status"] == "received" and body["events"][0]["unit_name"] is None
    listed = client.get(REPORTS).json()
    assert [r["id"] for r in listed] == [body["id"]]


def test_device_token_works_for_citizens(client, citizen):
    token = account_services.api_token_create(user=citizen, name="phone")
    response = client.post(REPORTS, FIELDS, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("changes", "status", "code", "field"),
    [
        ({"description": ""}, 422, "invalid_request", "form.description"),
        ({"kind": "gossip"}, 422, "invalid_request", "form.kind"),
        ({"unit_code": "99999"}, 400, "invalid_report", "unit"),
        ({"photo": upload(b"hello", "x.jpg")}, 400, "invalid_photo", "photo"),
        ({"photo": upload(b"\xff" * (5 * 1024 * 1024 + 1))}, 400, "invalid_photo", "photo"),
    ],
    ids=["missing-description", "bad-kind", "unknown-unit", "bad-photo", "too-large-photo"],
)
def test_citizen_post_errors(login, citizen, changes, status, code, field):
    response = login(citizen).post(REPORTS, {**FIELDS, **changes})
    assert response.status_code == status
    body = response.json()
    assert body["error"] == code and body["field"] == field and body["message"]
    assert not CitizenReport.objects.exists()


def test_rate_limit_is_429_with_the_reason(login, citizen, report):
    for _ in range(10):
        report()
    response = login(citizen).post(REPORTS, FIELDS)
    assert response.status_code == 429
    assert response.json()["error"] == "too_many_reports" and "10 reports today" in response.json()["message"]


def test_anonymous_and_unlinked_accounts(login, django_user_model, db):
    assert login().get(REPORTS).status_code == 401
    assert login().post(REPORTS, FIELDS).status_code == 401
    unlinked = django_user_model.objects.create(username="+84900000001", phone="+84900000001")
    response = login(unlinked).get(REPORTS)
    assert response.status_code == 404 and "not linked" in response.json()["message"]


def test_queue_jurisdiction_and_counts(
    login, report, commune_official, elsewhere_official, citizen, official
):
    inside, other = report(), report(unit="26740")
    body = login(commune_official[0]).get(QUEUE).json()
    assert [item["id"] for item in body["items"]] == [inside.pk]
    assert body["count"] == 1 and body["by_status"] == {
        "received": 1,
        "in_progress": 0,
        "resolved": 0,
        "rejected": 0,
    }
    assert "reporter" not in body["items"][0]
    assert login(elsewhere_official[0]).get(QUEUE).json()["items"] == []
    assert login(citizen).get(QUEUE).status_code == 403
    tracer = login(official("tracer", "ben_thanh")[0]).get(QUEUE)
    assert tracer.status_code == 404 and tracer.json()["error"] == "not_found"
    bad = login(commune_official[0]).get(QUEUE, {"unit_code": "12345"})
    assert bad.status_code == 400 and bad.json()["field"] == "unit"
    assert other.pk not in [
        i["id"] for i in login(commune_official[0]).get(QUEUE, {"status": "received"}).json()["items"]
    ]


def test_status_change_round_trip(login, report, commune_official, citizen):
    made = report()
    client = login(commune_official[0])
    url = f"{REPORTS}/{made.pk}/status"
    response = client.post(
        url, {"status": "in_progress", "note": "Đang xác minh."}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "in_progress"
    refused = client.post(url, {"status": "resolved"}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["field"] == "note"
    mine = login(citizen).get(REPORTS).json()[0]
    assert mine["status"] == "in_progress"
    assert mine["events"][-1] == {
        "status": "in_progress",
        "note": "Đang xác minh.",
        "unit_name": "Phường Bến Thành",
        "at": "2021-10-15T03:00:00Z",
    }


def test_status_change_errors(login, report, commune_official, elsewhere_official):
    made = report()
    services.citizen_report_status_change(
        assignment=commune_official[1], report_id=made.pk, status="rejected", note="Trùng."
    )
    url = f"{REPORTS}/{made.pk}/status"
    final = login(commune_official[0]).post(url, {"status": "in_progress"}, content_type="application/json")
    assert final.status_code == 400 and final.json()["error"] == "invalid_transition"
    outside = login(elsewhere_official[0]).post(
        url, {"status": "in_progress"}, content_type="application/json"
    )
    assert outside.status_code == 404
    absent = login(commune_official[0]).post(
        f"{REPORTS}/999999/status", {"status": "in_progress"}, content_type="application/json"
    )
    assert absent.status_code == 404
    huge = login(commune_official[0]).post(
        f"{REPORTS}/{2**70}/status", {"status": "in_progress"}, content_type="application/json"
    )
    assert huge.status_code == 422
    made.refresh_from_db()
    assert made.status == Status.REJECTED


def test_queue_query_count(login, report, people, province_official, django_assert_max_num_queries):
    for n in range(12):
        report(unit=("26743", "26740")[n % 2], reporter=(people["an"], people["binh"])[n % 2])
    client = login(province_official[0])
    with django_assert_max_num_queries(6):
        response = client.get(QUEUE)
    assert response.json()["count"] == 12 and len(response.json()["items"]) == 12
