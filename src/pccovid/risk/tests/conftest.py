"""Risk fixtures: a fixed clock (20 Oct 2021, 10:00 in Ho Chi Minh City), and helpers that write cases,
doses and contacts the way the level computation reads them."""

import datetime as dt
import itertools

import pytest

from pccovid.core import clock
from pccovid.identity.models import Person
from pccovid.tracing.models import Case, CaseSource, Contact
from pccovid.vaccination.models import Dose, VaccineProduct

NOW = dt.datetime(2021, 10, 20, 3, 0, tzinfo=dt.UTC)
TODAY = dt.date(2021, 10, 20)
_ids = itertools.count(1)


@pytest.fixture(autouse=True)
def frozen_now():
    with clock.frozen(NOW):
        yield NOW


def local_noon(day: dt.date) -> dt.datetime:
    return clock.local_midnight(day) + dt.timedelta(hours=12)


def person(unit, *, birth=dt.date(1990, 1, 1), household=None) -> Person:
    """A resident without identifiers (the level computation reads residence and birth date only)."""
    n = next(_ids)
    return Person.objects.create(
        full_name=f"Người {n}", name_key=f"nguoi {n}", birth_date=birth, sex="M", residence_unit=unit,
        household=household,
    )  # fmt: skip


def case(person_, *, day: dt.date = TODAY, unit=None) -> Case:
    """A community case opened at noon on `day` (not imported, not in quarantine)."""
    moment = local_noon(day)
    return Case.objects.create(
        person=person_,
        unit=unit or person_.residence_unit,
        source=CaseSource.MANUAL,
        infectious_from=moment - dt.timedelta(days=2),
        isolated_at=moment,
        opened_at=moment,
        rules_version="test",
    )


def dose(person_, *, day: dt.date = dt.date(2021, 8, 1), number: int = 1) -> Dose:
    product = VaccineProduct.objects.get(code="EU/1/20/1528")
    return Dose.objects.create(person=person_, product=product, dose_number=number, given_on=day)


def contact(case_, person_, *, degree: int = 1, status: str = "quarantined") -> Contact:
    moment = case_.opened_at
    return Contact.objects.create(
        case=case_,
        person=person_,
        unit=person_.residence_unit,
        degree=degree,
        status=status,
        first_exposure_at=moment,
        last_exposure_at=moment,
        found_at=moment,
    )
