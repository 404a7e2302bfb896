"""Each panel's figures against the hand-counted city of conftest.py; the range and jurisdiction rules."""

import datetime as dt

import pytest

from pccovid.core.errors import Forbidden, NotFound
from pccovid.operations import selectors
from pccovid.operations.errors import OperationsError

from .conftest import TODAY

LAST_14 = selectors.DateRange(TODAY - dt.timedelta(days=13), TODAY)


def _rows(rows) -> dict:
    return {row.code or "total": row.counts for row in rows}


def test_tests_per_day_by_local_day_with_empty_days(city, officials):
    _u, province = officials["province"]
    board = selectors.dashboard(assignment=province, chosen=LAST_14)
    days = {d.day: (d.tests, d.positive) for d in board.tests}
    assert len(days) == 14 and days[dt.date(2021, 12, 7)] == (0, 0)
    # 00:30 on the 19th in Vietnam is the 18th in UTC: counted on the 19th.
    assert days[dt.date(2021, 12, 18)] == (3, 1)
    assert days[dt.date(2021, 12, 19)] == (2, 0)
    assert days[dt.date(2021, 12, 20)] == (1, 1)
    assert board.tests_total.tests == 6 and board.tests_total.positive == 2  # 1 Dec is outside
    assert next(d for d in board.tests if d.day == dt.date(2021, 12, 18)).positivity == 33.3


def test_coverage_by_ward_and_age_band(city, officials):
    _u, province = officials["province"]
    board = selectors.dashboard(assignment=province, chosen=LAST_14)
    cells = {(r.unit_code, r.age_band): (r.population, r.first_dose, r.full_series) for r in board.coverage}
    assert cells[("26743", "18-49")] == (2, 1, 1)  # An (full), Giang (none)
    assert cells[("26743", "65+")] == (1, 1, 1)  # Em
    assert cells[("26740", "18-49")] == (1, 1, 0)  # Bình, one dose
    assert cells[("26740", "0-11")] == (0, 0, 0) and cells[("26740", "12-17")] == (1, 0, 0)  # Dũng
    bars = {code: (population, full, percent) for code, _n, population, full, percent in
            selectors.coverage_by_child(board.coverage)}  # fmt: skip
    assert bars == {"26743": (3, 2, 66.7), "26740": (2, 0, 0.0)}


def test_cases_by_place_and_quarantine_occupancy(city, officials):
    _u, province = officials["province"]
    board = selectors.dashboard(assignment=province, chosen=LAST_14)
    assert _rows(board.cases) == {
        "26743": {"home": 1, "facility": 1, "hospital": 0},
        "26740": {"home": 0, "facility": 0, "hospital": 1},
        "total": {"home": 1, "facility": 1, "hospital": 1},
    }
    assert _rows(board.quarantine) == {
        "26743": {"in_quarantine": 1, "in_isolation": 0},
        "26740": {"in_quarantine": 1, "in_isolation": 0},
        "total": {"in_quarantine": 2, "in_isolation": 0},
    }
    [facility] = board.facilities
    assert (facility.code, facility.capacity, facility.quarantine, facility.occupied, facility.percent) == (
        "KCL01", 2, 1, 1, 50.0,
    )  # fmt: skip


def test_the_panels_of_a_past_range(city, officials):
    """Before the cases and orders (made today), a range ending on the 19th shows none of them."""
    _u, province = officials["province"]
    board = selectors.dashboard(
        assignment=province, chosen=selectors.DateRange(dt.date(2021, 12, 1), dt.date(2021, 12, 19))
    )
    assert _rows(board.cases)["total"] == {"home": 0, "facility": 0, "hospital": 0}
    assert _rows(board.quarantine)["total"] == {"in_quarantine": 0, "in_isolation": 0}
    assert board.facilities[0].occupied == 0
    assert board.tests_total.tests == 6  # 1 Dec, 18 Dec (3), 19 Dec (2)


def test_a_commune_official_sees_their_commune(city, officials):
    _u, commune = officials["sai_gon"]
    board = selectors.dashboard(assignment=commune, chosen=LAST_14)
    assert board.unit.code == "26740"
    assert _rows(board.cases) == {
        "26740": {"home": 0, "facility": 0, "hospital": 1},
        "total": {"home": 0, "facility": 0, "hospital": 1},
    }
    assert board.tests_total.tests == 0 and board.facilities == []  # no site, no facility in Sài Gòn
    assert {r.unit_code for r in board.coverage} == {"26740"}


