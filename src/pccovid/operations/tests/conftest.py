"""A small city, built through the domain services: doses, test results, cases, quarantine orders and a
facility in Ho Chi Minh City (two wards), one person with a dose and a test in Hanoi; the legacy data's
import runs, staged records, review pairs and correction requests for the quality panel. The clock is
frozen at 20 Dec 2021, 10:00 in Ho Chi Minh City."""

import datetime as dt
import zoneinfo

import pytest

from pccovid.core import clock
from pccovid.migration.models import CorrectionRequest, ImportReject, ImportRun, RecordLink
from pccovid.migration.tests.conftest import stage
from pccovid.quarantine import services as quarantine_services
from pccovid.testing import services as testing_services
from pccovid.testkit import make_person
from pccovid.tracing import services as tracing_services
from pccovid.vaccination import selectors as vaccination_selectors
from pccovid.vaccination import services as vaccination_services

NOW = dt.datetime(2021, 12, 20, 3, 0, tzinfo=dt.UTC)
TODAY = dt.date(2021, 12, 20)
LOCAL = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
PFIZER = "EU/1/20/1528"


def local(day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(2021, 12, day, hour, minute, tzinfo=LOCAL)


@pytest.fixture(autouse=True)
def frozen_now():
    with clock.frozen(NOW):
        yield NOW


@pytest.fixture(autouse=True)
def english_pages(client):
    client.cookies["django_language"] = "en"


@pytest.fixture
def officials(official):
    """(user, assignment) of each role the tests use."""
    return {
        "province": official("province_official", "hcmc"),
        "engineer": official("data_engineer", "hcmc"),
        "ben_thanh": official("commune_official", "ben_thanh"),
        "sai_gon": official("commune_official", "sai_gon"),
        "hanoi": official("province_official", "hanoi"),
        "health_worker": official("health_worker", "ben_thanh"),
        "tracer": official("tracer", "ben_thanh"),
    }


@pytest.fixture
def city(tree, people, officials):
    """Hand-counted figures (on 20/12/2021, last 14 days):
    - people: An (Khu phố 1, Bến Thành, 1990), Em (Bến Thành, 1950), Giang (Khu phố 1, 2000), Bình (Sài
      Gòn, 1985), Dũng (Sài Gòn, 2008), Chi (Hanoi);
    - doses: An 2 (full series), Em 2 (full), Bình 1, Chi 1;
    - tests at Bến Thành's site: 18/12 An -, Bình +, Em -; 19/12 (00:30 local, 18/12 in UTC) An -, Chi -;
      20/12 Em + (rapid); 01/12 Bình - (outside the range);
    - open cases: Em at home, An at a facility (Bến Thành), Bình in hospital (Sài Gòn);
    - quarantine orders: Giang at home (Bến Thành), Dũng at facility KCL01 (Bến Thành, 2 beds).
    """
    _u, commune = officials["ben_thanh"]
    _u, province = officials["province"]
    _u, worker = officials["health_worker"]
    _u, tracer = officials["tracer"]
    vaccination_services.products_install()
    vaccination_services.site_create(
        assignment=commune, code="BT-01", name="Trạm Y tế Bến Thành", unit_code="26743"
    )
    vaccination_services.lot_create(
        assignment=worker, product_code=PFIZER, number="FF2587", expiry_date=dt.date(2022, 3, 31)
    )
    testing_services.test_site_register(
        assignment=commune, code="BT01", name="Trạm xét nghiệm", unit_code="26743"
    )
    an, binh, chi = people["an"], people["binh"], people["chi"]
    em = make_person(
        tree["ben_thanh"], name="Phạm Văn Em", cccd="079050000001", birth=dt.date(1950, 1, 2), phone=None
    )
    giang = make_person(
        tree["group"], name="Võ Thị Giang", cccd="079200000002", birth=dt.date(2000, 3, 4), phone=None
    )
    dung = make_person(
        tree["sai_gon"], name="Đỗ Văn Dũng", cccd="079208000003", birth=dt.date(2008, 5, 6), phone=None
    )
    doses = {
        an: [dt.date(2021, 8, 1), dt.date(2021, 8, 22)],
        em: [dt.date(2021, 8, 2), dt.date(2021, 8, 23)],
        binh: [dt.date(2021, 9, 3)],
        chi: [dt.date(2021, 9, 4)],
    }
    for person, days in doses.items():
        for number, given_on in enumerate(days, start=1):
            vaccination_services.dose_record(
                assignment=worker, person_qid=person.qid, product_code=PFIZER, lot_number="FF2587",
                dose_number=number, given_on=given_on, site_code="BT-01",
            )  # fmt: skip
    tests = [
        (an, local(18), "rapid_antigen", "negative"),
        (binh, local(18), "rt_pcr", "positive"),
        (em, local(18), "rt_pcr", "negative"),
        (an, local(19, 0, 30), "rapid_antigen", "negative"),
        (chi, local(19), "rapid_antigen", "negative"),
        (em, local(20, 7), "rapid_antigen", "positive"),
        (binh, local(1), "rt_pcr", "negative"),
    ]
    for person, at, kind, result in tests:
        testing_services.result_record(
            assignment=worker, person_qid=person.qid, kind=kind, sample_taken_at=at, result=result,
            site_code="BT01",
        )  # fmt: skip
    for person, place, acting in (
        (em, "home", tracer),
        (an, "facility", tracer),
        (binh, "hospital", province),
    ):
        tracing_services.case_open(
            assignment=acting, person_qid=person.qid, reason="test", isolation_place=place
        )
    quarantine_services.facility_register(
        assignment=commune, code="KCL01", name="Khu cách ly Bến Thành", kind="facility", capacity=2
    )
    quarantine_services.order_create(
        assignment=province, person_qid=giang.qid, kind="quarantine", place="home"
    )
    quarantine_services.order_create(
        assignment=province, person_qid=dung.qid, kind="quarantine", place="facility", facility_code="KCL01"
    )
    return {"an": an, "binh": binh, "chi": chi, "em": em, "giang": giang, "dung": dung}


@pytest.fixture
def legacy_quality(tree, people, city):
    """Import runs with their rejects, staged records (placed in each ward, in Hanoi, nowhere), a linked
    record, a review pair, and correction requests (open and decided). Hand counts in the tests."""
    now = clock.now()
    ncovi = ImportRun.objects.create(
        source="ncovi", file_name="ncovi.csv", file_hash="a", started_at=now, status="done", rows_read=10,
        rejected=2,
    )  # fmt: skip
    for row in (3, 7):
        ImportReject.objects.create(run=ncovi, row=row, field="cccd", reason="not 12 digits")
    ImportRun.objects.create(
        source="ncovi", file_name="ncovi-2.csv", file_hash="b", started_at=now, status="done", rows_read=5,
        rejected=1,
    )  # fmt: skip
    ImportRun.objects.create(
        source="vneid", file_name="vneid.csv", file_hash="c", started_at=now, status="done", rows_read=4
    )
    stage("n1", "ncovi", unit_2025=tree["ben_thanh"])
    linked = stage("n2", "ncovi", unit_2025=tree["sai_gon"])
    stage("v1", "vneid", unit_2025=tree["hoan_kiem"])
    stage("v2", "vneid")
    waiting = stage("d1", "vaccination", unit_2025=tree["group"])
    link = RecordLink.objects.create(
        staged_record=linked, person=people["binh"], method="cccd", status="linked", created_at=now
    )
    RecordLink.objects.create(
        staged_record=waiting, person=people["an"], method="probabilistic", status="review", probability=0.8,
        created_at=now,
    )  # fmt: skip
    CorrectionRequest.objects.create(person=people["binh"], kind="not_mine", link=link, created_at=now)
    CorrectionRequest.objects.create(
        person=people["binh"], kind="not_mine", link=link, created_at=now, status="rejected"
    )
    site = vaccination_selectors.site_by_code(code="BT-01")
    CorrectionRequest.objects.create(person=people["an"], kind="dose_missing", site=site, created_at=now)
    return {"link": link}


@pytest.fixture
def levels(tree):
    """Bến Thành's daily levels (the risk module's table, written directly): 2 on 18/12, 3 on 19 and 20/12;
    Sài Gòn 1 every day. One change: Bến Thành, 19/12, 2 -> 3."""
    from pccovid.risk.models import UnitLevel

    for unit, daily in ((tree["ben_thanh"], (2, 3, 3)), (tree["sai_gon"], (1, 1, 1))):
        for day, level in zip((18, 19, 20), daily, strict=True):
            UnitLevel.objects.create(
                unit=unit, on=dt.date(2021, 12, day), level=level, figures={}, cell="test", reason="test",
                rules_version="test", computed_at=clock.now(),
            )  # fmt: skip
