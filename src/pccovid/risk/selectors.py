"""Reads of epidemic levels, for officials, citizens and the other apps (map, reports, dashboard).

Levels are aggregates (counts per unit), not personal reads: no audit; on citizens' pages every count under
5 is suppressed (`public_unit_levels`). Households and their members are personal data: only
`households_at_risk`, with "risk.households", audited per member shown.

A unit without a stored level for the day is shown "not computed" (level 0, grey): reads never compute
(a GET does not write); `pccovid risk_compute`, the incremental recompute on each case, dose and test, and
the "compute now" button of the levels page write them.
"""

import contextlib
import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from pccovid.audit import services as audit_services
from pccovid.core import clock
from pccovid.core.errors import NotFound
from pccovid.geography import selectors as geography_selectors
from pccovid.geography.models import AdminUnit, Edition
from pccovid.geography.models import Level as UnitKind
from pccovid.identity import selectors as identity_selectors
from pccovid.quarantine import selectors as quarantine_selectors
from pccovid.risk import rules
from pccovid.risk.models import Capacity, CareNeed, Level, ProvinceAdjustment, UnitLevel
from pccovid.rules import services as rule_services
from pccovid.tracing import selectors as tracing_selectors
from pccovid.vaccination import selectors as vaccination_selectors

NOT_COMPUTED = 0
SUPPRESS_BELOW = 5
HISTORY_DAYS = 14
# Figures that count people: suppressed (None) under 5 on citizens' pages, with the rates made from them.
COUNT_FIGURES = (
    "registered_people", "community_cases_week", "cases_week", "imported_week", "in_quarantine_week",
    "community_cases_green_window", "older_people", "older_dosed", "adult_people", "adult_dosed", "f1_active",
)  # fmt: skip
DERIVED = {
    "community_per_100k": "community_cases_week",
    "older_coverage": "older_dosed",
    "adult_coverage": "adult_dosed",
}
HOUSEHOLD_FIELDS = ["full_name", "birth_date", "household", "risk.household_class"]


@dataclass(frozen=True)
class UnitLevelView:
    unit_code: str
    unit_name: str
    unit_level: str  # "province" | "district" | "commune" | "group"
    on: dt.date
    level: int  # 1-4; 0 = not computed
    level_name: str
    colour: str  # "green" | "yellow" | "orange" | "red" | "grey" (not computed)
    figures: dict
    reason: str
    rules_version: str


@dataclass(frozen=True)
class LevelChange:
    unit_code: str
    unit_name: str
    unit_level: str
    on: dt.date
    old_level: int
    new_level: int


@dataclass(frozen=True)
class HouseholdMemberView:
    qid: str
    full_name: str
    age: int
    flags: list[str]  # "f0", "isolation", "quarantine", "f1", "unvaccinated", "care:<kind>"


@dataclass(frozen=True)
class HouseholdRiskView:
    household_code: str
    address_line: str
    unit_code: str
    unit_name: str
    risk_class: str  # "f0" | "f1" | "priority_care"
    class_label: str
    reasons: list[str]
    members: list[HouseholdMemberView]


# The "why" ---------------------------------------------------------------------------------------------


def _shown(value) -> str:
    return _("fewer than 5") if value is None else str(value)


def _percent(value) -> str:
    return _("unknown") if value is None else f"{value} %"


def _capacity_phrase(figures: dict) -> str:
    if figures.get("capacity_enough") is None:
        return _("capacity not declared (not raised)")
    counts = {"beds": figures["beds"], "icu": figures["icu_beds"], "teams": figures["home_care_teams"]}
    if figures["capacity_enough"]:
        return _("capacity enough (%(beds)s beds, %(icu)s ICU, %(teams)s home-care teams)") % counts
    return (
        _("capacity NOT enough (%(beds)s beds, %(icu)s ICU, %(teams)s home-care teams): one level up")
        % counts
    )


