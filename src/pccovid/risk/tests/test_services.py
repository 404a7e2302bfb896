"""Green zones at their edges, capacity, province adjustments, care needs, the incremental handlers."""

import datetime as dt

import pytest

from pccovid.core.errors import ApplicationError, Forbidden, NotFound
from pccovid.risk import services
from pccovid.risk.models import CareNeed, ProvinceAdjustment, UnitLevel
from pccovid.risk.tests.conftest import TODAY, case, dose, person

pytestmark = pytest.mark.django_db


def level_of(code: str, on=TODAY) -> UnitLevel:
    return UnitLevel.objects.get(unit__code=code, unit__edition="2025", on=on)


@pytest.mark.parametrize(("days_ago", "green"), [(13, False), (14, True), (15, True)])
def test_green_zone_is_14_days_without_a_community_case(tree, people, days_ago, green):
    case(people["an"], day=TODAY - dt.timedelta(days=days_ago))
    services.levels_compute(on=TODAY)
    group, commune = level_of("26743.001"), level_of("26743")
    assert group.figures["green_zone"] is green and commune.figures["green_zone"] is green
    assert group.level == (1 if green else 2)
    assert group.figures["community_cases_week"] == 0  # the case is older than the week either way


def test_a_group_in_a_green_zone_with_active_f1_is_yellow(tree, people):
    from pccovid.risk.tests.conftest import contact

    contact(case(people["binh"], day=TODAY - dt.timedelta(days=20)), people["an"])
    services.levels_compute(on=TODAY)
    assert level_of("26743.001").level == 2
    assert level_of("26743.001").cell == "group: green zone, active F1 contacts"


def test_coverage_figures_count_first_doses_by_age(tree, people):
    older = [person(tree["sai_gon"], birth=dt.date(1960, 1, 1)) for _ in range(5)]
    for p in older[:4]:
        dose(p)
    dose(person(tree["sai_gon"], birth=dt.date(1995, 1, 1)), day=TODAY + dt.timedelta(days=1))  # not yet
    services.levels_compute(on=TODAY)
    figures = level_of("26740").figures
    assert (figures["older_people"], figures["older_dosed"], figures["older_coverage"]) == (5, 4, 80.0)
    assert (figures["adult_people"], figures["adult_dosed"]) == (7, 4)
    assert figures["adult_coverage"] == 57.1 and figures["coverage_high"] is False


def test_capacity_not_enough_raises_the_level(tree, people, official):
    _user, commune = official("commune_official", "sai_gon")
    services.capacity_enter(assignment=commune, beds=2, icu_beds=0, home_care_teams=1, enough=False)
    sai_gon = level_of("26740")  # recomputed at once
    assert sai_gon.level == 2 and sai_gon.figures["capacity_source"] == "own"
    assert "capacity not met" in sai_gon.cell
    province = level_of("79")
    assert province.figures["capacity_source"] == "below" and province.figures["capacity_enough"] is False


def test_capacity_is_entered_inside_the_jurisdiction_only(tree, official):
    _user, commune = official("commune_official", "sai_gon")
    with pytest.raises(NotFound):
        services.capacity_enter(
            assignment=commune, unit_code="26743", beds=1, icu_beds=1, home_care_teams=1, enough=True
        )
    _user, tracer = official("tracer", "sai_gon")
    with pytest.raises(Forbidden):
        services.capacity_enter(assignment=tracer, beds=1, icu_beds=1, home_care_teams=1, enough=True)
    with pytest.raises(ApplicationError) as error:
        services.capacity_enter(assignment=commune, beds=-1, icu_beds=1, home_care_teams=1, enough=True)
    assert error.value.field == "beds"


