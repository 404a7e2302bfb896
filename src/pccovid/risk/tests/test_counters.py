"""The counters the levels read: events keep them equal to a recount from the rows; the all-unit compute
reads nothing else."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pccovid.core import clock
from pccovid.events import services as event_services
from pccovid.events.models import OutboxEvent
from pccovid.risk import counters, services
from pccovid.risk.models import CaseDayCounted, CountedEvent, UnitDayCases, UnitLevel, UnitPopulation
from pccovid.risk.tests.conftest import NOW, TODAY, case, dose, person
from pccovid.tracing import services as tracing_services

pytestmark = pytest.mark.django_db

LATER = NOW + dt.timedelta(hours=1)


def snapshot() -> tuple[set, set]:
    population = set(UnitPopulation.objects.values_list("unit__code", "min_age", "people", "first_dosed"))
    cases = set(
        UnitDayCases.objects.exclude(total=0).values_list(
            "unit__code", "on", "imported", "in_quarantine", "community", "total"
        )
    )
    return population, cases


def levels() -> dict[str, tuple]:
    rows = UnitLevel.objects.filter(on=TODAY).select_related("unit")
    return {r.unit.code: (r.level, r.cell, {k: v for k, v in r.figures.items()}) for r in rows}


def first_dose_event(person_, *, number: int = 1) -> OutboxEvent:
    dose(person_, day=TODAY, number=number)
    return event_services.event_record(
        name=services.DOSE_RECORDED, payload={"person_qid": person_.qid, "dose_number": number}
    )


def test_counters_after_events_equal_a_full_recount(
    tree, people, official, django_capture_on_commit_callbacks
):
    older = [person(tree["group"], birth=dt.date(1950, 3, 1)) for _ in range(3)]
    adult = person(tree["sai_gon"], birth=dt.date(1990, 1, 1))
    dose(older[0], day=dt.date(2021, 8, 1))
    case(people["chi"], day=TODAY - dt.timedelta(days=2))
    services.counters_rebuild()
    _user, tracer = official("tracer", "hcmc")
    with clock.frozen(LATER), django_capture_on_commit_callbacks(execute=True):
        events = [first_dose_event(older[1]), first_dose_event(adult), first_dose_event(older[0], number=2)]
        for resident in (older[2], people["binh"]):
            tracing_services.case_open(
                assignment=tracer, person_qid=resident.qid, reason="Positive elsewhere"
            )
    with clock.frozen(LATER):
        for event in events:  # the handler run again (a retry, a second worker) changes nothing
            services.on_dose_recorded(event)
    by_events, levels_by_events = snapshot(), levels()
    assert ("26743.001", 50, 3, 2) in by_events[0] and ("26740", 18, 2, 1) in by_events[0]
    assert ("26740", TODAY, 0, 0, 1, 1) in by_events[1]
    with clock.frozen(LATER + dt.timedelta(hours=1)):
        services.counters_rebuild()
        assert snapshot() == by_events
        services.levels_compute(on=TODAY, within=tree["hcmc"])
    assert levels() == levels_by_events


def test_a_dose_counted_by_the_recount_is_not_added_again(tree, people):
    event = first_dose_event(people["binh"])  # recorded at NOW, before the recount below
    with clock.frozen(LATER):
        services.counters_rebuild()
        counted = snapshot()
        assert not counters.first_dose_add(
            event_id=event.pk, occurred_at=event.occurred_at, person=people["binh"]
        )
    assert snapshot() == counted and not CountedEvent.objects.exists()


def test_a_full_recount_forgets_the_events_it_covers(tree, people):
    services.counters_rebuild()
    with clock.frozen(LATER):
        event = first_dose_event(people["binh"])
        assert counters.first_dose_add(
            event_id=event.pk, occurred_at=event.occurred_at, person=people["binh"]
        )
    assert CountedEvent.objects.count() == 1
    with clock.frozen(LATER + dt.timedelta(minutes=1)):
        services.counters_rebuild()
    assert not CountedEvent.objects.exists()


def test_a_day_nobody_counted_is_counted_from_the_rows_when_needed(tree, people):
    case(people["binh"], day=TODAY - dt.timedelta(days=17))
    services.counters_rebuild()  # counts the 14 days ending today only
    assert not CaseDayCounted.objects.filter(on=TODAY - dt.timedelta(days=17)).exists()
    services.levels_compute(on=TODAY - dt.timedelta(days=5))  # its 14 days reach back 18 days
    row = UnitLevel.objects.get(unit=tree["sai_gon"], on=TODAY - dt.timedelta(days=5))
    assert row.figures["community_cases_green_window"] == 1 and row.figures["green_zone"] is False
    assert CaseDayCounted.objects.filter(on=TODAY - dt.timedelta(days=17)).exists()


def test_the_all_unit_compute_reads_the_counters_only(tree, people):
    case(person(tree["group"]))
    services.counters_rebuild()
    with CaptureQueriesContext(connection) as queries:
        written = services.levels_compute(on=TODAY)
    assert written == 6
    read = " ".join(q["sql"] for q in queries.captured_queries)
    for table in ("identity_person", "vaccination_dose", "tracing_case"):
        assert f'"{table}"' not in read
    assert len(queries) <= 12  # units, 2 counter tables, days, capacity, adjustments, F1 of groups, upsert


def test_an_adjustment_to_a_new_age_counts_that_age_group(tree, people, official):
    for _ in range(4):
        dose(person(tree["sai_gon"], birth=dt.date(1950, 1, 1)))
    person(tree["sai_gon"], birth=dt.date(1960, 1, 1))
    services.counters_rebuild()
    assert not UnitPopulation.objects.filter(min_age=65).exists()
    _user, hcmc = official("province_official", "hcmc")
    services.adjustment_set(
        assignment=hcmc, values={"coverage": {"older_age": 65}}, reason="Resolution 128 names 65+",
        effective_from=TODAY,
    )  # fmt: skip
    assert UnitPopulation.objects.get(unit=tree["sai_gon"], min_age=65).people == 4
    figures = UnitLevel.objects.get(unit=tree["sai_gon"], on=TODAY).figures
    assert (figures["older_age"], figures["older_people"], figures["older_dosed"]) == (65, 4, 4)


def test_the_first_compute_of_a_new_installation_counts_from_the_rows(tree, people):
    assert not UnitPopulation.objects.exists()
    services.levels_compute(on=TODAY)
    assert UnitPopulation.objects.filter(min_age=0).count() == 3  # the group, Sài Gòn, Hoàn Kiếm
    assert UnitLevel.objects.get(unit=tree["sai_gon"], on=TODAY).figures["registered_people"] == 1
