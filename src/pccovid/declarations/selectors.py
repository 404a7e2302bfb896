"""Reads of health declarations.

Officials read through `declarations_list`, `declarations_export` and `declaration_get`: restricted to the
acting assignment's reach (the person lives inside the unit, or a declared stay there granted access), and
every declaration shown writes an audit row for its person. Out of reach is "not found".
"""

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import DateField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from pccovid.audit import services as audit_services
from pccovid.core import clock
from pccovid.core.errors import NotFound
from pccovid.core.querysets import units_within
from pccovid.declarations import rules
from pccovid.declarations.errors import DeclarationError, NotHouseholdMember
from pccovid.declarations.exports import AUDIT_FIELDS as EXPORT_FIELDS
from pccovid.declarations.models import Declaration, FollowUp, Kind
from pccovid.geography import selectors as geography_selectors
from pccovid.geography.models import Edition, Level
from pccovid.identity import selectors as identity_selectors
from pccovid.rules import services as rule_services

if TYPE_CHECKING:
    from pccovid.identity.models import Person

LIST_FIELDS = ["full_name", "declaration.kind", "declaration.declared_at", "declaration.stay_unit", "flagged"]
DETAIL_FIELDS = [*LIST_FIELDS, "birth_date", "residence_unit", "declaration.all"]
LIST_MAX = 200
EXPORT_MAX = 10_000


@dataclass(frozen=True)
class DeclarationPage:
    items: list[Declaration]
    count: int


def policy(*, at: dt.date | None = None) -> rule_services.RuleSet:
    """The declaration rule set in force on `at` (default today)."""
    return rule_services.current(rules.DECLARATION_RULES.domain, at=at)


def _with_relations(queryset: QuerySet) -> QuerySet:
    return queryset.select_related(
        "person__residence_unit", "declared_by", "stay_unit", "travel_from", "travel_to", "followed_up_by"
    )


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _filtered(
    *,
    assignment,
    date_from: dt.date | None,
    date_to: dt.date | None,
    flagged: bool | None,
    unit_code: str | None,
    follow_up: str | None,
    kind: str | None,
) -> QuerySet:
    """The declarations in the assignment's reach matching the filters (one filter for pages, API and CSV).

    Dates are local (Asia/Ho_Chi_Minh) days of `declared_at`, both ends included; `unit_code` keeps the
    declarations whose place of stay or person's residence is inside that unit.
    """
    if date_from and date_to and date_from > date_to:
        raise DeclarationError(_("Date from must not be after date to."), field="date_from")
    declarations = Declaration.objects.restrict_to(assignment, "person.view")
    if date_from:
        declarations = declarations.filter(declared_at__gte=_day_start(date_from))
    if date_to:
        declarations = declarations.filter(declared_at__lt=_day_start(date_to + dt.timedelta(days=1)))
    if flagged is not None:
        declarations = declarations.filter(flagged=flagged)
    if follow_up:
        declarations = declarations.filter(follow_up=follow_up)
    if kind:
        declarations = declarations.filter(kind=kind)
    if unit_code:
        try:
            unit = geography_selectors.unit_get(edition=assignment.unit.edition, code=unit_code.strip())
        except NotFound:
            raise DeclarationError(
                _("Unit: no administrative unit has the code %(code)s.") % {"code": unit_code}, field="unit"
            ) from None
        inside = units_within(unit)
        declarations = declarations.filter(
            Q(stay_unit_id__in=inside) | Q(person__residence_unit_id__in=inside)
        )
    return _with_relations(declarations).order_by("-declared_at", "-pk")


def _audit(*, assignment, declarations: list[Declaration], fields: list[str], purpose: str) -> None:
    persons = {d.person_id: d.person for d in declarations}
    audit_services.personal_data_reads_record(
        assignment=assignment, persons=persons.values(), fields=fields, purpose=purpose
    )


