"""Reads of the city operations module: the dashboard's panels and the data-quality panel.

Every figure is an aggregate (counts per unit, per day, per source), read through the owning app's
selectors: not a personal read, no audit row, and not suppressed (officials' console, design.md). Who may
look: `operations.view` (province officials, data engineers, commune officials for their commune); a unit
outside the assignment's unit is "not found", like an absent one.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pccovid.core import clock
from pccovid.core.errors import Forbidden, NotFound
from pccovid.core.querysets import units_within
from pccovid.geography import selectors as geography_selectors
from pccovid.geography.models import Level
from pccovid.identity.models import Person
from pccovid.migration import corrections as migration_corrections
from pccovid.migration import formats as migration_formats
from pccovid.migration import selectors as migration_selectors
from pccovid.operations.errors import OperationsError
from pccovid.quarantine import selectors as quarantine_selectors
from pccovid.risk import selectors as risk_selectors
from pccovid.testing import selectors as testing_selectors
from pccovid.tracing import selectors as tracing_selectors
from pccovid.vaccination import selectors as vaccination_selectors

VIEW = "operations.view"
EXPORT = "operations.export"
DEFAULT_DAYS = 14
RANGE_CHOICES = (14, 28)
MAX_RANGE_DAYS = 366
_UNIT_CODE = re.compile(r"[0-9A-Za-z.]{1,20}")
PLACES = ("home", "facility", "hospital")

# Where each panel's figures come from, as the page and the API say it.
SOURCES = {
    "coverage": gettext_lazy(
        "Doses recorded on the platform (and legacy doses merged into it), by where people live, on the "
        "last day of the range."
    ),
    "tests": gettext_lazy(
        "Test results recorded at the test sites inside the unit, by the day the sample was taken; "
        "positive counts individual positive results (a positive pool calls for a retest)."
    ),
    "cases": gettext_lazy(
        "Open cases (F0) at the end of the last day of the range, by where the case record says the person "
        "is isolated or treated, by the unit managing the case."
    ),
    "quarantine": gettext_lazy(
        "Quarantine (F1) and isolation (F0) orders covering the last day of the range, by the unit of the "
        "order; facilities located inside the unit, with their beds."
    ),
    "levels": gettext_lazy(
        "Days when the epidemic level computed by the risk module (Resolution 128/NQ-CP) changed, for the "
        "unit and the units inside it."
    ),
    "quality": gettext_lazy(
        "Legacy import runs and their rejected rows, staged legacy records, review pairs and citizens' "
        "correction requests, counted now."
    ),
}


@dataclass(frozen=True)
class DateRange:
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def each_day(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range(self.days)]


@dataclass(frozen=True)
class DayTests:
    day: dt.date
    tests: int
    positive: int

    @property
    def positivity(self) -> float | None:
        """Percent of tests positive that day; None on a day without tests."""
        return round(100 * self.positive / self.tests, 1) if self.tests else None


@dataclass(frozen=True)
class UnitCounts:
    """One row of a per-unit table: a unit directly below the dashboard's (or the total, `code` "")."""

    code: str
    name: str
    counts: dict[str, int]


@dataclass(frozen=True)
class FacilityOccupancy:
    code: str
    name: str
    kind: str
    unit_name: str
    capacity: int
    quarantine: int
    isolation: int

    @property
    def occupied(self) -> int:
        return self.quarantine + self.isolation

    @property
    def percent(self) -> float | None:
        return round(100 * self.occupied / self.capacity, 1) if self.capacity else None


@dataclass(frozen=True)
class LevelChangeRow:
    unit_code: str
    unit_name: str
    unit_level: str
    on: dt.date
    old_level: int
    new_level: int


@dataclass(frozen=True)
class Dashboard:
    unit: object
    range: DateRange
    coverage: list
    tests: list[DayTests]
    cases: list[UnitCounts]
    quarantine: list[UnitCounts]
    facilities: list[FacilityOccupancy]
    level_changes: list[LevelChangeRow]

    @property
    def tests_total(self) -> DayTests:
        return DayTests(self.range.end, sum(d.tests for d in self.tests), sum(d.positive for d in self.tests))


@dataclass(frozen=True)
class SourceQuality:
    source: str
    name: str
    runs: int = 0
    rows_read: int = 0
    rejected: int = 0
    staged: int = 0
    unlinked: int = 0
    unplaced_unlinked: int = 0
    review: int = 0
    not_mine_open: int = 0


