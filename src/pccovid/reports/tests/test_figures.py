"""Each field's figure against the hand-counted epidemic of conftest.py; roll-up; daily against weekly."""

import datetime as dt

import pytest

from pccovid.core.errors import ApplicationError, NotFound
from pccovid.geography.models import Level
from pccovid.quarantine import selectors as quarantine_selectors
from pccovid.reports import rules, selectors, services
from pccovid.testkit import make_unit

from .conftest import TODAY

ZERO = {f.key: 0 for f in rules.DAILY.fields if f.selector}

# Hand-counted (see conftest.py): 22 Dec, by commune.
BEN_THANH_DAY = ZERO | {
    "cases_community": 1, "cases_total": 1,  # An (Giang's case opened on 21 Dec)
    "tests_done": 2, "tests_positive": 1,  # An +, Dũng -
    "doses_3plus": 1,  # Dũng (An's dose 1 was on 21 Dec)
    "f0_home": 1, "f0_total": 1,  # An; Giang's order was cancelled by the death
    "deaths": 1,  # Giang
    "levels_raised": 1,  # the risk app's level 2 -> 3 on 22 Dec (its second community case in 7 days)
}  # fmt: skip
SAI_GON_DAY = ZERO | {
    "cases_in_quarantine": 1, "cases_total": 1,  # Bình, in quarantine when found
    "tests_done": 2, "tests_positive": 1,  # Bình +, Em -
    "doses_2": 1,  # Em
    "f0_home": 1, "f0_total": 1,  # Bình's quarantine became isolation today: counted once, as F0
}  # fmt: skip


def _platform(figures: dict) -> dict:
    return {key: figures[key] for key in ZERO}


def _children(report) -> dict:
    return {row.code: row.figures for row in report.children}


def test_daily_figures_of_the_province_and_its_communes(epidemic, officials):
    report = selectors.report_build(assignment=officials["hcmc"], form="daily", on=TODAY)
    children = _children(report)
    assert list(children) == ["26740", "26743"]
    assert _platform(children["26743"]) == BEN_THANH_DAY
    assert _platform(children["26740"]) == SAI_GON_DAY
    assert _platform(report.figures) == {k: BEN_THANH_DAY[k] + SAI_GON_DAY[k] for k in ZERO}


def test_level_changes_are_listed_and_communes_counted(epidemic, officials):
    report = selectors.report_build(assignment=officials["hcmc"], form="daily", on=TODAY)
    assert [(c.unit_code, c.old_level, c.new_level) for c in report.level_changes] == [
        ("26743", 2, 3), ("79", 2, 3)
    ]  # fmt: skip
    assert report.figures["levels_raised"] == 1  # the province's own change is listed, not counted
    yesterday = selectors.report_build(assignment=officials["hcmc"], form="daily", on=TODAY.replace(day=21))
    assert yesterday.level_changes == [] and yesterday.figures["levels_raised"] == 0


def test_the_hanoi_commune_counts_only_its_own(epidemic, officials):
    report = selectors.report_build(assignment=officials["hk"], form="daily", on=TODAY)
    assert _platform(report.figures) == ZERO | {"doses_1": 1}  # Chi
    assert report.children == []


def test_weekly_adds_the_days_before_and_rates(epidemic, officials):
    week = selectors.report_build(assignment=officials["hcmc"], form="weekly", on=TODAY)
    assert (week.start, week.end) == (dt.date(2021, 12, 20), dt.date(2021, 12, 26))
    ben_thanh = _children(week)["26743"]
    # Flows add Giang's case and positive test and An's first dose of 21 Dec; stocks are today's.
    assert _platform(ben_thanh) == BEN_THANH_DAY | {
        "cases_community": 2, "cases_total": 2, "tests_done": 3, "tests_positive": 2, "doses_1": 1,
    }  # fmt: skip
    # Populations are the units' own figures (10,000 each in the fixture tree): not summed.
    assert ben_thanh["population"] == 10_000 and week.figures["population"] == 10_000
    assert ben_thanh["cases_per_100k"] == 20.0 and ben_thanh["community_cases_per_100k"] == 20.0
    assert week.figures["cases_per_100k"] == 30.0  # Giang, An, Bình
    assert week.figures["community_cases_per_100k"] == 20.0
    daily = selectors.report_build(assignment=officials["hcmc"], form="daily", on=TODAY)
    assert "cases_per_100k" not in daily.figures


def test_stocks_follow_the_day(epidemic, officials):
    before = selectors.report_build(assignment=officials["hcmc"], form="daily", on=dt.date(2021, 12, 21))
    sai_gon = _children(before)["26740"]
    assert (sai_gon["f1_home"], sai_gon["f1_total"], sai_gon["f0_total"]) == (1, 1, 0)  # Bình in quarantine
    # Giang was isolated on 21 Dec, but a death cancels the order and a cancelled order never counts (the
    # quarantine app's definition, `order_counts`): statuses are current, not a history.
    assert _children(before)["26743"]["f0_home"] == 0