def declarations_list(
    *,
    assignment,
    purpose: str,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    flagged: bool | None = None,
    unit_code: str | None = None,
    follow_up: str | None = None,
    kind: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> DeclarationPage:
    """One page of the declarations in reach, newest first; each person shown is audited once."""
    audit_services.purpose_check(purpose)
    declarations = _filtered(
        assignment=assignment,
        date_from=date_from,
        date_to=date_to,
        flagged=flagged,
        unit_code=unit_code,
        follow_up=follow_up,
        kind=kind,
    )
    items = list(declarations[offset : offset + min(limit, LIST_MAX)])
    _audit(assignment=assignment, declarations=items, fields=LIST_FIELDS, purpose=purpose)
    return DeclarationPage(items=items, count=declarations.count())


def declarations_export(
    *,
    assignment,
    purpose: str,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    flagged: bool | None = None,
    unit_code: str | None = None,
    follow_up: str | None = None,
    kind: str | None = None,
) -> list[Declaration]:
    """Every declaration of the filtered list (at most EXPORT_MAX), for a CSV; each person is audited."""
    audit_services.purpose_check(purpose)
    items = list(
        _filtered(
            assignment=assignment,
            date_from=date_from,
            date_to=date_to,
            flagged=flagged,
            unit_code=unit_code,
            follow_up=follow_up,
            kind=kind,
        )[:EXPORT_MAX]
    )
    _audit(assignment=assignment, declarations=items, fields=EXPORT_FIELDS, purpose=purpose)
    return items


def declaration_in_reach(*, assignment, declaration_id: int) -> QuerySet:
    """The declaration as a restricted queryset (empty when absent or out of reach), not yet read."""
    return _with_relations(
        Declaration.objects.restrict_to(assignment, "person.view").filter(pk=declaration_id)
    )


def declaration_get(*, assignment, declaration_id: int, purpose: str) -> Declaration:
    """One declaration in full for an official: audited when shown, "not found" when out of reach."""
    audit_services.purpose_check(purpose)
    declaration = declaration_in_reach(assignment=assignment, declaration_id=declaration_id).first()
    if declaration is None:
        raise NotFound()
    _audit(assignment=assignment, declarations=[declaration], fields=DETAIL_FIELDS, purpose=purpose)
    return declaration


def residence_commune(*, person):
    """The commune of the current edition the person lives in (their unit, or the commune above it)."""
    unit = person.residence_unit
    chain = [*geography_selectors.unit_ancestors(unit), unit]
    communes = [u for u in chain if u.level == Level.COMMUNE and u.edition == Edition.CURRENT]
    return communes[-1] if communes else None


def declarable_persons(*, declared_by: "Person") -> list["Person"]:
    """Whom a citizen may declare for: themself and the members of their own household."""
    return identity_selectors.household_members(person=declared_by)


def declarable_person(*, declared_by: "Person", qid: str | None) -> "Person":
    """The person a citizen names by qid (themself when None), if they may declare for them."""
    if not qid or qid == declared_by.qid:
        return declared_by
    for member in declarable_persons(declared_by=declared_by):
        if member.qid == qid:
            return member
    raise NotHouseholdMember()


def my_declarations(*, person: "Person", limit: int = 100) -> list[Declaration]:
    """The citizen's own declarations (whoever filled them) and those they made for household members."""
    return list(
        _with_relations(Declaration.objects.filter(Q(person=person) | Q(declared_by=person))).order_by(
            "-declared_at", "-pk"
        )[:limit]
    )


def my_declaration(*, person: "Person", declaration_id: int) -> Declaration:
    """One of `my_declarations` (the confirmation page); anything else is "not found"."""
    declaration = (
        _with_relations(Declaration.objects.filter(Q(person=person) | Q(declared_by=person)))
        .filter(pk=declaration_id)
        .first()
    )
    if declaration is None:
        raise NotFound()
    return declaration


def symptoms_uncleared(*, person: "Person") -> Declaration | None:
    """The person's newest declaration with a symptom, inside the exposure window, not yet followed up.

    A later declaration without symptoms does not clear it: a health official's follow-up does (2021
    practice: the commune health station checks on the person). A declaration from a 2021 app (`source`
    "legacy:...") is history and never counts.
    """
    now = clock.now()
    window = policy(at=clock.today()).values["exposure_window_days"]
    any_symptom = Q()
    for name in rules.SYMPTOMS:
        any_symptom |= Q(**{name: True})
    return (
        Declaration.objects.filter(
            any_symptom, person=person, declared_at__gt=now - dt.timedelta(days=window), source=""
        )
        .exclude(follow_up=FollowUp.DONE)
        .order_by("-declared_at", "-pk")
        .first()
    )


def travel_declarations_of(*, person_id: int, date_from: dt.date, date_to: dt.date) -> QuerySet:
    """The person's domestic declarations naming a vehicle (flight, train, coach number, plate) with a travel
    date inside [date_from, date_to]. Internal (tracing): callers check jurisdiction and audit."""
    return (
        Declaration.objects.filter(
            person_id=person_id, kind=Kind.DOMESTIC, travel_date__gte=date_from, travel_date__lte=date_to
        )
        .exclude(vehicle_number="")
        .order_by("travel_date", "pk")
    )


def travellers_on(*, vehicle_number: str, travel_date: dt.date) -> QuerySet:
    """Declarations of everyone who declared this vehicle on this day: one lookup of the partial index
    `declaration_vehicle_day` (the `vehicle_number != ''` filter lets the planner use it). Services store
    numbers upper-case (flight and train numbers without spaces, plates with single spaces), so the same
    normalisation of the input makes a stored number match itself. Internal (tracing)."""
    number = " ".join((vehicle_number or "").upper().split())
    return (
        Declaration.objects.filter(vehicle_number=number, travel_date=travel_date)
        .exclude(vehicle_number="")
        .order_by("pk")
    )


def entered_before(*, person_ref: OuterRef, moment_ref: OuterRef, within_days: int) -> Exists:
    """True where the person declared an entry whose arrival date lies in the `within_days` days before
    `moment_ref` (a date). For `tracing.selectors.new_case_counts` (imported cases)."""
    arrival_from = ExpressionWrapper(moment_ref - dt.timedelta(days=within_days), output_field=DateField())
    return Exists(
        Declaration.objects.filter(
            person_id=person_ref,
            kind=Kind.ENTRY,
            arrival_date__lte=moment_ref,
            arrival_date__gte=arrival_from,
        )
    )
