"""Report fixtures: a fixed clock (Wednesday 22 Dec 2021, 10:00 in Ho Chi Minh City) and a small epidemic
recorded through the domain services (tests, cases, orders, doses, a death), counted by hand in the tests.

What happens (HCMC: Bến Thành with its residential group, Sài Gòn; Hanoi: Hoàn Kiếm):
- 21 Dec: Giang (Bến Thành) tests positive at BT-T: a community case; An (group) gets dose 1.
- 22 Dec: Giang dies. An (group) tests positive at BT-T: a community case, isolated at home. Dũng
  (Bến Thành) tests negative at BT-T and gets dose 3. Bình (Sài Gòn), in home quarantine since 20 Dec,
  tests positive at SG-T: a case found in quarantine, isolated at home (the quarantine order converts).
  Em (Sài Gòn) tests negative at SG-T and gets dose 2. Chi (Hoàn Kiếm, Hanoi) gets dose 1.
"""

import datetime as dt
import itertools

import pytest

from pccovid.core import clock
from pccovid.quarantine import services as quarantine_services
from pccovid.testing import services as testing_services
from pccovid.testkit import make_person
from pccovid.tracing import selectors as tracing_selectors
from pccovid.tracing import services as tracing_services
from pccovid.vaccination import services as vaccination_services

NOW = dt.datetime(2021, 12, 22, 3, 0, tzinfo=dt.UTC)
TODAY = dt.date(2021, 12, 22)
YESTERDAY = dt.date(2021, 12, 21)
PFIZER = "EU/1/20/1528"


@pytest.fixture(autouse=True)
def frozen_now():
    with clock.frozen(NOW):
        yield NOW


@pytest.fixture(autouse=True)
def english_pages(client):
    client.cookies["django_language"] = "en"


@pytest.fixture
def person(tree):
    numbers = itertools.count(1)

    def _make(unit_key: str, name: str):
        n = next(numbers)
        return make_person(tree[unit_key], name=name, cccd=f"079090{n + 500:06d}", phone=None)

    return _make


@pytest.fixture
def officials(official):
    return {
        "bt": official("commune_official", "ben_thanh")[1],
        "sg": official("commune_official", "sai_gon")[1],
        "hk": official("commune_official", "hoan_kiem")[1],
        "hcmc": official("province_official", "hcmc")[1],
    }


def _sample(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(8, 0), tzinfo=clock.local_midnight(day).tzinfo)


@pytest.fixture
def epidemic(tree, person, officials, django_capture_on_commit_callbacks):
    bt, sg, hk = officials["bt"], officials["sg"], officials["hk"]
    testing_services.test_site_register(assignment=bt, code="BT-T", name="Trạm Bến Thành", unit_code="26743")
    testing_services.test_site_register(assignment=sg, code="SG-T", name="Trạm Sài Gòn", unit_code="26740")
    vaccination_services.products_install()
    vaccination_services.site_create(assignment=bt, code="BT-V", name="Điểm tiêm BT", unit_code="26743")
    vaccination_services.site_create(assignment=hk, code="HK-V", name="Điểm tiêm HK", unit_code="00070")
    vaccination_services.lot_create(
        assignment=bt, product_code=PFIZER, number="FF2587", expiry_date=dt.date(2022, 3, 31)
    )
    people = {
        "an": person("group", "Nguyễn Văn An"),
        "giang": person("ben_thanh", "Hà Thu Giang"),
        "dung": person("ben_thanh", "Phạm Văn Dũng"),
        "binh": person("sai_gon", "Trần Thị Bình"),
        "em": person("sai_gon", "Võ Thị Em"),
        "chi": person("hoan_kiem", "Lê Minh Chi"),
    }

    def test(who, site, day, result, assignment):
        with django_capture_on_commit_callbacks(execute=True):
            testing_services.result_record(
                assignment=assignment, person_qid=people[who].qid, kind="rt_pcr",
                sample_taken_at=_sample(day), result=result, site_code=site,
            )  # fmt: skip

    def dose(who, number, day, assignment=bt, site="BT-V"):
        vaccination_services.dose_record(assignment=assignment, person_qid=people[who].qid,
                                         product_code=PFIZER, lot_number="FF2587", dose_number=number,
                                         given_on=day, site_code=site)  # fmt: skip

    with clock.frozen(dt.datetime(2021, 12, 20, 2, 0, tzinfo=dt.UTC)):
        quarantine_services.order_create(assignment=sg, person_qid=people["binh"].qid, kind="quarantine",
                                         place="home")  # fmt: skip
    with clock.frozen(dt.datetime(2021, 12, 21, 3, 0, tzinfo=dt.UTC)):
        test("giang", "BT-T", YESTERDAY, "positive", bt)
        dose("an", 1, YESTERDAY)
    test("an", "BT-T", TODAY, "positive", bt)
    test("dung", "BT-T", TODAY, "negative", bt)
    test("binh", "SG-T", TODAY, "positive", sg)
    test("em", "SG-T", TODAY, "negative", sg)
    dose("dung", 1, dt.date(2021, 7, 1))
    dose("dung", 2, dt.date(2021, 8, 1))
    dose("dung", 3, TODAY)
    dose("em", 1, dt.date(2021, 9, 1))
    dose("em", 2, TODAY)
    dose("chi", 1, TODAY, assignment=hk, site="HK-V")
    giang = tracing_selectors.open_case_of(person=people["giang"])
    with django_capture_on_commit_callbacks(execute=True):
        tracing_services.case_outcome_record(
            assignment=bt, case_code=giang.code, outcome="deceased", on=TODAY
        )
    return people