def test_place_counts_agree_with_the_quarantine_counts(epidemic, officials, tree):
    for on in (dt.date(2021, 12, 20), dt.date(2021, 12, 21), TODAY):
        report = selectors.report_build(assignment=officials["hcmc"], form="daily", on=on)
        counts = quarantine_selectors.order_counts(unit=tree["hcmc"], on=on)
        assert report.figures["f1_total"] == sum(c["in_quarantine"] for c in counts.values())
        assert report.figures["f0_total"] == sum(c["in_isolation"] for c in counts.values())


@pytest.mark.parametrize("form", ["daily", "weekly"])
def test_province_equals_the_sum_of_its_communes_for_every_field(epidemic, officials, form):
    for key, value in {"beds_total": 40, "beds_in_use": 12, "health_staff": 30}.items():
        services.report_entries_save(assignment=officials["bt"], form=form, unit_code="26743", on=TODAY,
                                     values={key: value})  # fmt: skip
    services.report_entries_save(assignment=officials["sg"], form=form, unit_code="26740", on=TODAY,
                                 values={"beds_total": 25, "health_staff": 7})  # fmt: skip
    report = selectors.report_build(assignment=officials["hcmc"], form=form, on=TODAY)
    summed = [f for f in rules.FORMS[form].fields if f.summed]
    for f in summed:
        values = [row.figures[f.key] for row in report.children if row.figures[f.key] is not None]
        assert report.figures[f.key] == (sum(values) if values else None), f.key
    assert report.figures["beds_total"] == 65 and report.figures["beds_in_use"] == 12
    assert report.figures["icu_beds_in_use"] is None  # nobody entered it
    # A commune's own report is the same computation: its figure is the province's row for it.
    commune = selectors.report_build(assignment=officials["bt"], form=form, on=TODAY)
    assert {f.key: commune.figures[f.key] for f in summed} == {
        f.key: _children(report)["26743"][f.key] for f in summed
    }


def test_a_unit_above_uses_its_own_entry_when_it_made_one(epidemic, officials):
    services.report_entries_save(assignment=officials["bt"], form="daily", unit_code="26743", on=TODAY,
                                 values={"beds_total": 40})  # fmt: skip
    services.report_entries_save(assignment=officials["hcmc"], form="daily", unit_code="79", on=TODAY,
                                 values={"beds_total": 900})  # fmt: skip
    report = selectors.report_build(assignment=officials["hcmc"], form="daily", on=TODAY)
    assert report.figures["beds_total"] == 900 and _children(report)["26743"]["beds_total"] == 40


def test_the_group_and_the_nation(epidemic, officials, tree):
    group = selectors.report_build(assignment=officials["bt"], form="daily", unit_code="26743.001", on=TODAY)
    assert group.figures["tests_done"] == 0  # tests count where the site is: in the ward
    assert group.figures["cases_total"] == 1  # An's case is managed where An lives
    assert group.figures["f0_home"] == 0  # orders are followed by the commune (quarantine's `unit`)
    nation = selectors.report_compute(form=rules.DAILY, unit=selectors.Nation(edition="2025"), on=TODAY)
    assert [row.code for row in nation.children] == ["01", "79"]
    assert nation.figures["doses_1"] == 1 and nation.figures["cases_total"] == 2
    assert nation.figures["tests_done"] == 4


def test_bad_input(officials, tree):
    with pytest.raises(NotFound):
        selectors.report_build(assignment=officials["bt"], form="monthly", on=TODAY)
    with pytest.raises(ApplicationError, match="not begun"):
        selectors.report_build(assignment=officials["bt"], form="daily", on=TODAY + dt.timedelta(days=1))
    with pytest.raises(NotFound):
        selectors.report_build(assignment=officials["bt"], form="daily", unit_code="26740", on=TODAY)
    with pytest.raises(NotFound):
        selectors.report_build(assignment=officials["bt"], form="daily", unit_code="x' OR 1", on=TODAY)


def test_query_count_does_not_grow_with_the_units(officials, tree, django_assert_max_num_queries):
    for n in range(60):
        commune = make_unit(f"9{n:04d}", f"Phường {n}", Level.COMMUNE, tree["hcmc"])
        make_unit(f"9{n:04d}.1", f"Tổ {n}", Level.RESIDENTIAL_GROUP, commune)
    with django_assert_max_num_queries(12):
        report = selectors.report_build(assignment=officials["hcmc"], form="weekly", on=TODAY)
    assert len(report.children) == 62
