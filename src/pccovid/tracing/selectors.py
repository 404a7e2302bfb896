"""Reads of cases and contacts.

Officials: a case is in reach of the unit that manages it and the units above (`Case.objects.restrict_to`);
its contacts are seen through the case, wherever they live (each new contact living elsewhere gets an
access grant to the case's unit, so the audit trail names the case as the reason). A unit's queue lists
the contacts living there, from any case (`Contact.objects.restrict_to`). Every person shown is audited.

Other apps (no assignment, no audit, internal): `open_case_of`, `recovered_on`, `exposures_of`,
`exposed_on`, `contacts_by_ids`, and the counts per unit and day (`case_counts`, `contact_counts`,
`new_case_counts`).
"""

import datetime as dt
import re
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from pccovid.audit import services as audit_services
from pccovid.core import clock
from pccovid.core.errors import ApplicationError, NotFound
from pccovid.core.querysets import units_within
from pccovid.declarations import selectors as declarations_selectors
from pccovid.geography import selectors as geography_selectors
from pccovid.quarantine import selectors as quarantine_selectors
from pccovid.rules import services as rule_services
from pccovid.tracing.models import Case, Contact, ContactPath, ContactStatus, Outcome, PathKind

LIST_FIELDS = ["full_name", "case.code", "case.dates", "case.status"]
CASE_FIELDS = [*LIST_FIELDS, "birth_date", "residence_unit", "case.all"]
CONTACT_FIELDS = ["full_name", "residence_unit", "contact.degree", "contact.status", "contact.paths"]
QUEUE_FIELDS = ["full_name", "residence_unit", "contact.degree", "contact.status", "contact.exposure"]
LIST_MAX = 200
CASE_CODE = re.compile(r"F0-[A-Z0-9]{8}")
ACTIVE = (ContactStatus.FOUND, ContactStatus.NOTIFIED, ContactStatus.QUARANTINED)
SHOWN_TO_CITIZEN = (ContactStatus.NOTIFIED, ContactStatus.QUARANTINED, ContactStatus.RELEASED)


@dataclass(frozen=True)
class Page:
    items: list
    count: int


@dataclass(frozen=True)
class Exposure:
    """What a contact sees: when and how (a venue category, a household, a vehicle, named by a case), never
    who the case is, nor the venue's name or address."""

    on: dt.date
    kind: str
    label: str
    degree: int
    status: str
    status_label: str
    active: bool


@dataclass
class ChainNode:
    """One case of a transmission chain. `in_reach` False: a case managed elsewhere (no code shown)."""

    case: Case
    contacts: int
    in_reach: bool
    current: bool
    children: list["ChainNode"] = field(default_factory=list)


# Cases -----------------------------------------------------------------------------------------------


def _audit(*, assignment, persons, fields: list[str], purpose: str) -> None:
    unique = {p.pk: p for p in persons}
    audit_services.personal_data_reads_record(
        assignment=assignment, persons=unique.values(), fields=fields, purpose=purpose
    )


def cases_in_reach(*, assignment, action: str = "case.view") -> QuerySet[Case]:
    """The cases the assignment may see (not yet read: callers audit what they show)."""
    return Case.objects.restrict_to(assignment, action).select_related("person__residence_unit", "unit")


def case_in_reach(*, assignment, case_code: str) -> QuerySet[Case]:
    """One case as a restricted queryset (empty when absent or out of reach), not yet read. The code is
    screened first (a NUL byte must not reach PostgreSQL)."""
    if not CASE_CODE.fullmatch(case_code or ""):
        return Case.objects.none()
    return cases_in_reach(assignment=assignment).filter(code=case_code)


