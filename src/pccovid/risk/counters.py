"""The counters the epidemic levels read, kept per unit instead of recounted from people, doses and cases.

A level needs, per unit: its residents and those of the coverage age groups, how many of them had a
first dose (`UnitPopulation`, one row per unit and age group), and its new cases per day by origin
(`UnitDayCases`, one row per unit and day with a case). For the whole country that is some 30,000 rows
plus a few thousand per day, against some 100 million people and their doses: `services.levels_compute`
reads only these (see docs/risk.md, "Computing").

How they stay right:
- The recount (`population_recount`, `case_days_recount`, both through `services.counters_rebuild`, run
  nightly by `pccovid risk_compute --recount`) sets them from the rows with the grouped queries of the
  vaccination and tracing selectors. Ages are as of the recount's day; people registered or moved since
  are counted by the next recount (the platform has no event for them).
- A first dose (`vaccination.dose_recorded`) adds 1 to its person's unit, in every age group the person
  belongs to (`first_dose_add`), once per event (`CountedEvent`), and only if the last recount of that
  unit started before the event (else the recount has counted it).
- A case (`tracing.case_opened`) recounts its own unit and day from the rows under a row lock
  (`case_day_refresh`): idempotent, and equal to the recount by construction.
- A day nobody counted yet (a new day, a past day asked for) is counted from the rows for the whole
  country the first time a computation needs it (`case_days_ensure`), then marked (`CaseDayCounted`).
"""

import datetime as dt
from collections.abc import Iterable

from django.db.models import F, Q, Sum

from pccovid.core import clock
from pccovid.core.querysets import units_within
from pccovid.geography.models import AdminUnit
from pccovid.risk.models import CaseDayCounted, CountedEvent, UnitDayCases, UnitPopulation
from pccovid.tracing import selectors as tracing_selectors
from pccovid.vaccination import selectors as vaccination_selectors

BATCH = 5_000
CASE_FIELDS = ("imported", "in_quarantine", "community", "total")


def _within(rows, tops: Iterable[AdminUnit] | None):
    if tops is None:
        return rows
    inside = Q()
    for top in tops:
        inside |= Q(unit_id__in=units_within(top))
    return rows.filter(inside)


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


# Population and first doses ----------------------------------------------------------------------------


def population_recount(*, ages: Iterable[int], within: AdminUnit | None = None) -> int:
    """Set the population counters of every unit (inside `within`) from the people and first-dose rows:
    everyone (age group 0) and each age group in `ages`, as of today. Returns the rows written."""
    at, on = clock.now(), clock.today()
    ages = sorted(set(ages) - {0})
    counts = vaccination_selectors.first_dose_counts(unit=within, on=on, ages=tuple(ages))
    _within(UnitPopulation.objects.all(), None if within is None else [within]).delete()
    rows = [
        UnitPopulation(
            unit_id=unit_id,
            min_age=age,
            people=figures["people" if age == 0 else f"people_{age}"],
            first_dosed=figures["dosed" if age == 0 else f"dosed_{age}"],
            counted_at=at,
        )
        for unit_id, figures in counts.items()
        for age in (0, *ages)
    ]
    UnitPopulation.objects.bulk_create(rows, batch_size=BATCH)
    if within is None:
        CountedEvent.objects.filter(counted_at__lt=at).delete()
    return len(rows)


def population(*, tops: list[AdminUnit] | None, ages: Iterable[int]) -> dict[int, dict[str, int]]:
    """unit id -> "people", "dosed" and "people_<age>", "dosed_<age>" for each age (its own residents, not
    rolled up): the shape of `vaccination.selectors.first_dose_counts`, read from the counters."""
    wanted = sorted({0, *ages})
    rows = _within(UnitPopulation.objects.filter(min_age__in=wanted), tops)
    counts: dict[int, dict[str, int]] = {}
    for unit_id, age, people, dosed in rows.values_list("unit_id", "min_age", "people", "first_dosed"):
        bucket = counts.setdefault(unit_id, {})
        suffix = "" if age == 0 else f"_{age}"
        bucket["people" + suffix], bucket["dosed" + suffix] = people, dosed
    return counts


def counted_ever() -> bool:
    return UnitPopulation.objects.exists()


def ages_missing(*, ages: Iterable[int]) -> set[int]:
    """The age groups in `ages` the population counters do not keep (a province adjusted to a new one)."""
    return {age for age in ages if age and not UnitPopulation.objects.filter(min_age=age).exists()}


