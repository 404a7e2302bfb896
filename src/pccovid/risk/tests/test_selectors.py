"""Reads: level changes, levels by unit id, households at risk (classes, reach, audit)."""

import datetime as dt

import pytest

from pccovid.audit.models import PersonalDataRead
from pccovid.core.errors import NotFound
from pccovid.identity.models import Household
from pccovid.quarantine.models import Order
from pccovid.risk import selectors, services
from pccovid.risk.models import CareNeed
from pccovid.risk.tests.conftest import TODAY, case, contact, dose, person

pytestmark = pytest.mark.django_db
PURPOSE = "epidemic_control"


def test_level_changes_between_days(tree, people):
    yesterday = TODAY - dt.timedelta(days=1)
    services.levels_compute(on=yesterday)
    case(people["an"])
    services.levels_compute(on=TODAY)
    changes = selectors.level_changes(unit=tree["hcmc"], start=yesterday, end=TODAY)
    # Bến Thành and HCMC went from 1 to 2; the group is left out (groups are not in the reports).
    assert [(c.unit_code, c.old_level, c.new_level, c.on) for c in changes] == [
        ("26743", 1, 2, TODAY),
        ("79", 1, 2, TODAY),
    ]
    assert selectors.level_changes(unit=tree["hanoi"], start=yesterday, end=TODAY) == []


def test_levels_by_unit_id_marks_missing_days_not_computed(tree, people):
    services.levels_compute(on=TODAY)
    found = selectors.levels_by_unit_id(unit_ids=[tree["ben_thanh"].pk, tree["group"].pk], on=TODAY)
    assert found[tree["group"].pk].colour == "green" and found[tree["group"].pk].unit_level == "group"
    earlier = selectors.levels_by_unit_id(unit_ids=[tree["ben_thanh"].pk], on=TODAY - dt.timedelta(days=9))
    assert earlier[tree["ben_thanh"].pk].level == 0 and earlier[tree["ben_thanh"].pk].colour == "grey"


@pytest.fixture
def households(tree, people, official):
    """Four households in the group: one with an F0, one with an F1 in quarantine, one with an unvaccinated
    72-year-old, one with a vaccinated 70-year-old and a young adult (no class)."""
    made = {}
    for code in ("H-F0", "H-F1", "H-OLD", "H-OK"):
        made[code] = Household.objects.create(code=code, unit=tree["group"], address_line=f"{code} street")
    case(person(tree["group"], household=made["H-F0"]))
    f1 = person(tree["group"], household=made["H-F1"])
    contact(case(people["binh"]), f1)
    person(tree["group"], household=made["H-OLD"], birth=dt.date(1949, 5, 1))
    vaccinated = person(tree["group"], household=made["H-OK"], birth=dt.date(1951, 1, 1))
    dose(vaccinated)
    person(tree["group"], household=made["H-OK"])
    dose(person(tree["group"], household=made["H-OK"], birth=dt.date(2000, 1, 1)))
    return made


def test_households_at_risk_by_class(households, official):
    _user, commune = official("commune_official", "ben_thanh")
    found = selectors.households_at_risk(assignment=commune, unit_code="26743.001", purpose=PURPOSE)
    # H-OK has an unvaccinated adult of 31 without a care need: no class.
    assert [(h.household_code, h.risk_class) for h in found] == [
        ("H-F0", "f0"),
        ("H-F1", "f1"),
        ("H-OLD", "priority_care"),
    ]
    assert "unvaccinated" in found[2].members[0].flags
    assert PersonalDataRead.objects.count() == 3  # one member each, listed and audited; H-OK not shown


def test_a_care_need_makes_an_unvaccinated_adult_a_priority(households, official):
    _user, commune = official("commune_official", "ben_thanh")
    young = households["H-OK"].members.get(birth_date=dt.date(1990, 1, 1))
    CareNeed.objects.create(
        person=young, kind="chronic_illness", noted_by=commune.user, noted_at=TODAY_MOMENT()
    )
    found = selectors.households_at_risk(assignment=commune, unit_code="26743", purpose=PURPOSE)
    assert ("H-OK", "priority_care") in [(h.household_code, h.risk_class) for h in found]


def test_a_quarantine_order_counts_as_f1(households, official, tree):
    _user, commune = official("commune_official", "ben_thanh")
    member = households["H-OLD"].members.get()
    dose(member)  # vaccinated now, so only the order puts the household at risk
    Order.objects.create(
        person=member, kind="quarantine", place="home", unit=tree["group"], starts_on=TODAY, ends_on=TODAY,
        basis="test", ordered_at=TODAY_MOMENT(), rules_domain="quarantine", rules_version="test",
    )  # fmt: skip
    found = {h.household_code: h.risk_class for h in selectors.households_at_risk(
        assignment=commune, unit_code="26743.001", purpose=PURPOSE)}  # fmt: skip
    assert found["H-OLD"] == "f1"


def test_households_need_the_right_and_the_reach(households, official):
    _user, health = official("health_worker", "ben_thanh")
    with pytest.raises(NotFound):
        selectors.households_at_risk(assignment=health, unit_code="26743.001", purpose=PURPOSE)
    _user, other = official("commune_official", "sai_gon")
    with pytest.raises(NotFound):
        selectors.households_at_risk(assignment=other, unit_code="26743.001", purpose=PURPOSE)
    _user, province = official("province_official", "hcmc")
    with pytest.raises(NotFound):  # a province is too wide a list
        selectors.households_at_risk(assignment=province, unit_code="79", purpose=PURPOSE)
    assert not PersonalDataRead.objects.exists()


def TODAY_MOMENT():
    from pccovid.risk.tests.conftest import local_noon

    return local_noon(TODAY)