def cases_list(
    *, assignment, purpose: str, state: str | None = None, limit: int = 50, offset: int = 0
) -> Page:
    """Cases in reach, open ones first then newest; `state` "open" or "closed". Each person shown audited."""
    audit_services.purpose_check(purpose)
    cases = cases_in_reach(assignment=assignment).annotate(n_contacts=Count("contacts"))
    if state == "open":
        cases = cases.filter(closed_at__isnull=True)
    elif state == "closed":
        cases = cases.filter(closed_at__isnull=False)
    elif state:
        raise ApplicationError(_("State must be open or closed."), field="state")
    items = list(cases.order_by("-closed_at", "-opened_at", "-pk")[offset : offset + min(limit, LIST_MAX)])
    _audit(assignment=assignment, persons=[c.person for c in items], fields=LIST_FIELDS, purpose=purpose)
    return Page(items=items, count=cases.count())


def case_get(*, assignment, case_code: str, purpose: str) -> Case:
    """One case in full, audited; "not found" when absent or out of reach."""
    audit_services.purpose_check(purpose)
    case = case_in_reach(assignment=assignment, case_code=case_code).first()
    if case is None:
        raise NotFound()
    _audit(assignment=assignment, persons=[case.person], fields=CASE_FIELDS, purpose=purpose)
    return case


def _with_paths(contacts: QuerySet) -> QuerySet:
    paths = ContactPath.objects.select_related("via", "venue").order_by("degree", "at", "pk")
    return contacts.select_related("person__residence_unit", "unit").prefetch_related(
        Prefetch("paths", queryset=paths)
    )


def case_contacts(
    *,
    assignment,
    case_code: str,
    purpose: str,
    degree: int | None = None,
    kind: str | None = None,
    status: str | None = None,
    unit_code: str | None = None,
) -> list[Contact]:
    """The case's contacts with their evidence, closest first; filters by degree, path kind, status and the
    unit the contact lives in. Seen through the case wherever they live; each person shown audited (the
    reason is their grant to the case's unit: "contact F1 of case F0-...")."""
    audit_services.purpose_check(purpose)
    case = case_in_reach(assignment=assignment, case_code=case_code).first()
    if case is None:
        raise NotFound()
    contacts = case.contacts.all()
    if degree:
        contacts = contacts.filter(degree=degree)
    if kind:
        contacts = contacts.filter(pk__in=ContactPath.objects.filter(kind=kind).values("contact_id"))
    if status:
        contacts = contacts.filter(status=status)
    if unit_code:
        try:
            unit = geography_selectors.unit_get(edition=assignment.unit.edition, code=unit_code.strip())
        except NotFound:
            raise ApplicationError(_("No administrative unit has this code."), field="unit") from None
        contacts = contacts.filter(unit_id__in=units_within(unit))
    found = list(_with_paths(contacts).order_by("degree", "first_exposure_at", "pk")[: LIST_MAX * 10])
    _audit(assignment=assignment, persons=[c.person for c in found], fields=CONTACT_FIELDS, purpose=purpose)
    return found


def contact_get(*, assignment, case_code: str, contact_id: int, purpose: str) -> Contact:
    """One contact of a case in reach, with its evidence, audited."""
    audit_services.purpose_check(purpose)
    case = case_in_reach(assignment=assignment, case_code=case_code).first()
    contact = _with_paths(case.contacts.filter(pk=contact_id)).first() if case else None
    if contact is None:
        raise NotFound()
    _audit(assignment=assignment, persons=[contact.person], fields=CONTACT_FIELDS, purpose=purpose)
    return contact


def contacts_queue(
    *, assignment, purpose: str, status: str | None = None, limit: int = 50, offset: int = 0
) -> Page:
    """Contacts living inside the assignment's unit (as found), from any case, newest first. Each item
    carries `case_in_reach`: the case's code is shown only then."""
    audit_services.purpose_check(purpose)
    contacts = Contact.objects.restrict_to(assignment, "case.view").filter(
        unit_id__in=units_within(assignment.unit)
    )
    if status:
        contacts = contacts.filter(status=status)
    items = list(
        contacts.select_related("person__residence_unit", "case").order_by("-found_at", "-pk")[
            offset : offset + min(limit, LIST_MAX)
        ]
    )
    visible = set(
        cases_in_reach(assignment=assignment)
        .filter(pk__in={c.case_id for c in items})
        .values_list("pk", flat=True)
    )
    for contact in items:
        contact.case_in_reach = contact.case_id in visible
    _audit(assignment=assignment, persons=[c.person for c in items], fields=QUEUE_FIELDS, purpose=purpose)
    return Page(items=items, count=contacts.count())


