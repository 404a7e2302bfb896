"""Reads of vaccinations: products, a person's own doses, the facts the COVID card reads, and coverage.

Coverage is an aggregate (counts per unit and age band), not a personal read: it writes no audit row.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from pccovid.core import clock
from pccovid.core.errors import Forbidden, NotFound
from pccovid.core.querysets import units_within
from pccovid.geography import selectors as geography_selectors
from pccovid.identity.models import Person
from pccovid.rules import services as rule_services
from pccovid.vaccination import rules
from pccovid.vaccination.models import Dose, Lot, VaccinationSite, VaccineProduct


def policy(*, at: dt.date | None = None):
    return rule_services.current(rules.VACCINATION_RULES.domain, at=at)


def products_list() -> QuerySet[VaccineProduct]:
    return VaccineProduct.objects.order_by("name")


def product_by_code(*, code: str) -> VaccineProduct | None:
    return VaccineProduct.objects.filter(code=code).first()


def lot_get(*, product: VaccineProduct, number: str) -> Lot | None:
    return Lot.objects.filter(product=product, number=number).first()


def site_by_code(*, code: str) -> VaccinationSite | None:
    return VaccinationSite.objects.select_related("unit").filter(code=code).first()


def sites_in_reach(*, assignment) -> QuerySet[VaccinationSite]:
    """Sites inside the official's unit (where they may record doses)."""
    return VaccinationSite.objects.select_related("unit").filter(unit_id__in=units_within(assignment.unit))


