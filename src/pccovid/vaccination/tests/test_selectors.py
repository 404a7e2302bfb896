"""The citizen's record, the COVID card's facts, and coverage against a hand-counted fixture."""

import datetime as dt

import pytest

from pccovid.audit.models import PersonalDataRead
from pccovid.core.errors import Forbidden, NotFound
from pccovid.testkit import make_person
from pccovid.vaccination import selectors
from pccovid.vaccination.tests.conftest import JANSSEN


def test_a_citizens_record_updates_at_once(people, record):
    assert selectors.doses_of(person=people["an"]) == []
    record(people["an"], 1, dt.date(2021, 8, 1))
    record(people["an"], 2, dt.date(2021, 8, 22))
    assert [d.dose_number for d in selectors.doses_of(person=people["an"])] == [1, 2]
    assert selectors.doses_of(person=people["binh"]) == []


def test_facts_for_the_card(people, record):
    assert selectors.vaccination_facts(person=people["an"]) == {
        "first_dose_on": None,
        "last_dose_on": None,
        "doses": 0,
        "primary_series_complete": False,
    }
    record(people["an"], 1, dt.date(2021, 8, 1))
    assert selectors.vaccination_facts(person=people["an"])["primary_series_complete"] is False
    record(people["an"], 2, dt.date(2021, 8, 22))
    assert selectors.vaccination_facts(person=people["an"]) == {
        "first_dose_on": dt.date(2021, 8, 1),
        "last_dose_on": dt.date(2021, 8, 22),
        "doses": 2,
        "primary_series_complete": True,
    }
    record(people["binh"], 1, dt.date(2021, 8, 1), product_code=JANSSEN, lot_number="XD955")
    assert selectors.vaccination_facts(person=people["binh"])["primary_series_complete"] is True


@pytest.fixture
def town(tree, people, record):
    """Hand-counted: Bến Thành (group Khu phố 1) and Sài Gòn, people by age on 20/12/2021.

    Bến Thành: An 31 (2 doses + booster), Dũng 10 (none), Em 15 (1 dose), Giang 70 (2 doses),
               Hải 50 (Janssen 1 dose = full), Khoa 64 (none).
    Sài Gòn:   Bình 36 (1 dose), Lộc 12 (born 20/12/2009: 12 today; 2 doses).
    Hanoi:     Chi (2 doses): outside HCMC, never counted.
    """
    group, sai_gon = tree["group"], tree["sai_gon"]
    more = {
        "dung": make_person(group, name="Dũng", cccd="079211000001", birth=dt.date(2011, 1, 1), phone=None),
        "em": make_person(group, name="Em", cccd="079206000002", birth=dt.date(2006, 5, 5), phone=None),
        "giang": make_person(group, name="Giang", cccd="079051000003", birth=dt.date(1951, 3, 3), phone=None),
        "hai": make_person(group, name="Hải", cccd="079071000004", birth=dt.date(1971, 12, 20), phone=None),
        "khoa": make_person(group, name="Khoa", cccd="079057000005", birth=dt.date(1957, 12, 21), phone=None),
        "loc": make_person(sai_gon, name="Lộc", cccd="079209000006", birth=dt.date(2009, 12, 20), phone=None),
    }
    record(people["an"], 1, dt.date(2021, 7, 1))
    record(people["an"], 2, dt.date(2021, 7, 22))
    record(people["an"], 3, dt.date(2021, 11, 1))
    record(more["em"], 1, dt.date(2021, 11, 1))
    record(more["giang"], 1, dt.date(2021, 8, 1))
    record(more["giang"], 2, dt.date(2021, 8, 22))
    record(more["hai"], 1, dt.date(2021, 8, 1), product_code=JANSSEN, lot_number="XD955")
    record(people["binh"], 1, dt.date(2021, 9, 1))
    record(more["loc"], 1, dt.date(2021, 11, 1))
    record(more["loc"], 2, dt.date(2021, 11, 22))
    record(people["chi"], 1, dt.date(2021, 8, 1))
    record(people["chi"], 2, dt.date(2021, 8, 22))
    return more


def _table(rows) -> dict:
    return {
        (r.unit_code, r.age_band): (r.population, r.first_dose, r.full_series, r.booster)
        for r in rows
        if r.population
    }


def test_coverage_by_unit_and_age_band(town, official, django_assert_max_num_queries):
    _user, province = official("province_official", "hcmc")
    reads = PersonalDataRead.objects.count()
    with django_assert_max_num_queries(4):
        rows = selectors.coverage(assignment=province)
    assert _table(rows) == {
        ("26743", "0-11"): (1, 0, 0, 0),
        ("26743", "12-17"): (1, 1, 0, 0),
        ("26743", "18-49"): (1, 1, 1, 1),
        ("26743", "50-64"): (2, 1, 1, 0),
        ("26743", "65+"): (1, 1, 1, 0),
        ("26740", "12-17"): (1, 1, 1, 0),
        ("26740", "18-49"): (1, 1, 0, 0),
    }
    assert len(rows) == 2 * 5  # every child unit and band, zeros included
    row = next(r for r in rows if r.unit_code == "26743" and r.age_band == "50-64")
    assert (row.first_dose_percent, row.full_series_percent, row.booster_percent) == (50.0, 50.0, 0.0)
    assert PersonalDataRead.objects.count() == reads  # aggregates are not personal reads


def test_coverage_on_an_earlier_date(town, official):
    _user, province = official("province_official", "hcmc")
    table = _table(selectors.coverage(assignment=province, on=dt.date(2021, 8, 31)))
    assert table[("26743", "18-49")] == (2, 2, 2, 0)  # Hải was 49 then; An's booster came later
    assert table[("26740", "0-11")] == (1, 0, 0, 0)  # Lộc was 11 then: bands by age on that date
    assert ("26740", "12-17") not in table


def test_coverage_of_a_commune_shows_its_groups(town, official):
    _user, commune = official("commune_official", "ben_thanh")
    table = _table(selectors.coverage(assignment=commune))
    assert table[("26743.001", "50-64")] == (2, 1, 1, 0)
    assert {code for code, _band in table} == {"26743.001"}


def test_coverage_outside_the_jurisdiction_is_not_found(town, official):
    _user, commune = official("commune_official", "ben_thanh")
    with pytest.raises(NotFound):
        selectors.coverage(assignment=commune, unit_code="01")
    _user, checkpoint = official("checkpoint_officer", "ben_thanh")
    with pytest.raises(Forbidden):
        selectors.coverage(assignment=checkpoint)