@dataclass(frozen=True)
class Quality:
    unit: object
    sources: list[SourceQuality]
    sites: list[tuple[str, str, int]] = field(default_factory=list)
    unplaced_shown: bool = False

    @property
    def total(self) -> SourceQuality:
        names = ("runs", "rows_read", "rejected", "staged", "unlinked", "unplaced_unlinked", "review")
        sums = {name: sum(getattr(s, name) for s in self.sources) for name in names}
        return SourceQuality("", "", **sums, not_mine_open=sum(s.not_mine_open for s in self.sources))

    @property
    def dose_missing_open(self) -> int:
        return sum(n for _code, _name, n in self.sites)


# --- Who may see which unit -----------------------------------------------------------------------------


def dashboard_unit(*, assignment, unit_code: str | None = None, action: str = VIEW):
    """The unit the dashboard (or export) is about: the assignment's own, or one inside it.

    No `operations.view`: "not found" (the module does not exist for that role). May view but not export:
    403. A unit outside the assignment's unit, or an unknown code: "not found"."""
    if assignment is None or not (assignment.allows(VIEW) or assignment.allows(action)):
        raise NotFound()
    if not assignment.allows(action):
        raise Forbidden(
            _("Your role may look at the dashboard but not export records."), code="no_permission"
        )
    code = (unit_code or "").strip()
    if not code:
        return assignment.unit
    if not _UNIT_CODE.fullmatch(code):
        raise NotFound()
    unit = geography_selectors.unit_get(edition=assignment.unit.edition, code=code)
    if not unit.path.startswith(assignment.unit.path):
        raise NotFound()
    return unit


def date_range(
    *, start: dt.date | None = None, end: dt.date | None = None, days: int | None = None
) -> DateRange:
    """The range a dashboard shows: `start`..`end` inclusive, or the `days` days ending `end` (default
    today, 14 days). Refused: an end before the start, more than 366 days."""
    end = end or clock.today()
    if start is None:
        start = end - dt.timedelta(days=(days or DEFAULT_DAYS) - 1)
    if end < start:
        raise OperationsError(_("The end date is before the start date."), field="end")
    chosen = DateRange(start, end)
    if chosen.days > MAX_RANGE_DAYS:
        raise OperationsError(
            _("Choose a range of at most %(days)d days.") % {"days": MAX_RANGE_DAYS}, field="start"
        )
    return chosen


# --- The dashboard --------------------------------------------------------------------------------------


def _per_child(unit, children: list[tuple[int, str, str]], counts_by_unit: dict, names: tuple) -> list:
    """Counts kept per unit id (any depth) rolled up to the unit's children, as table rows."""
    rolled = geography_selectors.counts_by_child(unit=unit, counts_by_unit=counts_by_unit)
    return _rows_of_rolled(unit, children, rolled, names)


def tests_per_day(*, unit, chosen: DateRange) -> list[DayTests]:
    """Every day of the range, days without a sample included (zeros)."""
    found = {
        day: (tests, positive)
        for day, tests, positive in testing_selectors.tests_by_day(
            unit=unit, start=chosen.start, end=chosen.end
        )
    }
    return [DayTests(day, *found.get(day, (0, 0))) for day in chosen.each_day()]


def level_changes(*, unit, chosen: DateRange) -> list[LevelChangeRow]:
    """The risk module's level changes of the units inside the unit (itself included) during the range."""
    return [
        LevelChangeRow(c.unit_code, c.unit_name, c.unit_level, c.on, c.old_level, c.new_level)
        for c in risk_selectors.level_changes(unit=unit, start=chosen.start, end=chosen.end)
    ]


def dashboard(*, assignment, unit_code: str | None = None, chosen: DateRange) -> Dashboard:
    """Every panel of the city dashboard for the unit, over the range (coverage, cases, quarantine and
    facilities on its last day). About a dozen grouped queries, however large the city."""
    unit = dashboard_unit(assignment=assignment, unit_code=unit_code)
    children = list(geography_selectors.unit_children(unit).values_list("pk", "code", "name"))
    quarantine_counts = quarantine_selectors.order_counts(unit=unit, on=chosen.end)
    return Dashboard(
        unit=unit,
        range=chosen,
        coverage=vaccination_selectors.coverage(assignment=assignment, unit_code=unit.code, on=chosen.end),
        tests=tests_per_day(unit=unit, chosen=chosen),
        cases=_per_child(
            unit, children, tracing_selectors.open_cases_by_place(unit=unit, on=chosen.end), PLACES
        ),
        quarantine=_rows_of_rolled(unit, children, quarantine_counts, ("in_quarantine", "in_isolation")),
        facilities=[
            FacilityOccupancy(unit_name=row.pop("unit__name"), **row)
            for row in quarantine_selectors.facility_occupancy(unit=unit, on=chosen.end)
        ],
        level_changes=level_changes(unit=unit, chosen=chosen),
    )