def reason_render(*, level: int, cell: str, figures: dict, language: str | None = None) -> str:
    """One sentence: the figures, then the rule cell and the level. Built when read, in the reader's
    language; suppressed figures read "fewer than 5"."""
    with translation.override(language) if language else contextlib.nullcontext():
        parts = [
            _("%(cases)s community cases in the week from %(start)s")
            % {"cases": _shown(figures.get("community_cases_week")), "start": figures.get("week_start", "")},
            _("%(rate)s per 100,000 of %(population)s people: band %(band)s")
            % {
                "rate": _shown(figures.get("community_per_100k")),
                "population": figures.get("population"),
                "band": figures.get("case_band"),
            },
            _("first dose: %(older)s of people aged %(age)s+, %(adult)s of adults (coverage %(coverage)s)")
            % {
                "older": _percent(figures.get("older_coverage")),
                "age": figures.get("older_age"),
                "adult": _percent(figures.get("adult_coverage")),
                "coverage": _("high") if figures.get("coverage_high") else _("low"),
            },
            _capacity_phrase(figures),
            _("green zone: no community case in %(days)s days") % {"days": figures.get("green_zone_days")}
            if figures.get("green_zone")
            else _("%(n)s community cases in the last %(days)s days")
            % {
                "n": _shown(figures.get("community_cases_green_window")),
                "days": figures.get("green_zone_days"),
            },
        ]
        if "f1_active" in figures and (figures["f1_active"] is None or figures["f1_active"]):  # groups only
            parts.append(_("%(n)s active F1 contacts") % {"n": _shown(figures.get("f1_active"))})
        return (
            "; ".join(parts) + ". " + _("Rule: %(cell)s, level %(level)s.") % {"cell": cell, "level": level}
        )


# Views of stored levels ----------------------------------------------------------------------------------


def _rules_version(row: UnitLevel) -> str:
    if row.adjustment_id is None:
        return row.rules_version
    return _("%(version)s, adjusted by the province from %(day)s (%(reason)s)") % {
        "version": row.rules_version,
        "day": row.adjustment.effective_from.isoformat(),
        "reason": row.adjustment.reason,
    }


def suppress(figures: dict) -> dict:
    """Citizens' copy: counts under 5 become None, and the rates made from them."""
    shown = dict(figures)
    for name in COUNT_FIGURES:
        value = shown.get(name)
        if isinstance(value, int) and value < SUPPRESS_BELOW:
            shown[name] = None
    for rate, count in DERIVED.items():
        if shown.get(count) is None:
            shown[rate] = None
    for name in ("older_people", "adult_people"):  # a small denominator makes its share a count
        if shown.get(name) is None:
            shown[name.replace("people", "coverage")] = None
    return shown


def _view(unit: AdminUnit, on: dt.date, row: UnitLevel | None, *, public: bool = False) -> UnitLevelView:
    if row is None:
        return UnitLevelView(
            unit.code, unit.name, unit.level, on, NOT_COMPUTED, _("Not computed"), "grey", {},
            _("No level computed for this day."), "",
        )  # fmt: skip
    figures = suppress(row.figures) if public else row.figures
    return UnitLevelView(
        unit_code=unit.code,
        unit_name=unit.name,
        unit_level=unit.level,
        on=on,
        level=row.level,
        level_name=str(Level(row.level).label),
        colour=rules.COLOURS[row.level],
        figures=figures,
        reason=reason_render(level=row.level, cell=row.cell, figures=figures),
        rules_version=_rules_version(row),
    )


def _rows(unit_ids: list[int], on: dt.date) -> dict[int, UnitLevel]:
    rows = UnitLevel.objects.filter(unit_id__in=unit_ids, on=on).select_related("adjustment")
    return {row.unit_id: row for row in rows}


def _views(units: list[AdminUnit], on: dt.date, *, public: bool = False) -> list[UnitLevelView]:
    rows = _rows([u.pk for u in units], on)
    return [_view(u, on, rows.get(u.pk), public=public) for u in units]


def unit_in_reach(*, assignment, unit_code: str | None, action: str = "risk.view") -> AdminUnit:
    """The assignment's unit, or one inside it; NotFound when absent, outside, or the role cannot `action`."""
    if assignment is None or not assignment.allows(action):
        raise NotFound()
    if not unit_code:
        return assignment.unit
    unit = geography_selectors.unit_get(edition=assignment.unit.edition, code=unit_code.strip()[:20])
    if not unit.path.startswith(assignment.unit.path):
        raise NotFound()
    return unit


def unit_levels(*, assignment, unit_code: str | None, on: dt.date) -> list[UnitLevelView]:
    """The direct children of the unit (default: the assignment's) with their level on `on`. Two queries."""
    unit = unit_in_reach(assignment=assignment, unit_code=unit_code)
    return _views(list(geography_selectors.unit_children(unit)), on)


