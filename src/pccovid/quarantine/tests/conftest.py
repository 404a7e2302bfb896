"""Quarantine fixtures: a fixed clock (20 Dec 2021, 10:00 in Ho Chi Minh City: the December 2021 rules are
in force), a test site in Bến Thành, cases and contacts, doses, and officials."""

import datetime as dt
import zoneinfo

import pytest

from pccovid.core import clock
from pccovid.quarantine.models import Facility
from pccovid.testing.models import TestSite
from pccovid.testkit import make_person
from pccovid.tracing.models import Case, Contact
from pccovid.vaccination.models import Dose, VaccineProduct

NOW = dt.datetime(2021, 12, 20, 3, 0, tzinfo=dt.UTC)
TODAY = dt.date(2021, 12, 20)
LOCAL = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def local(day: dt.date, hour: int = 9) -> dt.datetime:
    """`hour` o'clock in Vietnam on `day`."""
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=LOCAL)


@pytest.fixture(autouse=True)
def frozen_now():
    with clock.frozen(NOW):
        yield NOW


@pytest.fixture
def site(tree):
    return TestSite.objects.create(code="BT01", name="Trạm Y tế Bến Thành", unit=tree["ben_thanh"])


@pytest.fixture
def officer(official, site):
    """A commune official of Bến Thành (user, assignment)."""
    return official("commune_official", "ben_thanh")


@pytest.fixture
def facility(tree):
    def _make(code: str = "KCL01", capacity: int = 2, kind: str = "facility", unit_key: str = "ben_thanh"):
        return Facility.objects.create(
            code=code, name=f"Khu cách ly {code}", unit=tree[unit_key], kind=kind, capacity=capacity
        )

    return _make


@pytest.fixture
def case(tree):
    """Factory: a case of `person` isolated at `isolated_at` (tracing's table, written directly)."""

    def _make(person, isolated_at: dt.datetime = NOW, **fields) -> Case:
        return Case.objects.create(
            person=person,
            unit=tree["ben_thanh"],
            source="manual",
            infectious_from=isolated_at - dt.timedelta(days=3),
            isolated_at=isolated_at,
            opened_at=isolated_at,
            rules_version="test",
            **fields,
        )

    return _make


@pytest.fixture
def contact(case, people):
    """Factory: a contact of a case (by default a case of Bình) last exposed at `last_exposure_at`."""

    def _make(person, *, degree: int = 1, last_exposure_at: dt.datetime | None = None, of=None) -> Contact:
        exposure = last_exposure_at or local(TODAY - dt.timedelta(days=1))
        source = of or Case.objects.filter(person=people["binh"]).first() or case(people["binh"])
        return Contact.objects.create(
            case=source,
            person=person,
            unit=person.residence_unit,
            degree=degree,
            first_exposure_at=exposure,
            last_exposure_at=exposure,
            found_at=NOW,
        )

    return _make


@pytest.fixture
def dose(db):
    """Factory: a dose of a two-dose vaccine given on `given_on`."""
    product, _created = VaccineProduct.objects.get_or_create(
        code="TEST-2",
        defaults={
            "name": "Test vaccine",
            "prophylaxis": "J07BX03",
            "doses_in_primary_series": 2,
            "min_interval_days": 21,
        },
    )

    def _make(person, given_on: dt.date, number: int = 2) -> Dose:
        if number == 2 and not Dose.objects.filter(person=person, dose_number=1).exists():
            Dose.objects.create(
                person=person, product=product, dose_number=1, given_on=given_on - dt.timedelta(28)
            )
        return Dose.objects.create(person=person, product=product, dose_number=number, given_on=given_on)

    return _make


@pytest.fixture
def neighbour(tree):
    """Dũng, who lives in Bến Thành too (not in An's household)."""
    return make_person(tree["ben_thanh"], name="Phạm Dũng", cccd="079090005555", phone=None)


@pytest.fixture(autouse=True)
def english_pages(client):
    """These tests read page text in English (pages default to Vietnamese)."""
    client.cookies["django_language"] = "en"
