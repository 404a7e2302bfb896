"""Computing epidemic levels, and the entries they read (capacity, a province's adjustment, care needs).

`levels_compute` reads counters kept per unit (`risk.counters`: residents and first doses per age group,
new cases per day by origin), never the people, doses or cases themselves: for the whole country that is
some 30,000 population rows and a few thousand case rows a day. With the latest capacity entries and the
adjustments in force, one pass in Python over the unit table adds every unit's counts to its ancestors
(paths), decides each level (`rules.level_decide`) and writes the day's rows in one upsert. Residential
groups also read their active F1 contacts (one query for the groups only). `benchmarks/risk_levels.py`
measures it on a nation-sized day against a per-ward query loop.

The counters follow the events (a first dose adds 1, a case recounts its unit and day) and are rebuilt
from the rows by `counters_rebuild` (nightly: `pccovid risk_compute --recount`). Incremental: a case
opened, a dose or a test result recorded recomputes today's level of the units on the path of the unit
concerned (group, commune, district, province) from the same counters, so the result equals a full
recompute (a test checks it).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils.translation import gettext as _

from pccovid.audit.models import Purpose
from pccovid.core import clock
from pccovid.core.errors import ApplicationError, Forbidden, NotFound
from pccovid.geography import selectors as geography_selectors
from pccovid.geography.models import AdminUnit
from pccovid.geography.models import Level as UnitKind
from pccovid.identity import selectors as identity_selectors
from pccovid.risk import counters, rules
from pccovid.risk.models import Capacity, CareNeed, CareNeedKind, ProvinceAdjustment, UnitLevel
from pccovid.rules import services as rule_services
from pccovid.tracing import selectors as tracing_selectors

CASE_OPENED = "tracing.case_opened"
DOSE_RECORDED = "vaccination.dose_recorded"
RESULT_RECORDED = "testing.result_recorded"
COUNT_MAX = 1_000_000
REASON_MAX = 1_000
NOTE_MAX = 200
F1_BATCH = 2_000  # group ids per query (SQLite's limit on parameters)


class RiskError(ApplicationError):
    code = "risk_invalid"


def policy(*, at: dt.date | None = None) -> rule_services.RuleSet:
    return rule_services.current(rules.DOMAIN, at=at)


@dataclass(frozen=True)
class UnitRow:
    id: int
    code: str
    level: str
    path: str
    edition: str
    population: int | None


# Reading the inputs, set-based -----------------------------------------------------------------------


def _adjustments_in_force(on: dt.date, province_ids: Iterable[int] | None) -> dict[int, ProvinceAdjustment]:
    """province id -> its adjustment in force on `on` (the latest effective, then the latest set)."""
    rows = ProvinceAdjustment.objects.filter(effective_from__lte=on).order_by(
        "province_id", "-effective_from", "-set_at", "-pk"
    )
    if province_ids is not None:
        rows = rows.filter(province_id__in=list(province_ids))
    found: dict[int, ProvinceAdjustment] = {}
    for row in rows:
        found.setdefault(row.province_id, row)
    return found


def _capacities(on: dt.date, unit_ids: Iterable[int] | None) -> dict[int, Capacity]:
    """unit id -> its latest capacity entry made by the end of `on`."""
    _start, end = clock.local_day_bounds(on)
    rows = Capacity.objects.filter(entered_at__lt=end).order_by("unit_id", "-entered_at", "-pk")
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=list(unit_ids))
    latest: dict[int, Capacity] = {}
    for row in rows:
        latest.setdefault(row.unit_id, row)
    return latest


def _unit_table(tops: list[AdminUnit] | None) -> dict[int, UnitRow]:
    units = AdminUnit.objects.all()
    if tops is not None:
        units = AdminUnit.objects.none()
        for top in tops:
            units = units | AdminUnit.objects.filter(edition=top.edition, path__startswith=top.path)
    fields = ("id", "code", "level", "path", "edition", "population")
    return {row[0]: UnitRow(*row) for row in units.values_list(*fields)}


def _prefixes(path: str) -> list[str]:
    parts = path.split("/")[:-1]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


@dataclass
class Inputs:
    """What the computation reads, keyed by unit id at any depth (not rolled up)."""

    people: dict[int, dict[str, int]]
    week: dict[int, dict[str, int]]
    fortnight: dict[int, dict[str, int]]
    f1_active: dict[int, int]
    capacities: dict[int, Capacity]
    adjustments: dict[int, ProvinceAdjustment]


def _ages(values: dict, adjustments: Iterable[ProvinceAdjustment]) -> tuple[int, ...]:
    ages = {values["coverage"]["older_age"], values["coverage"]["adult_age"]}
    for adjustment in adjustments:
        ages |= {v for k, v in adjustment.values.get("coverage", {}).items() if k.endswith("_age")}
    return tuple(sorted(ages))


def counted_ages(*, on: dt.date | None = None) -> tuple[int, ...]:
    """The age groups the population counters keep: those of the rules and of every province adjustment."""
    return _ages(policy(at=on).values, ProvinceAdjustment.objects.all())


def _inputs(*, on: dt.date, values: dict, tops: list[AdminUnit] | None, table: dict[int, UnitRow]) -> Inputs:
    scope = None if tops is None else list(table)
    adjustments = _adjustments_in_force(on, None if tops is None else [t.pk for t in tops])
    if not counters.counted_ever():
        counters.population_recount(ages=counted_ages(on=on))  # a new installation: count once from rows
    people = counters.population(tops=tops, ages=_ages(values, adjustments.values()))
    week, window = _case_windows(on=on, values=values, adjustments=adjustments, tops=tops, table=table)
    groups = [u.id for u in table.values() if u.level == UnitKind.RESIDENTIAL_GROUP]
    f1_active: dict[int, int] = {}
    for start in range(0, len(groups), F1_BATCH):
        f1_active |= tracing_selectors.active_f1_counts_of(unit_ids=groups[start : start + F1_BATCH], on=on)
    return Inputs(people, week, window, f1_active, _capacities(on, scope), adjustments)


def _green_days(values: dict, adjustment: ProvinceAdjustment | None) -> int:
    return rules.merged_values(values, adjustment.values if adjustment else None)["green_zone_days"]


def _case_windows(*, on, values, adjustments, tops, table) -> tuple[dict, dict]:
    """New cases by origin per case unit in the week, and community cases in the green-zone window (its
    province's, where adjusted), from the case counters of the days they span (counted first if needed)."""
    green = {province_id: _green_days(values, a) for province_id, a in adjustments.items()}
    longest = max(values["week_days"], values["green_zone_days"], *green.values())
    counters.case_days_ensure(start=on - dt.timedelta(days=longest - 1), end=on)
    start_of = {None: on - dt.timedelta(days=values["green_zone_days"] - 1)} | {
        province_id: on - dt.timedelta(days=days - 1) for province_id, days in green.items()
    }
    sums = counters.case_sums(
        tops=tops, end=on, week_start=on - dt.timedelta(days=values["week_days"] - 1),
        window_starts=start_of.values(),
    )  # fmt: skip
    province_of = _province_ids(table) if green else {}
    week: dict[int, dict[str, int]] = {}
    window: dict[int, dict[str, int]] = {}
    for unit_id, counts in sums.items():
        if unit_id not in table:
            continue
        if counts["week_total"]:
            week[unit_id] = {name: counts[f"week_{name}"] for name in counters.CASE_FIELDS}
        start = start_of.get(province_of.get(unit_id), start_of[None])
        window[unit_id] = {"community": counts[f"community_from_{start.isoformat()}"]}
    return week, window


def _province_ids(table: dict[int, UnitRow]) -> dict[int, int]:
    """unit id -> the id of its province (the top of its path)."""
    by_path = {(u.edition, u.path): u.id for u in table.values()}
    return {u.id: by_path.get((u.edition, u.path.split("/", 1)[0] + "/")) for u in table.values()}


# Adding up and deciding --------------------------------------------------------------------------------


def _sums(table: dict[int, UnitRow], inputs: Inputs) -> dict[int, dict[str, int]]:
    """Every unit's own counts plus those of every unit below it; active F1 contacts for the groups only
    (the only level whose rule reads them)."""
    own: dict[int, dict[str, int]] = defaultdict(dict)
    for unit_id, counts in inputs.people.items():
        own[unit_id].update(counts)
    for unit_id, counts in inputs.week.items():
        own[unit_id].update({f"week_{name}": value for name, value in counts.items()})
    for unit_id, counts in inputs.fortnight.items():
        own[unit_id]["fortnight_community"] = counts["community"]
    by_path = {(u.edition, u.path): u.id for u in table.values()}
    sums: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for unit_id, counts in own.items():
        unit = table.get(unit_id)
        if unit is None:
            continue
        shaped = counts.items()
        for prefix in _prefixes(unit.path):
            target = by_path.get((unit.edition, prefix))
            if target is not None:
                bucket = sums[target]
                for name, value in shaped:
                    bucket[name] += value
    for group_id, n in inputs.f1_active.items():
        sums[group_id]["f1_active"] = n
    return sums


def _capacity_figures(table: dict[int, UnitRow], capacities: dict[int, Capacity]) -> dict[int, dict]:
    """A unit's capacity: its own latest entry; a group's, its nearest ancestor's; a district's or
    province's without one, the entries below it (not enough if any says so); else undeclared."""
    by_path = {(u.edition, u.path): u.id for u in table.values()}
    below: dict[int, dict] = {}
    for unit_id, entry in capacities.items():
        unit = table.get(unit_id)
        if unit is None:
            continue
        for prefix in _prefixes(unit.path)[:-1]:
            target = by_path.get((unit.edition, prefix))
            if target is None:
                continue
            agg = below.setdefault(target, {"beds": 0, "icu_beds": 0, "home_care_teams": 0, "enough": True})
            for name in ("beds", "icu_beds", "home_care_teams"):
                agg[name] += getattr(entry, name)
            agg["enough"] = agg["enough"] and entry.enough
    figures: dict[int, dict] = {}
    for unit in table.values():
        figures[unit.id] = _capacity_of(unit, table, by_path, capacities, below)
    return figures


def _capacity_of(unit: UnitRow, table, by_path, capacities, below) -> dict:
    def shaped(entry, source: str) -> dict:
        get = entry.get if isinstance(entry, dict) else lambda name: getattr(entry, name)
        names = ("beds", "icu_beds", "home_care_teams")
        return {"capacity_source": source, "capacity_enough": get("enough"), **{n: get(n) for n in names}}

    if unit.id in capacities:
        return shaped(capacities[unit.id], "own")
    if unit.level == UnitKind.RESIDENTIAL_GROUP:
        for prefix in reversed(_prefixes(unit.path)[:-1]):
            ancestor = by_path.get((unit.edition, prefix))
            if ancestor in capacities:
                return shaped(capacities[ancestor], table[ancestor].code)
    if unit.id in below and unit.level != UnitKind.COMMUNE:
        return shaped(below[unit.id], "below")
    return {"capacity_source": None, "capacity_enough": None, "beds": None, "icu_beds": None,
            "home_care_teams": None}  # fmt: skip


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def unit_figures(*, unit: UnitRow, on: dt.date, values: dict, counts: dict, capacity: dict) -> dict:
    """The figures one level is decided from (stored with the level: the "why")."""
    registered = counts.get("people", 0)
    population = unit.population or registered
    community = counts.get("week_community", 0)
    per_100k = round(100_000 * community / population, 1) if population else 0.0
    older, adult = values["coverage"]["older_age"], values["coverage"]["adult_age"]
    figures = {
        "population": population,
        "population_source": "unit" if unit.population else "registered",
        "registered_people": registered,
        "week_start": (on - dt.timedelta(days=values["week_days"] - 1)).isoformat(),
        "community_cases_week": community,
        "cases_week": counts.get("week_total", 0),
        "imported_week": counts.get("week_imported", 0),
        "in_quarantine_week": counts.get("week_in_quarantine", 0),
        "community_per_100k": per_100k,
        "case_band": rules.case_band(per_100k, values["case_bands"]),
        "community_cases_green_window": counts.get("fortnight_community", 0),
        "green_zone_days": values["green_zone_days"],
        "older_age": older,
        "older_people": counts.get(f"people_{older}", 0),
        "older_dosed": counts.get(f"dosed_{older}", 0),
        "older_coverage": _percent(counts.get(f"dosed_{older}", 0), counts.get(f"people_{older}", 0)),
        "adult_age": adult,
        "adult_people": counts.get(f"people_{adult}", 0),
        "adult_dosed": counts.get(f"dosed_{adult}", 0),
        "adult_coverage": _percent(counts.get(f"dosed_{adult}", 0), counts.get(f"people_{adult}", 0)),
        **capacity,
    }
    if unit.level == UnitKind.RESIDENTIAL_GROUP:
        figures["f1_active"] = counts.get("f1_active", 0)
    figures["green_zone"] = figures["community_cases_green_window"] == 0
    figures["coverage_high"] = rules.coverage_high(figures, values)
    figures["capacity_met"] = (
        figures["capacity_enough"]
        if figures["capacity_enough"] is not None
        else values["undeclared_capacity_met"]
    )
    return figures


def unit_decide(*, unit: UnitRow, values: dict, figures: dict) -> tuple[int, str]:
    matrix = rules.level_decide(
        values=values,
        band=figures["case_band"],
        high=figures["coverage_high"],
        capacity_met=figures["capacity_met"],
        community_week=figures["community_cases_week"],
    )
    if unit.level != UnitKind.RESIDENTIAL_GROUP:
        return matrix
    return rules.group_level_decide(
        values=values,
        matrix=matrix,
        community_14d=figures["community_cases_green_window"],
        f1_active=figures["f1_active"],
    )


def _roots(units: Iterable[AdminUnit]) -> list[AdminUnit]:
    """The province (top unit) of each unit, once each."""
    wanted = {(u.edition, _prefixes(u.path)[0]) for u in units}
    found = []
    for edition, path in sorted(wanted):
        found.extend(AdminUnit.objects.filter(edition=edition, path=path))
    return found


def _targets(table: dict[int, UnitRow], sums: dict, units, within: AdminUnit | None) -> list[int]:
    if units is not None:
        return [u.pk for u in units]
    inside = [u for u in table.values() if within is None or u.path.startswith(within.path)]
    return [u.id for u in inside if sums.get(u.id, {}).get("people", 0) > 0]


@transaction.atomic
def levels_compute(
    *, on: dt.date, units: list[AdminUnit] | None = None, within: AdminUnit | None = None
) -> int:
    """Compute and store the level on `on` of `units` (default: every unit that has people living inside
    it, in both editions, residential groups included; `within`: those inside one unit). Idempotent: a
    second run for the same day updates the rows in place. Returns how many rows were written."""
    ruleset = policy(at=on)
    scope = units if units is not None else ([within] if within is not None else None)
    tops = _roots(scope) if scope is not None else None
    table = _unit_table(tops)
    inputs = _inputs(on=on, values=ruleset.values, tops=tops, table=table)
    sums = _sums(table, inputs)
    capacity = _capacity_figures(table, inputs.capacities)
    by_path = {(u.edition, u.path): u.id for u in table.values()}
    now, version = clock.now(), f"{ruleset.domain} {ruleset.version}"
    rows = []
    for unit_id in _targets(table, sums, units, within):
        unit = table[unit_id]
        adjustment = inputs.adjustments.get(by_path.get((unit.edition, _prefixes(unit.path)[0])))
        values = rules.merged_values(ruleset.values, adjustment.values if adjustment else None)
        figures = unit_figures(
            unit=unit, on=on, values=values, counts=sums.get(unit_id, {}), capacity=capacity[unit_id]
        )
        level, cell = unit_decide(unit=unit, values=values, figures=figures)
        reason = reason_record(level=level, cell=cell, figures=figures)
        rows.append((unit_id, on, level, figures, cell, reason, version, adjustment and adjustment.pk, now))
    _upsert(rows)
    return len(rows)


def reason_record(*, level: int, cell: str, figures: dict) -> str:
    """The stored "why", in plain English for exports and history (pages render a translated one from the
    figures: `selectors.reason_render`)."""
    f = figures
    capacity = {None: "not declared", True: "enough", False: "not enough"}[f["capacity_enough"]]
    return (
        f"{f['community_cases_week']} community cases from {f['week_start']} ({f['community_per_100k']} per "
        f"100,000 of {f['population']}, band {f['case_band']}); first dose {f['older_coverage']} % of "
        f"{f['older_age']}+ and {f['adult_coverage']} % of adults; capacity {capacity}; "
        f"{f['community_cases_green_window']} community cases in {f['green_zone_days']} days"
        + (f"; {f['f1_active']} active F1" if "f1_active" in f else "")
        + f". Rule: {cell}, level {level}."
    )


_UPSERT_FIELDS = (
    "unit",
    "on",
    "level",
    "figures",
    "cell",
    "reason",
    "rules_version",
    "adjustment",
    "computed_at",
)


def _upsert(rows: list[tuple]) -> None:
    """Insert the day's rows (tuples in `_UPSERT_COLUMNS` order), or update those already there: one
    prepared statement run over all rows (`INSERT ... ON CONFLICT (unit, on) DO UPDATE`, SQLite 3.24+ and
    PostgreSQL). The ORM's bulk_create compiles every value of every row into the SQL text, which took
    longer than computing the levels."""
    quote = connection.ops.quote_name
    columns = [quote(UnitLevel._meta.get_field(name).column) for name in _UPSERT_FIELDS]
    updated = ", ".join(f"{column} = excluded.{column}" for column in columns[2:])
    sql = (
        f"INSERT INTO {quote(UnitLevel._meta.db_table)} ({', '.join(columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({columns[0]}, {columns[1]}) DO UPDATE SET {updated}"
    )
    figures = UnitLevel._meta.get_field("figures")
    adapt_date, adapt_moment = connection.ops.adapt_datefield_value, connection.ops.adapt_datetimefield_value
    values = [
        (
            unit,
            adapt_date(on),
            level,
            figures.get_db_prep_save(data, connection),
            cell,
            reason,
            version,
            adjustment,
            adapt_moment(at),
        )
        for unit, on, level, data, cell, reason, version, adjustment, at in rows
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(values), 5_000):
            cursor.executemany(sql, values[start : start + 5_000])


def levels_compute_path(*, unit: AdminUnit, on: dt.date | None = None) -> int:
    """Recompute the level of `unit` and of every unit above it (the incremental path)."""
    path = [*geography_selectors.unit_ancestors(unit), unit]
    return levels_compute(on=on or clock.today(), units=path)


def on_person_event(event) -> None:
    """A test result recorded (or a case, a dose whose own handler found nothing to count): today's levels
    on the person's path."""
    person = identity_selectors.person_by_qid(qid=str(event.payload.get("person_qid") or ""))
    if person is not None and person.residence_unit_id is not None:
        levels_compute_path(unit=person.residence_unit)


def on_case_opened(event) -> None:
    """`tracing.case_opened`: recount the case's unit and day in the counters (idempotent), then today's
    levels on that unit's path."""
    found = tracing_selectors.case_unit_and_day(case_id=event.payload.get("case_id"))
    if found is None:
        on_person_event(event)
        return
    unit, day = found
    counters.case_day_refresh(unit=unit, day=day)
    levels_compute_path(unit=unit)


def on_dose_recorded(event) -> None:
    """`vaccination.dose_recorded`: a first dose adds 1 to its person's unit (once per event), then
    today's levels on that unit's path."""
    person = identity_selectors.person_by_qid(qid=str(event.payload.get("person_qid") or ""))
    if person is None or person.residence_unit_id is None:
        return
    if event.payload.get("dose_number") == 1:
        counters.first_dose_add(event_id=event.pk, occurred_at=event.occurred_at, person=person)
    levels_compute_path(unit=person.residence_unit)


HANDLERS = {CASE_OPENED: on_case_opened, DOSE_RECORDED: on_dose_recorded, RESULT_RECORDED: on_person_event}


@transaction.atomic
def counters_rebuild(*, within: AdminUnit | None = None) -> dict[str, int]:
    """Recount the counters from the rows, set-based (nightly, `pccovid risk_compute --recount`): the
    population and first doses of every unit (inside `within`), as of today; and, for the whole country,
    the cases of the days today's levels read (other days are recounted when first needed). Returns the
    rows written."""
    ruleset = policy()
    population = counters.population_recount(ages=counted_ages(), within=within)
    if within is not None:
        return {"population": population, "cases": 0}
    days = max(
        [ruleset.values["week_days"], ruleset.values["green_zone_days"]]
        + [_green_days(ruleset.values, a) for a in ProvinceAdjustment.objects.all()]
    )
    today = clock.today()
    counters.case_days_forget()
    cases = counters.case_days_recount(start=today - dt.timedelta(days=days - 1), end=today)
    return {"population": population, "cases": cases}


# Entries: capacity, a province's adjustment, care needs ----------------------------------------------


def _unit_in_reach(*, assignment, unit_code: str | None) -> AdminUnit:
    if not unit_code:
        return assignment.unit
    unit = geography_selectors.unit_get(edition=assignment.unit.edition, code=unit_code.strip())
    if not unit.path.startswith(assignment.unit.path):
        raise NotFound()
    return unit


def _require(assignment, action: str) -> None:
    """No risk role at all: not found (nothing to see); a reader without this right: forbidden."""
    if assignment is None or not assignment.allows("risk.view"):
        raise NotFound()
    if not assignment.allows(action):
        raise Forbidden(_("Your role cannot do this."), code="no_permission")


def _count(value: int, field: str) -> int:
    if not isinstance(value, int) or not 0 <= value <= COUNT_MAX:
        raise RiskError(_("Enter a whole number from 0 to 1,000,000."), field=field)
    return value


@transaction.atomic
def capacity_enter(
    *,
    assignment,
    unit_code: str | None = None,
    beds: int,
    icu_beds: int,
    home_care_teams: int,
    enough: bool,
    note: str = "",
) -> Capacity:
    """A unit declares its treatment capacity (criterion 3); a new row per entry, the latest wins. Today's
    levels on its path are recomputed at once."""
    _require(assignment, "risk.capacity")
    unit = _unit_in_reach(assignment=assignment, unit_code=unit_code)
    if len(note) > NOTE_MAX:
        raise RiskError(_("The note is too long (200 characters at most)."), field="note")
    entry = Capacity.objects.create(
        unit=unit,
        beds=_count(beds, "beds"),
        icu_beds=_count(icu_beds, "icu_beds"),
        home_care_teams=_count(home_care_teams, "home_care_teams"),
        enough=bool(enough),
        note=note.strip(),
        entered_by_id=assignment.user_id,
        entered_at=clock.now(),
    )
    levels_compute_path(unit=unit)
    return entry


def _bands(value) -> list:
    ok = (
        isinstance(value, list)
        and len(value) == 3
        and all(isinstance(v, int | float) and not isinstance(v, bool) and 0 < v <= 100_000 for v in value)
        and value[0] < value[1] < value[2]
    )
    if not ok:
        raise RiskError(_("Case bands are three increasing numbers per 100,000 people."), field="case_bands")
    return value


def _coverage(value) -> dict:
    limits = {"older_age": (18, 100), "adult_age": (12, 100), "older_threshold": (0, 100),
              "adult_threshold": (0, 100)}  # fmt: skip
    if not isinstance(value, dict) or not value or set(value) - limits.keys():
        raise RiskError(
            _("Coverage takes older_age, older_threshold, adult_age and adult_threshold."),
            field="coverage",
        )
    for name, number in value.items():
        low, high = limits[name]
        if number is None and name == "adult_threshold":
            continue
        if not isinstance(number, int | float) or isinstance(number, bool) or not low <= number <= high:
            bounds = {"name": name, "low": low, "high": high}
            raise RiskError(_("%(name)s must be from %(low)d to %(high)d.") % bounds, field="coverage")
    return value


def _matrix(value) -> dict:
    bands = {"1", "2", "3", "4"}
    ok = (
        isinstance(value, dict)
        and set(value) == bands
        and all(isinstance(row, dict) and set(row) == {"high", "low"} for row in value.values())
        and all(v in (1, 2, 3, 4) and not isinstance(v, bool) for row in value.values() for v in row.values())
    )
    if not ok:
        raise RiskError(_("The matrix gives a level 1 to 4 for bands 1 to 4, high and low."), field="matrix")
    return value


def _days(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 60:
        raise RiskError(_("The green-zone window is 1 to 60 days."), field="green_zone_days")
    return value


_CHECKS = {"case_bands": _bands, "coverage": _coverage, "matrix": _matrix, "green_zone_days": _days}


def adjustment_values_check(values: dict) -> dict:
    if not isinstance(values, dict) or not values:
        raise RiskError(_("Change at least one threshold."), field="values")
    unknown = set(values) - set(rules.ADJUSTABLE)
    if unknown:
        raise RiskError(
            _("A province may adjust only: %(names)s.") % {"names": ", ".join(rules.ADJUSTABLE)},
            field="values",
        )
    return {name: _CHECKS[name](value) for name, value in values.items()}


@transaction.atomic
def adjustment_set(*, assignment, values: dict, reason: str, effective_from: dt.date) -> ProvinceAdjustment:
    """A province official sets their province's thresholds from `effective_from` on, with a reason
    (Resolution 128/NQ-CP lets a province adjust the criteria). The row is its own audit record (who,
    when, why, what); a later change is a new row. The province's levels from that day up to today
    are recomputed."""
    _require(assignment, "risk.adjust")
    province = assignment.unit
    if province.level != UnitKind.PROVINCE:
        raise Forbidden(_("Only a province's officials adjust its thresholds."), code="not_a_province")
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise RiskError(_("Give the reason (1 to 1,000 characters)."), field="reason")
    today = clock.today()
    if not dt.date(2021, 1, 1) <= effective_from <= today + dt.timedelta(days=365):
        raise RiskError(_("The date must be from 2021 to a year from now."), field="effective_from")
    adjustment = ProvinceAdjustment.objects.create(
        province=province,
        values=adjustment_values_check(values),
        reason=reason,
        effective_from=effective_from,
        set_by_id=assignment.user_id,
        set_at=clock.now(),
    )
    if counters.counted_ever() and counters.ages_missing(ages=_ages(policy(at=today).values, [adjustment])):
        counters.population_recount(ages=counted_ages(), within=province)  # an age group not counted yet
    if effective_from <= today:
        levels_compute(on=today, within=province)
    return adjustment


@transaction.atomic
def care_need_note(*, assignment, person_qid: str, kind: str, note: str = "") -> CareNeed:
    """A commune official notes that a person needs priority care (chronic illness, pregnancy...). The
    person must be in reach; reading them is audited. Noting the same need again changes nothing."""
    _require(assignment, "risk.households")
    if kind not in CareNeedKind.values:
        raise RiskError(_("Unknown kind of care need."), field="kind")
    if len(note) > NOTE_MAX:
        raise RiskError(_("The note is too long (200 characters at most)."), field="note")
    person = identity_selectors.person_get(
        assignment=assignment,
        qid=person_qid,
        purpose=Purpose.EPIDEMIC_CONTROL,
        action="risk.households",
        fields=["full_name", "care_need"],
    )
    existing = CareNeed.objects.active().filter(person=person, kind=kind).first()
    if existing is not None:
        return existing
    return CareNeed.objects.create(
        person=person, kind=kind, note=note.strip(), noted_by_id=assignment.user_id, noted_at=clock.now()
    )


@transaction.atomic
def care_need_end(*, assignment, person_qid: str, kind: str) -> int:
    """The need is over (a birth, a recovery): it stops counting from now. Returns how many ended."""
    _require(assignment, "risk.households")
    person = identity_selectors.person_get(
        assignment=assignment,
        qid=person_qid,
        purpose=Purpose.EPIDEMIC_CONTROL,
        action="risk.households",
        fields=["full_name", "care_need"],
    )
    return CareNeed.objects.active().filter(person=person, kind=kind).update(ended_at=clock.now())


def levels_compute_for(*, assignment, unit_code: str | None, on: dt.date) -> int:
    """An official recomputes the levels inside their unit (or one inside it) for a day up to today."""
    _require(assignment, "risk.capacity")
    unit = _unit_in_reach(assignment=assignment, unit_code=unit_code)
    if on > clock.today():
        raise RiskError(_("Levels are computed for today or past days."), field="on")
    return levels_compute(on=on, within=unit)