def chain(*, assignment, case_code: str) -> ChainNode:
    """The transmission chain around a case (WHO Go.Data's chains): a case whose person was a contact of
    another case, converted to F0, is that case's child. Walks up to the root, then down to every
    descendant. Nodes carry codes and dates only (no personal data): no audit."""
    case = case_in_reach(assignment=assignment, case_code=case_code).first()
    if case is None:
        raise NotFound()
    root, seen = case, {case.pk}
    while True:
        parent = (
            Contact.objects.filter(converted_case=root)
            .exclude(case_id__in=seen)
            .select_related("case")
            .order_by("found_at", "pk")
            .first()
        )
        if parent is None:
            break
        root = parent.case
        seen.add(root.pk)
    return _descend(root, current_pk=case.pk, assignment=assignment)


def _descend(root: Case, *, current_pk: int, assignment) -> ChainNode:
    """Breadth-first from the root: three queries per generation (contacts per case, cases in reach,
    converted contacts)."""
    visible = Case.objects.restrict_to(assignment)
    nodes: dict[int, ChainNode] = {}
    children: dict[int, list[int]] = defaultdict(list)
    level, seen = [root], {root.pk}
    while level:
        ids = [c.pk for c in level]
        counts = dict(
            Contact.objects.filter(case_id__in=ids)
            .values("case_id")
            .annotate(n=Count("pk"))
            .values_list("case_id", "n")
        )
        in_reach = set(visible.filter(pk__in=ids).values_list("pk", flat=True))
        for c in level:
            nodes[c.pk] = ChainNode(
                case=c, contacts=counts.get(c.pk, 0), in_reach=c.pk in in_reach, current=c.pk == current_pk
            )
        links = (
            Contact.objects.filter(case_id__in=ids, converted_case__isnull=False)
            .select_related("converted_case")
            .order_by("converted_case__opened_at", "pk")
        )
        level = []
        for link in links:
            if link.converted_case_id not in seen:
                seen.add(link.converted_case_id)
                level.append(link.converted_case)
                children[link.case_id].append(link.converted_case_id)
    for pk, node in nodes.items():
        node.children = [nodes[child] for child in children[pk]]
    return nodes[root.pk]


# For other apps (internal: no assignment, no audit) ----------------------------------------------------


def open_case_of(*, person) -> Case | None:
    return Case.objects.filter(person=person, closed_at__isnull=True).first()


def case_by_id(*, case_id: int) -> Case | None:
    return Case.objects.select_related("person", "unit").filter(pk=case_id).first()


def recovered_on(*, person) -> dt.date | None:
    """The day the person's latest recovered case closed (a recovery within 6 months shortens quarantine)."""
    return (
        Case.objects.filter(person=person, outcome=Outcome.RECOVERED, closed_at__isnull=False)
        .order_by("-outcome_on")
        .values_list("outcome_on", flat=True)
        .first()
    )


def contacts_by_ids(*, contact_ids) -> list[Contact]:
    """Contacts with their person (residence loaded) and case, for the quarantine app's orders."""
    return list(
        Contact.objects.filter(pk__in=list(contact_ids))
        .select_related("person__residence_unit", "case", "unit")
        .order_by("pk")
    )


def _exposure_label(path: ContactPath) -> str:
    if path.kind == PathKind.COPRESENCE and path.venue is not None:
        return _("at a venue (%(category)s)") % {"category": path.venue.get_category_display()}
    return {
        PathKind.HOUSEHOLD: _("in your household"),
        PathKind.VEHICLE: _("on a flight, train or coach"),
        PathKind.DECLARED: _("named by a case"),
    }.get(path.kind, _("near a case"))