def _with_relations(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("product", "lot", "site", "site__unit")


def doses_of(*, person) -> list[Dose]:
    """A person's own record (the citizen reading themself: no audit), in dose order."""
    return list(_with_relations(Dose.objects.filter(person=person)).order_by("dose_number"))


def series_product(doses: list[Dose]) -> VaccineProduct | None:
    """The product of dose 1 decides the primary series (mixed second doses follow its schedule)."""
    first = next((d for d in doses if d.dose_number == 1), None)
    return first.product if first else None


def vaccination_facts(*, person, on: dt.date | None = None) -> dict:
    """What the COVID card reads: first and last dose dates, how many doses, primary series complete."""
    doses = [d for d in doses_of(person=person) if on is None or d.given_on <= on]
    series = series_product(doses)
    last = max((d.dose_number for d in doses), default=0)
    return {
        "first_dose_on": min((d.given_on for d in doses), default=None),
        "last_dose_on": max((d.given_on for d in doses), default=None),
        "doses": len(doses),
        "primary_series_complete": bool(series and last >= series.doses_in_primary_series),
    }


@dataclass(frozen=True)
class CoverageRow:
    unit_code: str
    unit_name: str
    age_band: str
    population: int
    first_dose: int
    full_series: int
    booster: int

    @staticmethod
    def _percent(count: int, population: int) -> float | None:
        return round(100 * count / population, 1) if population else None

    @property
    def first_dose_percent(self) -> float | None:
        return self._percent(self.first_dose, self.population)

    @property
    def full_series_percent(self) -> float | None:
        return self._percent(self.full_series, self.population)

    @property
    def booster_percent(self) -> float | None:
        return self._percent(self.booster, self.population)


def _years_before(day: dt.date, years: int) -> dt.date:
    if day.year - years < dt.MINYEAR:
        return dt.date.min
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _age_band(on: dt.date) -> Case:
    """The age band of a person on `on`, from their birth date (born after the cut-off = younger)."""
    whens = [
        When(birth_date__gt=_years_before(on, high + 1), then=Value(label))
        for label, _low, high in rules.AGE_BANDS
        if high is not None
    ]
    return Case(*whens, default=Value(rules.AGE_BANDS[-1][0]), output_field=CharField())


def coverage_unit(*, assignment, unit_code: str | None = None):
    """The unit whose children the coverage table shows: the official's own, or one inside it."""
    if assignment is None or assignment.role not in rules.COVERAGE_ROLES or not assignment.active:
        raise Forbidden(_("Your role cannot read vaccination coverage."), code="no_permission")
    if not unit_code:
        return assignment.unit
    unit = geography_selectors.unit_get(edition=assignment.unit.edition, code=unit_code)
    if not unit.path.startswith(assignment.unit.path):
        raise NotFound()
    return unit


def coverage(*, assignment, unit_code: str | None = None, on: dt.date | None = None) -> list[CoverageRow]:
    """First dose, full series and booster counts of the people living in each child unit of `unit_code`
    (default: the official's unit), per age band, on the date `on` (default today).

    One grouped query over people (by residence unit and age band, with each person's highest dose number
    and the primary series of their first dose as correlated subqueries), then a roll-up of the small
    unit table in Python. A unit without children reports itself.
    """
    unit = coverage_unit(assignment=assignment, unit_code=unit_code)
    on = on or clock.today()
    given = Dose.objects.filter(person=OuterRef("pk"), given_on__lte=on)
    highest = given.order_by("-dose_number").values("dose_number")[:1]
    primary = given.filter(dose_number=1).values("product__doses_in_primary_series")[:1]
    grouped = (
        Person.objects.filter(residence_unit_id__in=units_within(unit))
        .annotate(
            band=_age_band(on),
            highest=Coalesce(Subquery(highest, output_field=IntegerField()), 0),
            primary=Coalesce(Subquery(primary, output_field=IntegerField()), 99),
        )
        .values("residence_unit_id", "band")
        .annotate(
            population=Count("pk"),
            first_dose=Count("pk", filter=Q(highest__gte=1)),
            full_series=Count("pk", filter=Q(highest__gte=F("primary"))),
            booster=Count("pk", filter=Q(highest__gt=F("primary"))),
        )
        .order_by()
    )
    children = list(geography_selectors.unit_children(unit).order_by("path")) or [unit]
    units_by_id = {u.pk: u.path for u in geography_selectors.unit_descendants(unit).only("pk", "path")}
    units_by_id[unit.pk] = unit.path
    counts: dict[tuple[int, str], list[int]] = {}
    children_by_path = {c.path: c for c in children}
    for row in grouped:
        path = units_by_id.get(row["residence_unit_id"], unit.path)
        below = path[len(unit.path) :].split("/", 1)[0]
        child = children_by_path.get(f"{unit.path}{below}/", unit)
        key = (child.pk, row["band"])
        totals = counts.setdefault(key, [0, 0, 0, 0])
        for i, name in enumerate(("population", "first_dose", "full_series", "booster")):
            totals[i] += row[name]
    if unit not in children and any(key[0] == unit.pk for key in counts):
        children.append(unit)  # people living in the unit itself, outside every child
    return [
        CoverageRow(child.code, child.name, label, *counts.get((child.pk, label), [0, 0, 0, 0]))
        for child in children
        for label, _low, _high in rules.AGE_BANDS
    ]


# --- Report aggregates (issue 8) ---


def dose_counts(*, unit, start: dt.date, end: dt.date) -> dict[int, dict[int, int]]:
    """Doses given on days start..end inclusive, per residence unit id of the person (any depth inside
    `unit`, not rolled up) and dose number: `{unit_id: {dose_number: doses}}`. One grouped query on the
    `given_on` index, joined to the people. An aggregate: no audit."""
    rows = (
        Dose.objects.filter(
            given_on__gte=start, given_on__lte=end, person__residence_unit_id__in=units_within(unit)
        )
        .values_list("person__residence_unit_id", "dose_number")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[int, dict[int, int]] = {}
    for unit_id, dose_number, n in rows:
        counts.setdefault(unit_id, {})[dose_number] = n
    return counts


# --- City operations (issue 8) ---


def doses_of_persons(*, person_ids: list[int]) -> dict[int, list[Dose]]:
    """The doses of many people at once (an export's chunk), in dose order, product, lot and site loaded.
    Internal: the caller restricts the people and audits the read."""
    found: dict[int, list[Dose]] = {}
    doses = _with_relations(Dose.objects.filter(person_id__in=person_ids))
    for dose in doses.order_by("person_id", "dose_number"):
        found.setdefault(dose.person_id, []).append(dose)
    return found


def dosed_person_ids() -> QuerySet:
    """Ids of the people with at least one dose, as a subquery."""
    return Dose.objects.values("person_id")


# --- Risk levels (issue 8) ---


def first_dose_counts(*, unit=None, on: dt.date, ages: tuple[int, ...]) -> dict[int, dict[str, int]]:
    """Per residence unit id (any depth inside `unit`, or everywhere when None; not rolled up): "people"
    and "dosed" (at least one dose given by `on`), and for each age in `ages` "people_<age>" and
    "dosed_<age>" (aged `age` or more on `on`). Two grouped queries (people; first doses joined to their
    person), no correlated subquery: the epidemic levels read this for every unit of the country at once.
    An aggregate: no audit."""
    cuts = {age: _years_before(on, age) for age in ages}
    people = Person.objects.all()
    doses = Dose.objects.filter(dose_number=1, given_on__lte=on)
    if unit is not None:
        people = people.filter(residence_unit_id__in=units_within(unit))
        doses = doses.filter(person__residence_unit_id__in=units_within(unit))
    counts: dict[int, dict[str, int]] = {}
    for prefix, queryset, key, birth in (
        ("people", people, "residence_unit_id", "birth_date"),
        ("dosed", doses, "person__residence_unit_id", "person__birth_date"),
    ):
        aggregates = {prefix: Count("pk")} | {
            f"{prefix}_{age}": Count("pk", filter=Q(**{f"{birth}__lte": cut})) for age, cut in cuts.items()
        }
        for row in queryset.values(key).annotate(**aggregates).order_by():
            counts.setdefault(row.pop(key), {}).update(row)
    names = ["people", "dosed", *(f"{p}_{age}" for age in ages for p in ("people", "dosed"))]
    return {unit_id: {n: row.get(n, 0) for n in names} for unit_id, row in counts.items()}


def persons_with_dose(*, person_ids, on: dt.date) -> set[int]:
    """Which of these people had at least one dose by `on`. Internal: callers audit what they show."""
    return set(
        Dose.objects.filter(person_id__in=list(person_ids), given_on__lte=on).values_list(
            "person_id", flat=True
        )
    )