def test_the_province_drills_down_to_a_ward(city, officials):
    _u, province = officials["province"]
    board = selectors.dashboard(assignment=province, unit_code="26743", chosen=LAST_14)
    assert board.unit.code == "26743" and board.tests_total.tests == 6
    assert _rows(board.cases)["total"] == {"home": 1, "facility": 1, "hospital": 0}


@pytest.mark.parametrize("code", ["00070", "01", "99999", "bad code", "\x00"])
def test_units_outside_or_unknown_are_not_found(city, officials, code):
    _u, province = officials["province"]
    with pytest.raises(NotFound):
        selectors.dashboard(assignment=province, unit_code=code, chosen=LAST_14)


def test_a_ward_official_cannot_look_at_the_next_ward(city, officials):
    _u, commune = officials["ben_thanh"]
    with pytest.raises(NotFound):
        selectors.dashboard_unit(assignment=commune, unit_code="26740")


def test_roles_without_the_module_get_not_found_and_lookers_cannot_export(officials):
    _u, tracer = officials["tracer"]
    _u, commune = officials["ben_thanh"]
    with pytest.raises(NotFound):
        selectors.dashboard_unit(assignment=tracer)
    with pytest.raises(NotFound):
        selectors.dashboard_unit(assignment=None)
    with pytest.raises(Forbidden):
        selectors.dashboard_unit(assignment=commune, action=selectors.EXPORT)
    _u, engineer = officials["engineer"]
    assert selectors.dashboard_unit(assignment=engineer, action=selectors.EXPORT).code == "79"


def test_date_range_defaults_and_refusals():
    assert selectors.date_range() == selectors.DateRange(dt.date(2021, 12, 7), TODAY)
    assert selectors.date_range(days=28).start == dt.date(2021, 11, 23)
    one_year = selectors.date_range(start=dt.date(2021, 1, 1), end=dt.date(2021, 12, 31))
    assert one_year.days == 365
    with pytest.raises(OperationsError, match="before the start"):
        selectors.date_range(start=TODAY, end=TODAY - dt.timedelta(days=1))
    with pytest.raises(OperationsError, match="at most 366 days"):
        selectors.date_range(start=dt.date(2020, 1, 1), end=dt.date(2021, 1, 1))


def test_level_changes_come_from_the_risk_module(city, officials, levels):
    _u, province = officials["province"]
    board = selectors.dashboard(assignment=province, chosen=LAST_14)
    assert [(c.unit_code, c.on, c.old_level, c.new_level) for c in board.level_changes] == [
        ("26743", dt.date(2021, 12, 19), 2, 3)
    ]
    _u, commune = officials["sai_gon"]
    assert selectors.dashboard(assignment=commune, chosen=LAST_14).level_changes == []
    before = selectors.DateRange(dt.date(2021, 12, 1), dt.date(2021, 12, 18))
    assert selectors.dashboard(assignment=province, chosen=before).level_changes == []


def test_quality_counts_for_the_province(legacy_quality, officials):
    _u, province = officials["province"]
    found = selectors.quality(assignment=province)
    by_source = {s.source: s for s in found.sources}
    ncovi, vneid, doses = by_source["ncovi"], by_source["vneid"], by_source["vaccination"]
    assert (ncovi.runs, ncovi.rows_read, ncovi.rejected) == (3, 15, 3)  # with the staging helper's run
    assert (ncovi.staged, ncovi.unlinked, ncovi.review, ncovi.not_mine_open) == (2, 1, 0, 1)
    assert (vneid.staged, vneid.unlinked, vneid.unplaced_unlinked) == (0, 0, 1)  # Hanoi's is not ours
    assert (doses.staged, doses.unlinked, doses.review) == (1, 1, 1)
    assert found.unplaced_shown and found.sites == [("BT-01", "Trạm Y tế Bến Thành", 1)]
    assert found.total.rejected == 3 and found.dose_missing_open == 1
    assert set(by_source) >= {"bluezone", "social_insurance", "ward_tests"}  # every source, zeros too


def test_quality_counts_for_a_commune(legacy_quality, officials):
    _u, commune = officials["sai_gon"]
    found = selectors.quality(assignment=commune)
    by_source = {s.source: s for s in found.sources}
    assert (by_source["ncovi"].staged, by_source["ncovi"].unlinked, by_source["ncovi"].not_mine_open) == (
        1,
        0,
        1,
    )
    assert by_source["vaccination"].review == 0 and by_source["vneid"].unplaced_unlinked == 0
    assert not found.unplaced_shown and found.sites == []
