"""The figures behind the report fields: each function takes (unit, start, end) and returns counts per unit
id at any depth inside `unit`, not rolled up (`{unit_id: {value_key: int}}`), from ONE call to another
app's selector (one grouped query). Flows (cases, tests, doses, deaths, level changes) cover the local
days start..end; stocks (people in quarantine or isolation) are taken on `end`, or today when the period
has not ended yet. Aggregates only: nothing here reads a person."""

import datetime as dt

from pccovid.core import clock
from pccovid.geography import selectors as geography_selectors
from pccovid.quarantine import selectors as quarantine_selectors
from pccovid.testing import selectors as testing_selectors
from pccovid.tracing import selectors as tracing_selectors
from pccovid.vaccination import selectors as vaccination_selectors

Counts = dict[int, dict[str, int]]


def new_cases(unit, start: dt.date, end: dt.date) -> Counts:
    return tracing_selectors.new_case_counts(unit=unit, start=start, end=end)


def tests(unit, start: dt.date, end: dt.date) -> Counts:
    return testing_selectors.test_counts(unit=unit, start=start, end=end)


def doses(unit, start: dt.date, end: dt.date) -> Counts:
    """Doses 1 and 2 as they are; the third and every later one (boosters) together."""
    by_number = vaccination_selectors.dose_counts(unit=unit, start=start, end=end)
    return {
        unit_id: {
            "dose_1": counts.get(1, 0),
            "dose_2": counts.get(2, 0),
            "dose_3plus": sum(n for number, n in counts.items() if number >= 3),
        }
        for unit_id, counts in by_number.items()
    }


def care(unit, start: dt.date, end: dt.date) -> Counts:
    """People in quarantine (F1) and in isolation or treatment (F0) on the period's last day, by place."""
    on = min(end, clock.today())
    counts = quarantine_selectors.order_place_counts(unit=unit, on=on)
    for row in counts.values():
        row["f1_total"] = row["f1_home"] + row["f1_facility"] + row["f1_hospital"]
        row["f0_total"] = row["f0_home"] + row["f0_facility"] + row["f0_hospital"]
    return counts


def deaths(unit, start: dt.date, end: dt.date) -> Counts:
    return tracing_selectors.death_counts(unit=unit, start=start, end=end)


def level_changes(unit, start: dt.date, end: dt.date) -> Counts:
    """How many communes' levels rose or fell in the period (a commune changing twice counts twice), per
    commune, from the risk app's daily history of levels. Districts' and provinces' own levels are listed
    on the report (`level_change_list`) but not counted, so the figures add up from the communes."""
    changes = [c for c in level_change_list(unit, start, end) if c.unit_level == "commune"]
    codes = {change.unit_code for change in changes}
    ids = {}
    if codes:
        units = geography_selectors.units_list(edition=unit.edition).filter(code__in=codes)
        ids = dict(units.values_list("code", "pk"))
    counts: Counts = {}
    for change in changes:
        unit_id = ids.get(change.unit_code)
        if unit_id is None:
            continue
        row = counts.setdefault(unit_id, {"raised": 0, "lowered": 0})
        row["raised" if change.new_level > change.old_level else "lowered"] += 1
    return counts


def level_change_list(unit, start: dt.date, end: dt.date) -> list:
    """The level changes themselves (unit, day, old and new level), for the report's list."""
    from pccovid.risk import selectors as risk_selectors

    finder = getattr(risk_selectors, "level_changes", None)
    if finder is None:  # the risk app has no level history yet
        return []
    return [c for c in finder(unit=unit, start=start, end=end) if c.old_level and c.new_level != c.old_level]