def unit_level(*, assignment, unit_code: str, on: dt.date) -> UnitLevelView:
    """One unit with its figures and the "why"."""
    unit = unit_in_reach(assignment=assignment, unit_code=unit_code)
    return _views([unit], on)[0]


def unit_history(
    *, assignment, unit_code: str, end: dt.date, days: int = HISTORY_DAYS
) -> list[UnitLevelView]:
    """The unit's level on each of the `days` days ending on `end`, oldest first."""
    unit = unit_in_reach(assignment=assignment, unit_code=unit_code)
    start = end - dt.timedelta(days=days - 1)
    rows = {
        row.on: row
        for row in UnitLevel.objects.filter(unit=unit, on__gte=start, on__lte=end).select_related(
            "adjustment"
        )
    }
    return [_view(unit, day, rows.get(day)) for day in (start + dt.timedelta(days=i) for i in range(days))]


def public_unit_levels(*, unit_code: str, on: dt.date, edition: str = Edition.CURRENT) -> list[UnitLevelView]:
    """For citizens: the children of a unit (a province, commune...) with their levels, counts under 5
    suppressed; no households. NotFound for an unknown code."""
    unit = geography_selectors.unit_get(edition=edition, code=(unit_code or "").strip()[:20])
    return _views(list(geography_selectors.unit_children(unit)), on, public=True)


def public_unit_level(*, unit_code: str, on: dt.date, edition: str = Edition.CURRENT) -> UnitLevelView:
    unit = geography_selectors.unit_get(edition=edition, code=(unit_code or "").strip()[:20])
    return _views([unit], on, public=True)[0]


def levels_by_unit_id(*, unit_ids: list[int], on: dt.date) -> dict[int, UnitLevelView]:
    """For the map's GeoJSON: every existing unit asked for, "not computed" where no row exists. Officials'
    figures (callers that serve citizens use `suppress` on them)."""
    units = list(AdminUnit.objects.filter(pk__in=list(unit_ids)).order_by("path"))
    return {u.pk: v for u, v in zip(units, _views(units, on), strict=True)}


def level_changes(*, unit: AdminUnit, start: dt.date, end: dt.date) -> list[LevelChange]:
    """Days in `start`..`end` when a unit inside `unit` (itself included, any depth except residential
    groups) had a level different from its level the day before, by day then unit path. A day with no row
    before it is not a change. Aggregates: callers check their own roles."""
    rows = (
        UnitLevel.objects.filter(
            unit__edition=unit.edition,
            unit__path__startswith=unit.path,
            on__gte=start - dt.timedelta(days=1),
            on__lte=end,
        )
        .exclude(unit__level=UnitKind.RESIDENTIAL_GROUP)
        .select_related("unit")
        .order_by("unit__path", "on")
    )
    changes, previous = [], None
    for row in rows:
        follows = (
            previous and previous.unit_id == row.unit_id and previous.on == row.on - dt.timedelta(days=1)
        )
        if follows and previous.level != row.level and row.on >= start:
            u = row.unit
            changes.append(LevelChange(u.code, u.name, u.level, row.on, previous.level, row.level))
        previous = row
    return sorted(changes, key=lambda c: (c.on, c.unit_code))


# Entries shown on the pages --------------------------------------------------------------------------------


def capacity_latest(*, assignment, unit_code: str | None) -> Capacity | None:
    unit = unit_in_reach(assignment=assignment, unit_code=unit_code)
    return Capacity.objects.filter(unit=unit).order_by("-entered_at", "-pk").first()


def adjustments_of(*, assignment) -> QuerySet[ProvinceAdjustment]:
    """The adjustments of the assignment's province (every official of it may read them)."""
    unit = unit_in_reach(assignment=assignment, unit_code=None)
    province = geography_selectors.unit_ancestors(unit).first() or unit
    return (
        ProvinceAdjustment.objects.filter(province=province)
        .select_related("set_by")
        .order_by("-effective_from", "-set_at")
    )


def rules_in_force(*, on: dt.date | None = None) -> dict:
    ruleset = rule_services.current(rules.DOMAIN, at=on or clock.today())
    return {"version": ruleset.version, "source": ruleset.source, "values": ruleset.values}


