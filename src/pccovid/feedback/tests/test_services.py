"""Submitting a report (checks, the daily limit, the photo cleaned) and changing its status."""

import datetime as dt
import io

import pytest
from PIL import Image

from pccovid.core import clock
from pccovid.core.errors import NotFound, TooManyRequests
from pccovid.feedback import services
from pccovid.feedback.errors import FeedbackError
from pccovid.feedback.models import CitizenReport, CitizenReportEvent, Status
from pccovid.feedback.tests.conftest import NOW, jpeg_with_gps, png, upload
from pccovid.geography.models import Edition, Level, UnitSuccession
from pccovid.testkit import make_unit


def test_submit_lands_received_in_the_commune(report, tree, people):
    made = report()
    assert made.status == Status.RECEIVED
    assert made.unit == tree["ben_thanh"] and made.commune == tree["ben_thanh"]
    assert made.reporter == people["an"] and made.created_at == NOW
    assert made.rules_version == "2021.1"
    assert made.reference == f"PA-{made.pk:06d}"
    assert list(made.events.values_list("status", "by")) == [(Status.RECEIVED, None)]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"description": "   "}, "description", "Description is required."),
        ({"description": "x" * 2001}, "description", "Description has at most 2000 characters."),
        ({"kind": "gossip"}, "kind", "Kind: choose what you are reporting."),
        ({"unit_code": "99999"}, "unit", "no unit has the code 99999 in the 2025 list"),
        ({"unit_code": "79"}, "unit", "is not a commune or ward"),
        ({"unit_code": "26743", "edition": "2021"}, "unit", "in the 2021 list"),
        ({"edition": "1999"}, "edition", "choose the 2025 or the 2021 list"),
        ({"place": "p" * 201}, "place", "Place has at most 200 characters."),
    ],
)
def test_submit_refuses_bad_input_naming_the_field(people, changes, field, message):
    data = {
        "reporter": people["an"],
        "kind": "crowded",
        "edition": "2025",
        "unit_code": "26743",
        "place": "",
        "description": "Đông người.",
        **changes,
    }
    with pytest.raises(FeedbackError) as error:
        services.citizen_report_submit(**data)
    assert error.value.field == field
    assert message in error.value.message
    assert not CitizenReport.objects.exists()


def test_a_2021_ward_reaches_its_2025_successor(people, tree):
    old_hcmc = make_unit("79", "Thành phố Hồ Chí Minh", Level.PROVINCE, edition=Edition.PRE_2025)
    old_district = make_unit("760", "Quận 1", Level.DISTRICT, old_hcmc, edition=Edition.PRE_2025)
    old_ward = make_unit("26743", "Phường Bến Thành", Level.COMMUNE, old_district, edition=Edition.PRE_2025)
    UnitSuccession.objects.create(old_unit=old_ward, new_unit=tree["ben_thanh"], method="same_code")
    made = services.citizen_report_submit(
        reporter=people["an"], kind="other", edition="2021", unit_code="26743", description="Sai hồ sơ."
    )
    assert made.unit == old_ward and made.commune == tree["ben_thanh"]


def test_daily_limit_is_ten_then_429_until_the_next_local_day(report):
    for _ in range(10):
        report()
    with pytest.raises(TooManyRequests) as error:
        report()
    assert error.value.status == 429 and "10 reports today" in error.value.message
    # 17:00 UTC is midnight in Vietnam: a new local day.
    with clock.frozen(dt.datetime(2021, 10, 15, 17, 0, tzinfo=dt.UTC)):
        assert report().pk


def _stored(report) -> Image.Image:
    with report.photo.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def test_photo_is_reencoded_without_exif_or_gps_and_downscaled(report, media_root):
    original = Image.open(io.BytesIO(jpeg_with_gps()))
    assert original.getexif().get_ifd(0x8825)  # the test photo does carry a position
    made = report(photo=upload(jpeg_with_gps()))
    stored = _stored(made)
    assert stored.format == "JPEG" and made.photo_content_type == "image/jpeg"
    assert dict(stored.getexif()) == {} and "exif" not in stored.info
    assert max(stored.size) == 1600 and stored.size == (1600, 800)
    assert made.photo.name.startswith("feedback/2021/10/") and "IMG_2021" not in made.photo.name
    assert (media_root / made.photo.name).is_file()


def test_png_keeps_its_format(report):
    made = report(photo=upload(png(), "a.png", "image/png"))
    assert _stored(made).format == "PNG" and made.photo_content_type == "image/png"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4 not a picture", "send a JPEG, PNG or WebP picture"),
        (jpeg_with_gps()[:400], "send a JPEG, PNG or WebP picture"),
        (b"GIF89a" + b"\x00" * 100, "send a JPEG, PNG or WebP picture"),
        (b"\xff" * (5 * 1024 * 1024 + 1), "at most 5 MB"),
    ],
    ids=["not-an-image", "truncated", "gif", "too-large"],
)
def test_photo_refused(report, data, message):
    with pytest.raises(FeedbackError) as error:
        report(photo=upload(data))
    assert error.value.field == "photo" and error.value.code == "invalid_photo"
    assert message in error.value.message
    assert not CitizenReport.objects.exists()


def test_status_change_records_who_when_and_the_note(report, commune_official):
    made = report()
    user, assignment = commune_official
    services.citizen_report_status_change(
        assignment=assignment, report_id=made.pk, status="in_progress", note="Đang kiểm tra."
    )
    services.citizen_report_status_change(
        assignment=assignment, report_id=made.pk, status="resolved", note="Đã nhắc nhở."
    )
    made.refresh_from_db()
    assert made.status == Status.RESOLVED and made.status_changed_at == NOW
    events = list(
        CitizenReportEvent.objects.filter(report=made).values_list("status", "note", "by", "by_unit")
    )
    assert events[1:] == [
        ("in_progress", "Đang kiểm tra.", user.pk, assignment.unit_id),
        ("resolved", "Đã nhắc nhở.", user.pk, assignment.unit_id),
    ]


def test_final_status_cannot_move_and_closing_needs_a_note(report, commune_official):
    made = report()
    assignment = commune_official[1]
    with pytest.raises(FeedbackError) as error:
        services.citizen_report_status_change(assignment=assignment, report_id=made.pk, status="rejected")
    assert error.value.field == "note"
    services.citizen_report_status_change(
        assignment=assignment, report_id=made.pk, status="rejected", note="Không đúng địa bàn."
    )
    with pytest.raises(FeedbackError) as error:
        services.citizen_report_status_change(
            assignment=assignment, report_id=made.pk, status="in_progress", note="Mở lại."
        )
    assert error.value.code == "invalid_transition"
    assert error.value.message == "This report is Rejected; it cannot become In progress."


def test_status_change_outside_reach_or_without_the_action_is_not_found(report, elsewhere_official, official):
    made = report()
    tracer = official("tracer", "ben_thanh")[1]
    for assignment in (elsewhere_official[1], tracer):
        with pytest.raises(NotFound):
            services.citizen_report_status_change(
                assignment=assignment, report_id=made.pk, status="in_progress", note="x"
            )
    made.refresh_from_db()
    assert made.status == Status.RECEIVED and made.events.count() == 1
