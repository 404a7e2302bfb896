"""Tracing fixtures: a fixed clock (15 Oct 2021, 10:00 in Ho Chi Minh City), venues, check-ins, positive
results and a tracer per unit."""

import datetime as dt
import itertools

import pytest

from pccovid.accounts.models import User
from pccovid.checkins.models import CheckIn, CheckInHow, Venue
from pccovid.core import clock
from pccovid.testing.models import TestResult, TestSite
from pccovid.testkit import make_person
from pccovid.tracing import services

NOW = dt.datetime(2021, 10, 15, 3, 0, tzinfo=dt.UTC)
SAMPLE = dt.datetime(2021, 10, 14, 2, 0, tzinfo=dt.UTC)  # 14 Oct, 09:00 local
# Infectious from 12 Oct 2021 00:00 local (2 days before the sample day) = 11 Oct 17:00 UTC.
INFECTIOUS_FROM = dt.datetime(2021, 10, 11, 17, 0, tzinfo=dt.UTC)
_ids = itertools.count(100)


@pytest.fixture(autouse=True)
def frozen_now():
    with clock.frozen(NOW):
        yield NOW


@pytest.fixture
def operator(db):
    return User.objects.create_user(username="venue-operator", password="pw-123456")


@pytest.fixture
def venue(tree, operator):
    def _make(name: str = "Chợ Bến Thành", category: str = "market", unit_key: str = "ben_thanh") -> Venue:
        return Venue.objects.create(
            name=name, category=category, unit=tree[unit_key], operator=operator, qr_issued_at=NOW
        )

    return _make


@pytest.fixture
def checkin(operator):
    def _make(person, venue: Venue, at: dt.datetime) -> CheckIn:
        return CheckIn.objects.create(
            person=person, venue=venue, at=at, how=CheckInHow.CITIZEN_SCAN, recorded_by=operator
        )

    return _make


@pytest.fixture
def site(tree):
    return TestSite.objects.create(code="BT01", name="Trạm Y tế Bến Thành", unit=tree["ben_thanh"])


@pytest.fixture
def positive(site):
    """Factory: a positive individual result stored (no event): returns the TestResult."""

    def _make(person, sample_taken_at: dt.datetime = SAMPLE, kind: str = "rt_pcr") -> TestResult:
        return TestResult.objects.create(
            person=person,
            kind=kind,
            sample_taken_at=sample_taken_at,
            result="positive",
            site=site,
            source="recorded",
            external_id=f"S-{next(_ids)}",
            rules_version="test",
            created_at=NOW,
        )

    return _make


@pytest.fixture
def open_case(positive):
    """Factory: open a case from a positive result, as the event handler does."""

    def _make(person, sample_taken_at: dt.datetime = SAMPLE):
        result = positive(person, sample_taken_at)
        return services.case_open_from_result(
            result_id=result.pk, person_qid=person.qid, sample_taken_at=sample_taken_at
        )

    return _make


@pytest.fixture
def person(tree):
    """Factory: a person in a unit of the tree, with a unique CCCD."""
    numbers = itertools.count(1)

    def _make(unit_key: str = "ben_thanh", name: str = "Người Thử", household=None):
        n = next(numbers)
        return make_person(
            tree[unit_key], name=f"{name} {n}", cccd=f"079090{n:06d}", phone=None, household=household
        )

    return _make


@pytest.fixture
def tracer(official):
    return official("tracer", "ben_thanh", "tracer-bt")


@pytest.fixture(autouse=True)
def english_pages(client):
    """These tests read page text in English (pages default to Vietnamese)."""
    client.cookies["django_language"] = "en"