# Households (personal data) -------------------------------------------------------------------------------


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _member_flags(person, on: dt.date, facts: dict, priority_age: int) -> list[str]:
    flags = []
    if person.pk in facts["f0"]:
        flags.append("f0")
    order = facts["orders"].get(person.pk)
    if order:
        flags.append(order)
    if person.pk in facts["f1"]:
        flags.append("f1")
    needs = facts["needs"].get(person.pk, [])
    if person.pk not in facts["dosed"]:
        flags.append("unvaccinated")
    flags.extend(f"care:{kind}" for kind in needs)
    return flags


def _classes(flags: list[str], age: int, priority_age: int) -> set[str]:
    found = set()
    if "f0" in flags or "isolation" in flags:
        found.add("f0")
    if "f1" in flags or "quarantine" in flags:
        found.add("f1")
    needs_care = age >= priority_age or any(f.startswith("care:") for f in flags)
    if "unvaccinated" in flags and needs_care:
        found.add("priority_care")
    return found


CLASS_LABELS = {
    "f0": "An F0 (case) at home or in isolation",
    "f1": "An F1 in quarantine",
    "priority_care": "Unvaccinated and needing priority care",
}


def _facts(person_ids: list[int], on: dt.date) -> dict:
    needs: dict[int, list[str]] = {}
    for person_id, kind in (
        CareNeed.objects.active().filter(person_id__in=person_ids).values_list("person_id", "kind")
    ):
        needs.setdefault(person_id, []).append(kind)
    return {
        "f0": tracing_selectors.persons_with_open_case(person_ids=person_ids),
        "f1": tracing_selectors.persons_active_f1(person_ids=person_ids),
        "orders": quarantine_selectors.persons_under_order(person_ids=person_ids),
        "dosed": vaccination_selectors.persons_with_dose(person_ids=person_ids, on=on),
        "needs": needs,
    }


def households_at_risk(*, assignment, unit_code: str, purpose: str) -> list[HouseholdRiskView]:
    """Households of one residential group or commune with a risk class (an F0, an F1 in quarantine, an
    unvaccinated member aged 65+ or with a care need), highest class first. Needs "risk.households"; each
    member listed is recorded in their audit trail."""
    audit_services.purpose_check(purpose)
    unit = unit_in_reach(assignment=assignment, unit_code=unit_code, action="risk.households")
    if unit.level not in (UnitKind.RESIDENTIAL_GROUP, UnitKind.COMMUNE):
        raise NotFound(_("Households are listed for one commune or residential group."))
    on = clock.today()
    priority_age = rule_services.current(rules.DOMAIN, at=on).values["priority_age"]
    people = identity_selectors.household_members_within(
        assignment=assignment, unit=unit, action="risk.households"
    )
    facts = _facts([p.pk for p in people], on)
    by_household: dict[int, list] = {}
    for person in people:
        by_household.setdefault(person.household_id, []).append(person)
    views, shown = [], []
    for members in by_household.values():
        view = _household_view(members, on, facts, priority_age)
        if view is not None:
            views.append(view)
            shown.extend(members)
    audit_services.personal_data_reads_record(
        assignment=assignment, persons=shown, fields=HOUSEHOLD_FIELDS, purpose=purpose
    )
    order = {name: i for i, name in enumerate(rules.HOUSEHOLD_CLASSES)}
    return sorted(views, key=lambda v: (order[v.risk_class], v.household_code))


def _household_view(members: list, on: dt.date, facts: dict, priority_age: int) -> HouseholdRiskView | None:
    member_views, classes, reasons = [], set(), []
    for person in members:
        age = _age(person.birth_date, on)
        flags = _member_flags(person, on, facts, priority_age)
        found = _classes(flags, age, priority_age)
        classes |= found
        reasons.extend(f"{person.full_name}: {_(CLASS_LABELS[c])}" for c in sorted(found))
        member_views.append(HouseholdMemberView(person.qid, person.full_name, age, flags))
    risk_class = rules.household_class(classes)
    if risk_class == "none":
        return None
    household, unit = members[0].household, members[0].residence_unit
    return HouseholdRiskView(
        household_code=household.code,
        address_line=household.address_line,
        unit_code=unit.code,
        unit_name=unit.name,
        risk_class=risk_class,
        class_label=_(CLASS_LABELS[risk_class]),
        reasons=reasons,
        members=member_views,
    )