def test_a_province_adjustment_applies_to_its_own_units_only(tree, people, official):
    case(people["an"])  # 10 per 100,000 in Bến Thành and in HCMC
    case(people["chi"])  # and in Hoàn Kiếm (Hanoi)
    _user, hcmc = official("province_official", "hcmc")
    adjustment = services.adjustment_set(
        assignment=hcmc,
        values={"case_bands": [5, 50, 150]},
        reason="Dense city: act earlier",
        effective_from=TODAY,
    )
    services.levels_compute(on=TODAY)
    ben_thanh, hoan_kiem = level_of("26743"), level_of("00070")
    assert ben_thanh.figures["case_band"] == 2 and ben_thanh.adjustment == adjustment
    assert hoan_kiem.figures["case_band"] == 1 and hoan_kiem.adjustment is None
    stored = ProvinceAdjustment.objects.get()
    assert (stored.set_by_id, stored.reason) == (hcmc.user_id, "Dense city: act earlier")


def test_an_adjustment_from_a_later_day_does_not_apply_yet(tree, people, official):
    case(people["an"])
    _user, hcmc = official("province_official", "hcmc")
    services.adjustment_set(
        assignment=hcmc,
        values={"case_bands": [5, 50, 150]},
        reason="From next week",
        effective_from=TODAY + dt.timedelta(days=7),
    )
    services.levels_compute(on=TODAY)
    assert level_of("26743").figures["case_band"] == 1 and level_of("26743").adjustment is None


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"case_bands": [50, 20, 150]}, "case_bands"),
        ({"case_bands": [20, 50]}, "case_bands"),
        ({"coverage": {"older_threshold": 120}}, "coverage"),
        ({"coverage": {"colour": 1}}, "coverage"),
        ({"matrix": {"1": {"high": 5, "low": 1}}}, "matrix"),
        ({"green_zone_days": 0}, "green_zone_days"),
        ({"priority_age": 70}, "values"),
        ({}, "values"),
    ],
)
def test_adjustments_are_checked(tree, official, values, field):
    _user, hcmc = official("province_official", "hcmc")
    with pytest.raises(ApplicationError) as error:
        services.adjustment_set(assignment=hcmc, values=values, reason="x", effective_from=TODAY)
    assert error.value.field == field and not ProvinceAdjustment.objects.exists()


def test_only_a_province_official_adjusts(tree, official):
    _user, commune = official("commune_official", "ben_thanh")
    with pytest.raises(Forbidden):
        services.adjustment_set(
            assignment=commune, values={"green_zone_days": 21}, reason="x", effective_from=TODAY
        )


def test_care_need_is_noted_once_and_audited(tree, people, official):
    from pccovid.audit.models import PersonalDataRead

    _user, commune = official("commune_official", "ben_thanh")
    first = services.care_need_note(assignment=commune, person_qid=people["an"].qid, kind="chronic_illness")
    again = services.care_need_note(assignment=commune, person_qid=people["an"].qid, kind="chronic_illness")
    assert first == again and CareNeed.objects.count() == 1
    assert PersonalDataRead.objects.filter(person=people["an"]).count() == 2
    with pytest.raises(NotFound):  # Bình lives in Sài Gòn: out of reach
        services.care_need_note(assignment=commune, person_qid=people["binh"].qid, kind="pregnant")
    with pytest.raises(ApplicationError):
        services.care_need_note(assignment=commune, person_qid=people["an"].qid, kind="tired")
    assert (
        services.care_need_end(assignment=commune, person_qid=people["an"].qid, kind="chronic_illness") == 1
    )


def test_events_recompute_todays_path(tree, people, django_capture_on_commit_callbacks):
    from pccovid.events import services as event_services

    with django_capture_on_commit_callbacks(execute=True):
        event_services.event_record(name=services.CASE_OPENED, payload={"person_qid": people["an"].qid})
    assert set(UnitLevel.objects.values_list("unit__code", flat=True)) == {"79", "26743", "26743.001"}
    with django_capture_on_commit_callbacks(execute=True):
        event_services.event_record(name=services.DOSE_RECORDED, payload={"person_qid": "NOSUCHPERSON"})
    assert UnitLevel.objects.count() == 3


def test_full_compute_query_count_does_not_grow_with_units(tree, people, django_assert_max_num_queries):
    for _ in range(3):
        case(person(tree["group"]))
    with django_assert_max_num_queries(30):
        services.levels_compute(on=TODAY)
