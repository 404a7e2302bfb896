"""Pages: the citizen's form and list, the officials' queue and report page, the photo. Jurisdiction on
every page: anonymous, no role, inside (200), outside (404 or absent from the list)."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from pccovid.feedback import services
from pccovid.feedback.models import CitizenReport, Status
from pccovid.feedback.tests.conftest import jpeg_with_gps, png, upload

FORM = {"kind": "no_checkin", "edition": "2025", "unit": "26743", "place": "Quán 12 Lê Lợi"}


def test_citizen_sends_a_report_with_a_photo_and_sees_it(login, citizen):
    client = login(citizen)
    page = client.get(reverse("feedback:new"))
    assert page.status_code == 200
    assert 'value="26743"' in page.content.decode()  # the residence commune, offered first
    response = client.post(
        reverse("feedback:new"), {**FORM, "description": "Không có mã QR.", "photo": upload(jpeg_with_gps())}
    )
    assert response.status_code == 302 and response.url == reverse("feedback:mine")
    made = CitizenReport.objects.get()
    assert made.photo and made.kind == "no_checkin"
    mine = client.get(reverse("feedback:mine")).content.decode()
    assert made.reference in mine and "Received" in mine and "Không có mã QR." in mine


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"description": ""}, "Description is required."),
        ({"description": "x", "photo": upload(b"not an image at all", "a.jpg")}, "send a JPEG, PNG or WebP"),
        ({"description": "x", "photo": upload(b"\xff" * (5 * 1024 * 1024 + 10))}, "at most 5 MB"),
        ({"description": "x", "unit": "00000"}, "no unit has the code 00000"),
    ],
    ids=["missing-description", "bad-photo", "too-large-photo", "unknown-commune"],
)
def test_citizen_form_errors_are_shown_on_the_field(login, citizen, extra, message):
    response = login(citizen).post(reverse("feedback:new"), {**FORM, **extra})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CitizenReport.objects.exists()


def test_citizen_form_stops_at_the_daily_limit(login, citizen, report, people):
    for _ in range(10):
        report()
    response = login(citizen).post(reverse("feedback:new"), {**FORM, "description": "Lần thứ 11."})
    assert response.status_code == 400
    assert "10 reports today" in response.content.decode()
    assert CitizenReport.objects.count() == 10


@pytest.mark.parametrize("name", ["feedback:mine", "feedback:new", "feedback:queue"])
def test_anonymous_is_sent_to_sign_in(login, name, db):
    assert login().get(reverse(name)).status_code == 302


def test_queue_and_report_page_jurisdiction(
    login, report, commune_official, elsewhere_official, official, django_user_model, tree
):
    inside = report()
    other = report(unit="26740", description="Sài Gòn đông.")
    hanoi = report(unit="00070", description="Hoàn Kiếm đông.")
    queue, detail = reverse("feedback:queue"), reverse("feedback:detail", args=[inside.pk])
    no_role = django_user_model.objects.create_user(username="nobody", password="pw-123456")
    assert login(no_role).get(queue).status_code == 403
    tracer = official("tracer", "ben_thanh")[0]
    assert login(tracer).get(queue).status_code == 404
    assert login(tracer).get(detail).status_code == 404
    page = login(commune_official[0]).get(queue)
    assert page.status_code == 200
    text = page.content.decode()
    assert inside.reference in text and other.reference not in text and hanoi.reference not in text
    assert login(commune_official[0]).get(detail).status_code == 200
    outside = login(elsewhere_official[0])
    assert inside.reference not in outside.get(queue).content.decode()
    assert outside.get(detail).status_code == 404


def test_province_sees_its_communes_filtered_with_counts(login, report, province_official, commune_official):
    a, b = report(), report(unit="26740")
    report(unit="00070")
    services.citizen_report_status_change(
        assignment=commune_official[1], report_id=a.pk, status="resolved", note="Xong."
    )
    client = login(province_official[0])
    text = client.get(reverse("feedback:queue")).content.decode()
    assert a.reference in text and b.reference in text
    assert 'data-testid="count-received">1<' in text and 'data-testid="count-resolved">1<' in text
    filtered = client.get(reverse("feedback:queue"), {"unit": "26740"}).content.decode()
    assert b.reference in filtered and a.reference not in filtered
    by_status = client.get(reverse("feedback:queue"), {"status": "resolved"}).content.decode()
    assert a.reference in by_status and b.reference not in by_status
    assert (
        "no administrative unit has the code 12345"
        in client.get(reverse("feedback:queue"), {"unit": "12345"}).content.decode()
    )
    htmx = client.get(reverse("feedback:queue"), {"kind": "crowded"}, headers={"HX-Request": "true"})
    assert "<html" not in htmx.content.decode() and a.reference in htmx.content.decode()


def test_status_change_round_trip_is_visible_to_the_citizen(login, report, commune_official, citizen):
    made = report()
    official_client = login(commune_official[0])
    url = reverse("feedback:status", args=[made.pk])
    refused = official_client.post(url, {"status": "resolved", "note": ""})
    assert refused.status_code == 400 and "tell the citizen what was done" in refused.content.decode()
    done = official_client.post(url, {"status": "resolved", "note": "Đã nhắc chủ quán dán mã QR."})
    assert done.status_code == 302
    made.refresh_from_db()
    assert made.status == Status.RESOLVED
    history = official_client.get(reverse("feedback:detail", args=[made.pk])).content.decode()
    assert commune_official[0].username in history
    mine = login(citizen).get(reverse("feedback:mine")).content.decode()
    assert "Resolved" in mine and "Đã nhắc chủ quán dán mã QR." in mine and "Phường Bến Thành" in mine


def test_status_change_outside_reach_is_not_found(login, report, elsewhere_official):
    made = report()
    response = login(elsewhere_official[0]).post(
        reverse("feedback:status", args=[made.pk]), {"status": "in_progress", "note": "x"}
    )
    assert response.status_code == 404
    made.refresh_from_db()
    assert made.status == Status.RECEIVED


def test_photo_only_to_the_reporter_and_the_communes_officials(
    login, report, citizen, other_citizen, commune_official, province_official, elsewhere_official, official
):
    made = report(photo=upload(png(), "p.png", "image/png"))
    url = reverse("feedback:photo", args=[made.pk])
    for allowed in (citizen, commune_official[0], province_official[0]):
        response = login(allowed).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png" and response["Cache-Control"] == "private, no-store"
        assert Image.open(io.BytesIO(b"".join(response.streaming_content))).size == (40, 30)
    for refused in (other_citizen, elsewhere_official[0], official("tracer", "ben_thanh")[0]):
        assert login(refused).get(url).status_code == 404
    assert login().get(url).status_code == 302
    without = report()
    assert login(citizen).get(reverse("feedback:photo", args=[without.pk])).status_code == 404


def test_queue_query_count_does_not_grow_with_reports(
    login, report, people, province_official, django_assert_max_num_queries
):
    for n in range(12):
        report(unit=("26743", "26740")[n % 2], reporter=(people["an"], people["binh"])[n % 2])
    client = login(province_official[0])
    with django_assert_max_num_queries(8):
        response = client.get(reverse("feedback:queue"))
    assert response.status_code == 200 and response.content.decode().count("PA-0") == 12