def _rows_of_rolled(unit, children, rolled: dict, names: tuple) -> list[UnitCounts]:
    """Counts rolled up to the unit's children as rows: every child, zeros included (a quiet ward shows as
    quiet), the unit itself first when it has counts of its own, then the total (`code` "")."""
    rows = list(children) or [(unit.pk, unit.code, unit.name)]
    if children and unit.pk in rolled:
        rows.insert(0, (unit.pk, unit.code, unit.name))
    table = [
        UnitCounts(code, name, {n: rolled.get(pk, {}).get(n, 0) for n in names}) for pk, code, name in rows
    ]
    return [*table, UnitCounts("", "", {n: sum(row.counts[n] for row in table) for n in names})]


def coverage_by_child(coverage: list) -> list[tuple[str, str, int, int, float | None]]:
    """The coverage rows summed over the age bands: (code, name, population, full series, percent), for the
    bars."""
    totals: dict[tuple[str, str], list[int]] = {}
    for row in coverage:
        sums = totals.setdefault((row.unit_code, row.unit_name), [0, 0])
        sums[0] += row.population
        sums[1] += row.full_series
    return [
        (code, name, population, full, round(100 * full / population, 1) if population else None)
        for (code, name), (population, full) in totals.items()
    ]


# --- Exports ---------------------------------------------------------------------------------------------


def _exported(unit):
    """People living inside `unit` with at least one dose or test result (the export's rows)."""
    recorded = Q(pk__in=vaccination_selectors.dosed_person_ids()) | Q(
        pk__in=testing_selectors.tested_person_ids()
    )
    return Person.objects.filter(residence_unit_id__in=units_within(unit)).filter(recorded)


def export_persons(*, unit, after: int, limit: int) -> list:
    """The next `limit` people of the export by primary key after `after` (keyset pagination), residence
    and identifiers loaded. Internal: the export service audits them."""
    people = _exported(unit).filter(pk__gt=after).order_by("pk")[:limit]
    return list(people.select_related("residence_unit").prefetch_related("identifiers"))


def export_count(*, unit) -> int:
    return _exported(unit).count()


# --- The data-quality panel -----------------------------------------------------------------------------


def quality(*, assignment, unit_code: str | None = None) -> Quality:
    """Per legacy source: rows rejected by validation (every import run: rejected rows carry no place),
    staged records of the unit not linked to a person, review pairs waiting and open "not mine" requests
    of its residents; per vaccination site inside the unit: open "a dose is missing" requests. For a
    province, also the staged records with no place at all (nobody's jurisdiction until linked)."""
    unit = dashboard_unit(assignment=assignment, unit_code=unit_code)
    rejects = migration_selectors.rejects_by_source()
    staged = migration_selectors.staged_by_source(unit=unit)
    review = migration_selectors.review_by_source(unit=unit)
    not_mine = migration_selectors.corrections_open_by_source(unit=unit)
    province = unit.level == Level.PROVINCE
    unplaced = migration_selectors.staged_unplaced_by_source() if province else {}
    sources = sorted(
        set(migration_formats.SOURCES) | set(rejects) | set(staged) | set(review) | set(not_mine)
    )
    rows = [
        SourceQuality(
            source=source,
            name=str(migration_corrections.source_name(source)) if source else _("unknown source"),
            runs=rejects.get(source, {}).get("runs", 0),
            rows_read=rejects.get(source, {}).get("rows_read", 0) or 0,
            rejected=rejects.get(source, {}).get("rejected", 0) or 0,
            staged=staged.get(source, {}).get("staged", 0),
            unlinked=staged.get(source, {}).get("unlinked", 0),
            unplaced_unlinked=unplaced.get(source, {}).get("unlinked", 0),
            review=review.get(source, 0),
            not_mine_open=not_mine.get(source, 0),
        )
        for source in sources
    ]
    sites = migration_selectors.corrections_open_by_site(unit=unit)
    return Quality(unit=unit, sources=rows, sites=sites, unplaced_shown=province)