def exposures_of(*, person) -> list[Exposure]:
    """The person's exposures a tracer has told them about (notified), newest first. Case-free."""
    paths = ContactPath.objects.select_related("venue").order_by("degree", "-at", "pk")
    contacts = (
        Contact.objects.filter(person=person, notified_at__isnull=False, status__in=SHOWN_TO_CITIZEN)
        .prefetch_related(Prefetch("paths", queryset=paths))
        .order_by("-last_exposure_at", "-pk")
    )
    exposures = []
    for contact in contacts:
        closest = contact.paths.all()[0] if contact.paths.all() else None
        exposures.append(
            Exposure(
                on=clock.localdate(contact.last_exposure_at),
                kind=closest.kind if closest else "",
                label=_exposure_label(closest) if closest else _("near a case"),
                degree=contact.degree,
                status=contact.status,
                status_label=str(contact.get_status_display()),
                active=contact.status in ACTIVE,
            )
        )
    return exposures


def exposed_on(*, person) -> dt.date | None:
    """The latest day of an active exposure the person was told about (for the status card), or None."""
    last = (
        Contact.objects.filter(person=person, notified_at__isnull=False, status__in=ACTIVE)
        .order_by("-last_exposure_at")
        .values_list("last_exposure_at", flat=True)
        .first()
    )
    return clock.localdate(last) if last else None


# Counts per unit and day (issue 8 reuses them) ---------------------------------------------------------


def case_counts(*, unit, on: dt.date) -> dict[int, dict[str, int]]:
    """Per direct child of `unit` (its own id for cases on it): "f0_new" (opened that local day) and
    "f0_open" (open at the end of it). One grouped query on the (unit, opened_at) index."""
    start, end = clock.local_day_bounds(on)
    open_at_end = Q(opened_at__lt=end) & (Q(closed_at__isnull=True) | Q(closed_at__gte=end))
    new = Q(opened_at__gte=start, opened_at__lt=end)
    rows = (
        Case.objects.filter(unit_id__in=units_within(unit), opened_at__lt=end)
        .filter(new | open_at_end)
        .values("unit_id")
        .annotate(f0_new=Count("pk", filter=new), f0_open=Count("pk", filter=open_at_end))
    )
    per_unit = {r["unit_id"]: {"f0_new": r["f0_new"], "f0_open": r["f0_open"]} for r in rows}
    return geography_selectors.counts_by_child(unit=unit, counts_by_unit=per_unit)


def contact_counts(*, unit, on: dt.date) -> dict[int, dict[str, int]]:
    """Per direct child of `unit`, by where contacts live: "f1_new", "f2_new" (found that local day) and
    "f1_active", "f2_active" (found by the end of it and still found, notified or in quarantine: statuses
    are current, so for a past day "active" means "not yet released today"). One grouped query."""
    start, end = clock.local_day_bounds(on)
    new = Q(found_at__gte=start)
    active = Q(status__in=ACTIVE)
    rows = (
        Contact.objects.filter(unit_id__in=units_within(unit), found_at__lt=end)
        .filter(new | active)
        .values("unit_id")
        .annotate(
            f1_new=Count("pk", filter=new & Q(degree=1)),
            f2_new=Count("pk", filter=new & Q(degree=2)),
            f1_active=Count("pk", filter=active & Q(degree=1)),
            f2_active=Count("pk", filter=active & Q(degree=2)),
        )
    )
    per_unit = {r.pop("unit_id"): r for r in rows}
    return geography_selectors.counts_by_child(unit=unit, counts_by_unit=per_unit)


