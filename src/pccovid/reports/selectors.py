"""Reports generated from the records: any form, any unit (province, district, commune, residential group,
or the nation), any day or week.

`report_compute` is the one computation: each source selector of the form is called ONCE for the unit
(counts per unit id at any depth below it), and the counts are rolled up in Python to the unit and to
each of its direct children with the same definitions, so a province's figure is the sum of its
communes' by construction. Entered fields come from the units' entries: a unit's own value when it entered
one, otherwise the sum of its children's. The query count does not grow with the number of units.

`report_build` is what officials call: the unit must lie inside their assignment's unit (otherwise "not
found"), and the role must read reports (`report.view`). Aggregates, not personal reads: no audit.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pccovid.core import clock
from pccovid.core.errors import ApplicationError, NotFound
from pccovid.core.querysets import units_within
from pccovid.geography import selectors as geography_selectors
from pccovid.reports import rules, sources
from pccovid.reports.models import ReportEntry, Submission
from pccovid.reports.rules import Field, Form

FIRST_DAY = dt.date(2020, 1, 1)  # no COVID-19 report before 2020
NATION_CODE = "VN"
Number = int | float | None


@dataclass(frozen=True)
class Nation:
    """The whole country as a report unit: every province of one edition of the map. No official acts for
    it (there is no national role yet); the benchmark and exports to the Ministry compute it."""

    edition: str
    pk: None = None
    code: str = NATION_CODE
    name: str = gettext_lazy("Viet Nam")
    level: str = "nation"
    path: str = ""
    population: int | None = None


@dataclass
class Row:
    """One unit's figures: the report's unit, or one of its direct children."""

    code: str
    name: str
    level: str
    figures: dict[str, Number]


@dataclass
class Report:
    form: Form
    unit: Any
    on: dt.date
    start: dt.date
    end: dt.date
    figures: dict[str, Number]
    children: list[Row]
    generated_at: dt.datetime
    level_changes: list = field(default_factory=list)
    entries: list[ReportEntry] = field(default_factory=list)
    submissions: list[Submission] = field(default_factory=list)
    can_submit: bool = False

    @property
    def latest(self) -> Submission | None:
        return self.submissions[0] if self.submissions else None

    @property
    def locked(self) -> bool:
        return bool(self.submissions)

    @property
    def changed_since_submission(self) -> bool:
        """The records changed after the latest submission (late results, corrections elsewhere)."""
        return bool(self.latest and self.latest.figures.get("figures") != snapshot(self)["figures"])

    @property
    def missing_entries(self) -> list[Field]:
        entered = {e.field for e in self.entries}
        return [f for f in self.form.entered_fields if f.key not in entered]


@dataclass
class _Tree:
    """The units below the report's unit: for each, the direct child of the report's unit it lies in."""

    child_of: dict[int, int | None]
    children: list[tuple[int, str, str, str, int | None]]  # pk, code, name, level, population
    parent_of: dict[int, int | None]
    depth: dict[int, int]


# --- Forms and units ------------------------------------------------------------------------------------


def forms_list() -> list[Form]:
    return list(rules.FORMS.values())


def form_get(*, key: str) -> Form:
    form = rules.FORMS.get((key or "").strip())
    if form is None:
        raise NotFound(_("No report form with this name."), field="form")
    return form


def report_day(*, on: dt.date | None) -> dt.date:
    """The day asked for (default yesterday: today's figures are not final), not in the future."""
    today = clock.today()
    on = on or today - dt.timedelta(days=1)
    if on > today:
        raise ApplicationError(_("There is no report for a day that has not begun."), field="date")
    if on < FIRST_DAY:
        raise ApplicationError(_("Reports start on 1 January 2020."), field="date")
    return on


def report_unit(*, assignment, unit_code: str | None = None):
    """The unit whose report the assignment reads: its own, or one inside it; absent or outside: not
    found. A role that does not read reports finds nothing either."""
    if assignment is None or not assignment.active or not assignment.allows("report.view"):
        raise NotFound()
    code = (unit_code or "").strip()
    if not code or code == assignment.unit.code:
        return assignment.unit
    if len(code) > 20 or not code.replace(".", "").isalnum():
        raise NotFound(field="unit")
    unit = geography_selectors.unit_get(edition=assignment.unit.edition, code=code)
    if not unit.path.startswith(assignment.unit.path):
        raise NotFound(field="unit")
    return unit


def may_submit(*, assignment, unit) -> bool:
    """Only the unit's own officials, with a role that submits, submit (and enter) its report."""
    return assignment.allows("report.submit") and getattr(unit, "pk", None) == assignment.unit_id


def units_in_reach(*, assignment) -> list:
    """The assignment's unit and the units directly below it: the report index's choices."""
    unit = assignment.unit
    return [unit, *geography_selectors.unit_children(unit)[:500]]


# --- The computation ------------------------------------------------------------------------------------


def _tree(unit) -> _Tree:
    rows = list(
        geography_selectors.unit_descendants(unit).values_list(
            "pk", "code", "name", "level", "path", "parent_id", "population"
        )
    )
    child_by_path = {}
    children = []
    for pk, code, name, level, path, _parent_id, population in rows:
        if path.count("/") == unit.path.count("/") + 1:
            child_by_path[path] = pk
            children.append((pk, code, name, level, population))
    child_of: dict[int, int | None] = {}
    parent_of: dict[int, int | None] = {}
    depth: dict[int, int] = {}
    prefix = len(unit.path)
    for pk, _code, _name, _level, path, parent_id, _population in rows:
        head = path[prefix:].split("/", 1)[0]
        child_of[pk] = child_by_path.get(f"{unit.path}{head}/")
        parent_of[pk] = parent_id
        depth[pk] = path.count("/")
    if unit.pk is not None:
        child_of[unit.pk] = None
    children.sort(key=lambda c: c[1])
    return _Tree(child_of=child_of, children=children, parent_of=parent_of, depth=depth)


def _resolve(selector: str | Callable) -> Callable:
    return import_string(selector) if isinstance(selector, str) else selector


def _platform_figures(form: Form, unit, start: dt.date, end: dt.date, tree: _Tree):
    """Sum of every counted field, for the unit and per direct child (None: counted on the unit itself)."""
    by_selector: dict[Any, list[Field]] = defaultdict(list)
    for f in form.fields:
        if f.selector is not None:
            by_selector[f.selector].append(f)
    total = {f.key: 0 for fields in by_selector.values() for f in fields}
    per_child: dict[int | None, dict[str, int]] = defaultdict(lambda: dict.fromkeys(total, 0))
    for selector, fields in by_selector.items():
        for unit_id, values in _resolve(selector)(unit, start, end).items():
            if unit_id not in tree.child_of:
                continue  # not inside the unit (a selector must not return it; ignored if it does)
            bucket = per_child[tree.child_of[unit_id]]
            for f in fields:
                value = values.get(f.value, 0)
                bucket[f.key] += value
                total[f.key] += value
    return total, per_child


def _latest_entries(form: Form, start: dt.date, unit) -> dict[int, dict[str, ReportEntry]]:
    """The latest entry per unit and field, for the units inside `unit` (any depth)."""
    latest: dict[int, dict[str, ReportEntry]] = defaultdict(dict)
    entries = ReportEntry.objects.filter(
        form=form.key, period_start=start, unit_id__in=units_within(unit)
    ).order_by("at", "pk")
    for entry in entries.select_related("entered_by"):
        latest[entry.unit_id][entry.field] = entry
    return latest


def _entered_figures(form: Form, unit, tree: _Tree, latest: dict[int, dict[str, ReportEntry]]):
    """Each unit's own entry, otherwise the sum of its children's values (None: nobody entered one)."""
    keys = [f.key for f in form.entered_fields]
    values: dict[int | None, dict[str, int | None]] = {}
    below: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent in tree.parent_of.items():
        below[parent if parent in tree.parent_of or parent == unit.pk else unit.pk].append(pk)
    for pk in sorted(tree.parent_of, key=lambda p: -tree.depth[p]):
        values[pk] = _entered_value(keys, latest.get(pk, {}), [values[c] for c in below[pk]])
    own = latest.get(unit.pk, {}) if unit.pk is not None else {}
    values[unit.pk] = _entered_value(keys, own, [values[c] for c in below[unit.pk]])
    return values


def _entered_value(keys: list[str], own: dict[str, ReportEntry], children: list[dict]) -> dict:
    result: dict[str, int | None] = {}
    for key in keys:
        if key in own:
            result[key] = own[key].value
            continue
        given = [child[key] for child in children if child[key] is not None]
        result[key] = sum(given) if given else None
    return result


def _derived(form: Form, figures: dict[str, Number], population: int | None) -> dict[str, Number]:
    for f in form.fields:
        if f.rollup == "own":
            figures[f.key] = population
    for f in form.fields:
        if f.rate_of:
            numerator, denominator = (figures.get(k) for k in f.rate_of)
            figures[f.key] = round(100_000 * numerator / denominator, 1) if denominator else None
    return figures


def _ordered(form: Form, figures: dict[str, Number]) -> dict[str, Number]:
    return {f.key: figures.get(f.key) for f in form.fields}


def report_compute(*, form: Form, unit, on: dt.date) -> Report:
    """The report of `unit` (an AdminUnit, or `Nation(edition)`) for the period of `form` containing
    `on`. Internal: no jurisdiction check (`report_build` is the officials' entry)."""
    start, end = form.period(on)
    tree = _tree(unit)
    total, per_child = _platform_figures(form, unit, start, end, tree)
    latest = _latest_entries(form, start, unit)
    entered = _entered_figures(form, unit, tree, latest)
    rows = []
    for pk, code, name, level, population in tree.children:
        figures = {**per_child.get(pk, dict.fromkeys(total, 0)), **entered[pk]}
        rows.append(Row(code, name, level, _ordered(form, _derived(form, figures, population))))
    if None in per_child and tree.children:  # counted on the unit itself, outside every child
        own = {**per_child[None], **dict.fromkeys(entered[unit.pk])}
        rows.insert(0, Row(unit.code, str(unit.name), unit.level, _ordered(form, _derived(form, own, None))))
    population = unit.population
    if unit.pk is None:
        population = sum(c[4] or 0 for c in tree.children) or None
    figures = _ordered(form, _derived(form, {**total, **entered[unit.pk]}, population))
    own_entries = sorted(latest.get(unit.pk, {}).values(), key=lambda e: e.field) if unit.pk else []
    return Report(
        form=form,
        unit=unit,
        on=on,
        start=start,
        end=end,
        figures=figures,
        children=rows,
        generated_at=clock.now(),
        entries=own_entries,
    )


def snapshot(report: Report) -> dict:
    """What a submission freezes: the figures, the children's, and the level changes."""
    return {
        "form_version": report.form.version,
        "figures": report.figures,
        "children": [{"code": r.code, "name": r.name, "figures": r.figures} for r in report.children],
        "level_changes": [
            {"unit_code": c.unit_code, "on": c.on.isoformat(), "old": c.old_level, "new": c.new_level}
            for c in report.level_changes
        ],
    }


def submissions_of(*, unit, form: Form, start: dt.date) -> list[Submission]:
    """Every version submitted for the unit and period, newest first."""
    return list(
        Submission.objects.filter(unit=unit, form=form.key, period_start=start)
        .select_related("submitted_by")
        .order_by("-version")
    )


def report_build(*, assignment, form: str, unit_code: str | None = None, on: dt.date | None = None) -> Report:
    """The report an official reads: figures for the unit and each child, the level changes, the unit's
    own entries and its submitted versions. "Not found" outside the assignment's unit."""
    unit = report_unit(assignment=assignment, unit_code=unit_code)
    chosen = form_get(key=form)
    report = report_compute(form=chosen, unit=unit, on=report_day(on=on))
    report.level_changes = sources.level_change_list(unit, report.start, report.end)
    report.submissions = submissions_of(unit=unit, form=chosen, start=report.start)
    report.can_submit = may_submit(assignment=assignment, unit=unit)
    return report