def first_dose_add(*, event_id, occurred_at: dt.datetime, person) -> bool:
    """Add a first dose to its person's unit, in every age group counted that the person belongs to. Not
    when the unit's last recount started after the event (it has counted the dose), nor twice for the same
    event (a retried or concurrent handler). Returns whether it was added."""
    rows = UnitPopulation.objects.filter(unit_id=person.residence_unit_id)
    stamp = rows.values_list("counted_at", flat=True).first()
    if stamp is None or occurred_at <= stamp:
        return False
    _row, new = CountedEvent.objects.get_or_create(event_id=event_id, defaults={"counted_at": clock.now()})
    if not new:
        return False
    age = _age(person.birth_date, clock.localdate(stamp))
    rows.filter(min_age__lte=age).update(first_dosed=F("first_dosed") + 1)
    return True


# New cases per unit and day --------------------------------------------------------------------------


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def case_days_recount(*, start: dt.date, end: dt.date) -> int:
    """Set the case counters of every unit on the days `start`..`end` from the case rows (one grouped query;
    case origins by the rules in force on `end`) and mark the days counted. Returns the rows written."""
    counts = tracing_selectors.new_case_counts(start=start, end=end, per_day=True)
    days = _days(start, end)
    UnitDayCases.objects.filter(on__gte=start, on__lte=end).delete()
    UnitDayCases.objects.bulk_create(
        (UnitDayCases(unit_id=unit_id, on=day, **figures) for (unit_id, day), figures in counts.items()),
        batch_size=BATCH,
    )
    CaseDayCounted.objects.filter(on__in=days).delete()
    CaseDayCounted.objects.bulk_create(CaseDayCounted(on=day, counted_at=clock.now()) for day in days)
    return len(counts)


def case_days_forget() -> None:
    """Every day becomes "not counted" (the full recount): each is recounted when next needed."""
    UnitDayCases.objects.all().delete()
    CaseDayCounted.objects.all().delete()


def case_days_ensure(*, start: dt.date, end: dt.date) -> int:
    """Count from the rows the days of `start`..`end` nobody counted yet: from the first of them to `end`,
    in one query. Returns how many days were not counted."""
    counted = set(CaseDayCounted.objects.filter(on__gte=start, on__lte=end).values_list("on", flat=True))
    missing = [day for day in _days(start, end) if day not in counted]
    if missing:
        case_days_recount(start=missing[0], end=end)
    return len(missing)


def case_day_refresh(*, unit: AdminUnit, day: dt.date) -> bool:
    """A case was opened in `unit` on `day`: recount that unit's cases of that day from the rows. The row is
    created then locked first, so two cases of the same unit and day, handled at once, end with the
    count of the later one (which sees both). A day not counted yet is left to `case_days_ensure`."""
    if not CaseDayCounted.objects.filter(on=day).exists():
        return False
    zero = dict.fromkeys(CASE_FIELDS, 0)
    UnitDayCases.objects.get_or_create(unit=unit, on=day, defaults=zero)
    row = UnitDayCases.objects.select_for_update().get(unit=unit, on=day)
    figures = tracing_selectors.new_case_counts(unit=unit, start=day, end=day).get(unit.pk, zero)
    for name in CASE_FIELDS:
        setattr(row, name, figures[name])
    row.save(update_fields=list(CASE_FIELDS))
    return True


def case_sums(
    *, tops: list[AdminUnit] | None, end: dt.date, week_start: dt.date, window_starts: Iterable[dt.date]
) -> dict[int, dict[str, int]]:
    """unit id -> its cases of `week_start`..`end` by origin ("week_imported", "week_in_quarantine",
    "week_community", "week_total") and, for each day in `window_starts`, "community_from_<day>": one
    grouped query, summed by the database (a province with its own green-zone window reads its column)."""
    starts = sorted(set(window_starts))
    in_week = Q(on__gte=week_start)
    aggregates = {f"week_{name}": Sum(name, filter=in_week) for name in CASE_FIELDS}
    aggregates |= {
        f"community_from_{day.isoformat()}": Sum("community", filter=Q(on__gte=day)) for day in starts
    }
    rows = _within(UnitDayCases.objects.filter(on__gte=min(week_start, *starts), on__lte=end), tops)
    return {
        row.pop("unit_id"): {name: value or 0 for name, value in row.items()}
        for row in rows.values("unit_id").annotate(**aggregates).order_by()
    }