def new_case_counts(*, unit=None, start: dt.date, end: dt.date, per_day: bool = False) -> dict:
    """Cases opened on the local days `start`..`end` (inclusive) inside `unit` (everywhere when None), keyed
    by the case's unit id (any depth, not rolled up: `geography.selectors.counts_by_child` rolls up), or
    with `per_day` by (unit id, local day opened), split by origin (rules `tracing.case_origin`):
    "imported" (an entry declared with arrival in the days before), "in_quarantine" (under a quarantine or
    isolation order when opened, or a known contact who became the case), "community" (neither: what
    Resolution 128/NQ-CP's epidemic levels count), and "total". One grouped query; origins are tested in
    that order, so each case counts once."""
    window = rule_services.current("tracing.case_origin", at=end).values["imported_within_days"]
    first, _ = clock.local_day_bounds(start)
    _, last = clock.local_day_bounds(end)
    opened_on = TruncDate("opened_at", tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    known_contact = Exists(Contact.objects.filter(converted_case=OuterRef("pk")))
    cases = Case.objects.filter(opened_at__gte=first, opened_at__lt=last)
    if unit is not None:
        cases = cases.filter(unit_id__in=units_within(unit))
    rows = (
        cases.annotate(opened_on=opened_on)
        .annotate(
            imported=declarations_selectors.entered_before(
                person_ref=OuterRef("person_id"), moment_ref=OuterRef("opened_on"), within_days=window
            ),
            watched=known_contact
            | quarantine_selectors.quarantined_at(
                person_ref=OuterRef("person_id"), moment_ref=OuterRef("opened_at")
            ),
        )
        .values("unit_id", *(["opened_on"] if per_day else []))
        .annotate(
            total=Count("pk"),
            imported_n=Count("pk", filter=Q(imported=True)),
            in_quarantine=Count("pk", filter=Q(imported=False, watched=True)),
            community=Count("pk", filter=Q(imported=False, watched=False)),
        )
        .order_by()
    )
    return {
        ((row["unit_id"], row["opened_on"]) if per_day else row["unit_id"]): {
            "imported": row["imported_n"],
            "in_quarantine": row["in_quarantine"],
            "community": row["community"],
            "total": row["total"],
        }
        for row in rows
    }


COUNT_NAMES = ["f0_new", "f0_open", "f1_new", "f2_new", "f1_active", "f2_active", "in_quarantine",
               "in_isolation", "new_orders"]  # fmt: skip


@dataclass(frozen=True)
class UnitDayCounts:
    """One row of the officials' daily table: a unit below the assignment's (or the total, `code` "")."""

    code: str
    name: str
    counts: dict[str, int]


def daily_counts(*, assignment, on: dt.date) -> list[UnitDayCounts]:
    """Cases, contacts and people in quarantine or isolation on `on`, per unit directly below the
    assignment's unit (every one, zeros included, so a quiet ward shows as quiet), then the total.
    Aggregates for the officials' console: not personal reads, not suppressed (design.md)."""
    if not assignment.allows("case.view"):
        raise NotFound()
    unit = assignment.unit
    merged: dict[int, dict[str, int]] = {}
    for part in (
        case_counts(unit=unit, on=on),
        contact_counts(unit=unit, on=on),
        quarantine_selectors.order_counts(unit=unit, on=on),
    ):
        for unit_id, counts in part.items():
            merged.setdefault(unit_id, {}).update(counts)
    children = list(geography_selectors.unit_children(unit).values_list("pk", "code", "name"))
    rows = [(pk, code, name) for pk, code, name in children] or [(unit.pk, unit.code, unit.name)]
    if children and unit.pk in merged:
        rows.insert(0, (unit.pk, unit.code, unit.name))
    table = [
        UnitDayCounts(code, name, {n: merged.get(pk, {}).get(n, 0) for n in COUNT_NAMES})
        for pk, code, name in rows
    ]
    total = {n: sum(row.counts[n] for row in table) for n in COUNT_NAMES}
    return [*table, UnitDayCounts("", "", total)]


# --- Report aggregates (issue 8) ---


def death_counts(*, unit, start: dt.date, end: dt.date) -> dict[int, dict[str, int]]:
    """Deaths of cases (outcome "deceased" dated start..end inclusive) per unit id of the case (any depth
    inside `unit`, not rolled up): `{unit_id: {"deaths": n}}`. One grouped query on the case's unit index.
    An aggregate: no audit."""
    rows = (
        Case.objects.filter(
            unit_id__in=units_within(unit),
            outcome=Outcome.DECEASED,
            outcome_on__gte=start,
            outcome_on__lte=end,
        )
        .values("unit_id")
        .annotate(deaths=Count("pk"))
        .order_by()
    )
    return {row["unit_id"]: {"deaths": row["deaths"]} for row in rows}


# --- City operations (issue 8) ---


def open_cases_by_place(*, unit, on: dt.date) -> dict[int, dict[str, int]]:
    """Cases open at the end of the local day `on` by where the person is isolated or treated ("home",
    "facility", "hospital": the case's current place), per unit id of the case (any depth inside `unit`,
    not rolled up). One grouped query on the case's unit index. An aggregate: no audit."""
    from pccovid.tracing.models import IsolationPlace

    _start, end = clock.local_day_bounds(on)
    open_at_end = Q(opened_at__lt=end) & (Q(closed_at__isnull=True) | Q(closed_at__gte=end))
    counted = {place: Count("pk", filter=Q(isolation_place=place)) for place in IsolationPlace.values}
    rows = (
        Case.objects.filter(unit_id__in=units_within(unit))
        .filter(open_at_end)
        .values("unit_id")
        .annotate(**counted)
        .order_by()
    )
    return {row.pop("unit_id"): row for row in rows}


# --- Risk levels (issue 8) ---


def active_f1_counts(*, unit=None, on: dt.date) -> dict[int, int]:
    """Active F1 contacts (found, notified or in quarantine, found by the end of `on`) per the unit id they
    live in (any depth inside `unit`, or everywhere when `unit` is None; not rolled up). Statuses are
    current, as in `contact_counts`. One grouped query; an aggregate, no audit."""
    _start, end = clock.local_day_bounds(on)
    contacts = Contact.objects.filter(degree=1, status__in=ACTIVE, found_at__lt=end)
    if unit is not None:
        contacts = contacts.filter(unit_id__in=units_within(unit))
    rows = contacts.values("unit_id").annotate(n=Count("pk")).order_by().values_list("unit_id", "n")
    return dict(rows)


def persons_with_open_case(*, person_ids) -> set[int]:
    """Which of these people are an open case (F0) now. Internal: callers audit what they show."""
    return set(
        Case.objects.filter(person_id__in=list(person_ids), closed_at__isnull=True).values_list(
            "person_id", flat=True
        )
    )


def persons_active_f1(*, person_ids) -> set[int]:
    """Which of these people are an active F1 contact of some case now. Internal, like the one above."""
    return set(
        Contact.objects.filter(person_id__in=list(person_ids), degree=1, status__in=ACTIVE).values_list(
            "person_id", flat=True
        )
    )


def case_unit_and_day(*, case_id) -> tuple | None:
    """(the unit a case counts in, the local day it was opened), None for an unknown id: the epidemic
    levels' counters recount that one unit and day when `tracing.case_opened` arrives. No personal data."""
    case = Case.objects.filter(pk=case_id).select_related("unit").only("unit", "opened_at").first()
    return None if case is None else (case.unit, clock.localdate(case.opened_at))


def active_f1_counts_of(*, unit_ids: list[int], on: dt.date) -> dict[int, int]:
    """`active_f1_counts` for the units listed only (the residential groups whose level reads them), through
    the index on the contact's unit instead of every active contact of the country."""
    _start, end = clock.local_day_bounds(on)
    contacts = Contact.objects.filter(degree=1, status__in=ACTIVE, found_at__lt=end, unit_id__in=unit_ids)
    return dict(contacts.values("unit_id").annotate(n=Count("pk")).order_by().values_list("unit_id", "n"))
