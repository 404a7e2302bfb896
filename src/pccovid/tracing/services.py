"""Cases (F0) and their contacts (F1, F2...): opening a case (from a positive result, or by a tracer),
finding contacts breadth-first from the data the platform already holds, declaring, notifying, outcomes.

Contact finding (docs/tracing.md has the cost of each step): for each source (the case's person, then each
F1...), within its window, one indexed range query per visit for co-presence, one lookup per declared trip
for fellow travellers, one query for the household. Every finding is a `ContactPath` keyed so that running
it again adds nothing; a person is one `Contact` per case with the closest degree.
"""

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from pccovid.accounts import services as account_services
from pccovid.audit.models import Purpose
from pccovid.checkins import selectors as checkin_selectors
from pccovid.checkins import services as checkin_services
from pccovid.core import bulk, clock
from pccovid.core.errors import ApplicationError, Forbidden, NotFound
from pccovid.core.querysets import units_within
from pccovid.declarations import selectors as declaration_selectors
from pccovid.events import services as event_services
from pccovid.identity import selectors as identity_selectors
from pccovid.rules import services as rule_services
from pccovid.tracing import rules, selectors
from pccovid.tracing.models import (
    Case,
    CaseSource,
    CaseTest,
    Contact,
    ContactPath,
    ContactStatus,
    IsolationPlace,
    Outcome,
    PathKind,
)

logger = logging.getLogger("pccovid.tracing")

CASE_OPENED = "tracing.case_opened"
CASE_CLOSED = "tracing.case_closed"
RESULT_RECORDED = "testing.result_recorded"
ORDER_CREATED = "quarantine.order_created"
ORDER_RELEASED = "quarantine.order_released"
ACTIVE = (ContactStatus.FOUND, ContactStatus.NOTIFIED, ContactStatus.QUARANTINED)
REASON_MAX = 300
NOTE_MAX = 200
# A case opened by hand looks back at most this far (an older onset is not a case to trace any more).
LOOKBACK_DAYS = 60


class TracingError(ApplicationError):
    code = "tracing_invalid"


@dataclass(frozen=True)
class Evidence:
    """One way `person_id` met `via_id` (degree = via's degree + 1), before it is stored as a path."""

    person_id: int
    unit_id: int
    kind: str
    degree: int
    via_id: int
    at: dt.datetime
    key: str
    venue_id: int | None = None
    detail: str = ""
    checkin_ids: tuple[int, ...] = ()
    recorded_by_id: int | None = None


@dataclass
class FindReport:
    """What one run of contact finding added: new contacts per degree, new paths per kind."""

    case_code: str
    new_contacts: dict[int, int] = field(default_factory=dict)
    new_paths: dict[str, int] = field(default_factory=dict)
    contacts: int = 0

    @property
    def added(self) -> int:
        return sum(self.new_contacts.values())


@dataclass(frozen=True)
class _Source:
    """A person whose contacts are searched, with the window in which they could pass the virus on."""

    person: object
    degree: int
    start: dt.datetime
    end: dt.datetime


def policy(*, at: dt.date | None = None) -> rule_services.RuleSet:
    return rule_services.current(rules.TRACING_RULES.domain, at=at)


def infectious_from(*, reference_day: dt.date, days_before: int) -> dt.datetime:
    """Local midnight `days_before` days before the onset (or sample) day: Decision 2686/QĐ-BYT."""
    return clock.local_midnight(reference_day - dt.timedelta(days=days_before))


# Opening a case --------------------------------------------------------------------------------------


def _open(
    *,
    person,
    unit,
    source: str,
    reason: str = "",
    test_result_id: int | None = None,
    onset_date: dt.date | None = None,
    sample_taken_at: dt.datetime | None = None,
    isolation_place: str = IsolationPlace.HOME,
    opened_by=None,
) -> Case:
    """Create the case, convert the person's active contact rows (F1 -> F0), emit `tracing.case_opened`."""
    now = clock.now()
    ruleset = policy(at=clock.localdate(now))
    reference = onset_date or (clock.localdate(sample_taken_at) if sample_taken_at else clock.localdate(now))
    case = Case.objects.create(
        person=person,
        unit=unit,
        source=source,
        reason=reason,
        test_result_id=test_result_id,
        onset_date=onset_date,
        sample_taken_at=sample_taken_at,
        infectious_from=infectious_from(
            reference_day=reference, days_before=ruleset.values["infectious_days_before"]
        ),
        isolated_at=now,
        isolation_place=isolation_place,
        opened_at=now,
        opened_by=opened_by,
        rules_version=f"{ruleset.domain} {ruleset.version}",
    )
    if test_result_id is not None:
        CaseTest.objects.create(case=case, test_result_id=test_result_id, attached_at=now)
    Contact.objects.filter(person=person, status__in=ACTIVE).exclude(case=case).update(
        status=ContactStatus.CONVERTED, converted_case=case
    )
    event_services.event_record(
        name=CASE_OPENED,
        payload={
            "case_id": case.pk,
            "case_code": case.code,
            "person_qid": person.qid,
            "isolated_at": case.isolated_at.isoformat(),
            "isolation_place": case.isolation_place,
        },
    )
    return case


@transaction.atomic
def case_open_from_result(*, result_id: int, person_qid: str, sample_taken_at: dt.datetime) -> Case | None:
    """A positive individual result: open the person's case (and find its contacts at once), or attach the
    result to their open case. The same result twice changes nothing. The facts come from the
    `testing.result_recorded` event (tracing does not read the testing app's tables)."""
    if CaseTest.objects.filter(test_result_id=result_id).exists():
        return CaseTest.objects.select_related("case").get(test_result_id=result_id).case
    person = identity_selectors.person_by_qid(qid=person_qid)
    if person is None:
        logger.warning("positive result %s names an unknown person", result_id)
        return None
    case = selectors.open_case_of(person=person)
    if case is not None:
        CaseTest.objects.create(case=case, test_result_id=result_id, attached_at=clock.now())
        return case
    case = _open(
        person=person,
        unit=person.residence_unit,
        source=CaseSource.TEST_RESULT,
        test_result_id=result_id,
        sample_taken_at=sample_taken_at,
    )
    contacts_find(case=case)
    return case


def on_result_recorded(event) -> None:
    """Handler of `testing.result_recorded` (idempotent: a result opens or joins a case once)."""
    payload = event.payload
    if not payload.get("positive"):
        return
    sample = payload.get("sample_taken_at")
    case_open_from_result(
        result_id=int(payload["result_id"]),
        person_qid=payload["person_qid"],
        sample_taken_at=parse_datetime(sample) if sample else clock.now(),
    )


def _require_manage(assignment) -> None:
    if not assignment.allows("case.manage"):
        raise Forbidden(_("Your role cannot open or change cases."), code="no_permission")


def _case_unit(person, assignment):
    """The unit that manages a case opened by hand: the person's residence when it is inside the tracer's
    unit; otherwise (a contact from elsewhere, in reach through a grant) the tracer's own unit, so the
    case stays in the reach of whoever opened it."""
    if units_within(assignment.unit).filter(pk=person.residence_unit_id).exists():
        return person.residence_unit
    return assignment.unit


def _check_lookback(*, onset_date: dt.date | None, sample_taken_at: dt.datetime | None) -> None:
    now = clock.now()
    earliest = clock.localdate(now) - dt.timedelta(days=LOOKBACK_DAYS)
    message = _("The date must be within the last %(n)d days, not in the future.") % {"n": LOOKBACK_DAYS}
    if onset_date and not earliest <= onset_date <= clock.localdate(now):
        raise TracingError(message, field="onset_date")
    if sample_taken_at and not (earliest <= clock.localdate(sample_taken_at) and sample_taken_at <= now):
        raise TracingError(message, field="sample_taken_at")


@transaction.atomic
def case_open(
    *,
    assignment,
    person_qid: str,
    reason: str,
    onset_date: dt.date | None = None,
    sample_taken_at: dt.datetime | None = None,
    isolation_place: str = IsolationPlace.HOME,
) -> Case:
    """A tracer opens a case by hand (a positive result from outside the platform, a clinical diagnosis),
    with a reason. The person must be in the tracer's reach; a second open case is refused."""
    _require_manage(assignment)
    reason = " ".join((reason or "").split())
    if not reason:
        raise TracingError(_("Say why you open this case by hand."), field="reason")
    if len(reason) > REASON_MAX:
        raise TracingError(_("The reason has at most %(n)d characters.") % {"n": REASON_MAX}, field="reason")
    if isolation_place not in IsolationPlace.values:
        raise TracingError(_("Choose where the person is isolated."), field="isolation_place")
    _check_lookback(onset_date=onset_date, sample_taken_at=sample_taken_at)
    person = identity_selectors.person_get(
        assignment=assignment, qid=person_qid, purpose=Purpose.CASE_INVESTIGATION, action="case.manage"
    )
    existing = selectors.open_case_of(person=person)
    if existing is not None:
        raise TracingError(
            _("This person already has an open case (%(code)s): add to it instead.")
            % {"code": existing.code},
            code="case_already_open",
            field="person",
        )
    case = _open(
        person=person,
        unit=_case_unit(person, assignment),
        source=CaseSource.MANUAL,
        reason=reason,
        onset_date=onset_date,
        sample_taken_at=sample_taken_at,
        isolation_place=isolation_place,
        opened_by=assignment.user,
    )
    contacts_find(case=case)
    return case


def _case_for_change(*, assignment, case_code: str) -> Case:
    case = selectors.case_in_reach(assignment=assignment, case_code=case_code).first()
    if case is None:
        raise NotFound()
    _require_manage(assignment)
    return case


@transaction.atomic
def case_outcome_record(*, assignment, case_code: str, outcome: str, on: dt.date) -> Case:
    """Recovered or deceased close the case; hospitalised keeps it open, isolated in hospital."""
    case = _case_for_change(assignment=assignment, case_code=case_code)
    if outcome not in Outcome.values:
        raise TracingError(_("Choose recovered, hospitalised or deceased."), field="outcome")
    if not case.is_open:
        raise TracingError(_("This case is closed."), code="case_closed")
    if on > clock.today() or on < clock.localdate(case.opened_at) - dt.timedelta(days=60):
        raise TracingError(_("The date must be between the case's opening and today."), field="on")
    case.outcome, case.outcome_on = outcome, on
    fields = ["outcome", "outcome_on"]
    if outcome == Outcome.HOSPITALISED:
        case.isolation_place = IsolationPlace.HOSPITAL
        fields.append("isolation_place")
    else:
        case.closed_at = clock.now()
        fields.append("closed_at")
    case.save(update_fields=fields)
    if case.closed_at:
        event_services.event_record(
            name=CASE_CLOSED,
            payload={
                "case_id": case.pk,
                "case_code": case.code,
                "person_qid": case.person.qid,
                "outcome": outcome,
                "outcome_on": on.isoformat(),
            },
        )
    return case


# Finding contacts ------------------------------------------------------------------------------------


def _copresence(source: _Source, values: dict) -> list[Evidence]:
    """Other people's check-ins at each venue the source visited, within ± the venue category's minutes."""
    found = []
    visits = list(
        checkin_selectors.checkins_of_person_between(
            person_id=source.person.pk, start=source.start, end=source.end
        )
    )
    categories = checkin_selectors.venue_categories(venue_ids={visit.venue_id for visit in visits})
    for visit in visits:
        minutes = values["category_minutes"].get(categories[visit.venue_id], values["copresence_minutes"])
        margin = dt.timedelta(minutes=minutes)
        others = (
            checkin_selectors.checkins_at_venue_between(
                venue_id=visit.venue_id, start=visit.at - margin, end=visit.at + margin
            )
            .exclude(person_id=source.person.pk)
            .values_list("pk", "person_id", "person__residence_unit_id", "at")
        )
        for checkin_id, person_id, unit_id, at in others:
            found.append(
                Evidence(
                    person_id=person_id,
                    unit_id=unit_id,
                    kind=PathKind.COPRESENCE,
                    degree=source.degree + 1,
                    via_id=source.person.pk,
                    at=at,
                    key=f"copresence:{source.person.pk}:{checkin_id}",
                    venue_id=visit.venue_id,
                    checkin_ids=(visit.pk, checkin_id),
                )
            )
    return found


def _vehicle(source: _Source) -> list[Evidence]:
    """People who declared the same flight, train or coach number on a day the source travelled."""
    found = []
    trips = declaration_selectors.travel_declarations_of(
        person_id=source.person.pk,
        date_from=clock.localdate(source.start),
        date_to=clock.localdate(source.end),
    ).values_list("vehicle_number", "travel_date")
    for number, day in set(trips):
        travellers = (
            declaration_selectors.travellers_on(vehicle_number=number, travel_date=day)
            .exclude(person_id=source.person.pk)
            .values_list("person_id", "person__residence_unit_id")
        )
        for person_id, unit_id in set(travellers):
            found.append(
                Evidence(
                    person_id=person_id,
                    unit_id=unit_id,
                    kind=PathKind.VEHICLE,
                    degree=source.degree + 1,
                    via_id=source.person.pk,
                    at=clock.local_midnight(day),
                    key=f"vehicle:{source.person.pk}:{number}:{day.isoformat()}",
                    detail=number,
                )
            )
    return found


def _household(source: _Source) -> list[Evidence]:
    """Everyone else in the source's household, exposed from the start of the source's window."""
    return [
        Evidence(
            person_id=member.pk,
            unit_id=member.residence_unit_id,
            kind=PathKind.HOUSEHOLD,
            degree=source.degree + 1,
            via_id=source.person.pk,
            at=source.start,
            key=f"household:{source.person.pk}",
        )
        for member in identity_selectors.household_members(person=source.person)
        if member.pk != source.person.pk
    ]


def _sources(case: Case, degree: int, now: dt.datetime) -> list[_Source]:
    """Degree 0 is the case's person over the infectious period; degree n the contacts of that degree,
    from their first exposure until they were notified (told to stay home) or, not yet notified, now."""
    if degree == 0:
        return [_Source(person=case.person, degree=0, start=case.infectious_from, end=case.isolated_at)]
    contacts = (
        Contact.objects.filter(case=case, degree=degree)
        .exclude(status=ContactStatus.DISMISSED)
        .select_related("person")
        .order_by("pk")
    )
    return [
        _Source(person=c.person, degree=degree, start=c.first_exposure_at, end=c.notified_at or now)
        for c in contacts
        if (c.notified_at or now) >= c.first_exposure_at
    ]


def _grant(case: Case, contacts: list[Contact], values: dict) -> None:
    """Put new contacts living outside the case's unit in its reach, for the reason the audit will show."""
    if not contacts:
        return
    inside = set(units_within(case.unit).values_list("pk", flat=True))
    account_services.access_grants_create(
        reasons_by_person_id={
            c.person_id: f"contact F{c.degree} of case {case.code}"
            for c in contacts
            if c.unit_id not in inside
        },
        unit=case.unit,
        source_type="tracing.case",
        source_id=case.code,
        expires_at=clock.now() + dt.timedelta(days=values["contact_grant_days"]),
    )


def _widen(contact: Contact, e: Evidence) -> bool:
    """Closest degree, earliest first and latest last exposure; True when the contact changed."""
    before = (contact.degree, contact.first_exposure_at, contact.last_exposure_at)
    contact.degree = min(contact.degree, e.degree)
    contact.first_exposure_at = min(contact.first_exposure_at, e.at)
    contact.last_exposure_at = max(contact.last_exposure_at, e.at)
    return before != (contact.degree, contact.first_exposure_at, contact.last_exposure_at)


PATH_COLUMNS = ["contact_id", "kind", "degree", "via_id", "venue_id", "at", "detail", "recorded_by_id", "key",
                "found_at"]  # fmt: skip


def _path_row(contact: Contact, e: Evidence, now: dt.datetime) -> tuple:
    """A ContactPath as a row of `PATH_COLUMNS` (tens of thousands per case: plain INSERTs, core.bulk)."""
    return (contact.pk, e.kind, e.degree, e.via_id, e.venue_id, e.at, e.detail, e.recorded_by_id, e.key, now)


CONTACT_COLUMNS = ["case_id", "person_id", "unit_id", "degree", "status", "first_exposure_at",
                   "last_exposure_at", "found_at"]  # fmt: skip


def _contacts_insert(case: Case, new: list[Contact]) -> None:
    """Insert new contacts as plain rows (core.bulk), then read their ids back by person, 500 at a time."""
    bulk.rows_insert(
        Contact,
        CONTACT_COLUMNS,
        (
            (
                case.pk,
                c.person_id,
                c.unit_id,
                c.degree,
                c.status,
                c.first_exposure_at,
                c.last_exposure_at,
                c.found_at,
            )
            for c in new
        ),
    )
    by_person = {c.person_id: c for c in new}
    person_ids = list(by_person)
    for start in range(0, len(person_ids), 500):
        chunk = person_ids[start : start + 500]
        for person_id, pk in Contact.objects.filter(case=case, person_id__in=chunk).values_list(
            "person_id", "pk"
        ):
            contact = by_person[person_id]
            contact.pk, contact._state.adding = pk, False


def _merge(case: Case, evidence: Iterable[Evidence], report: FindReport, values: dict) -> list[Contact]:
    """Store evidence: one contact per person (closest degree, widest exposure span), one path per key."""
    evidence = sorted(
        (e for e in evidence if e.person_id != case.person_id), key=lambda e: (e.degree, e.at, e.key)
    )
    person_ids = sorted({e.person_id for e in evidence})
    contacts: dict[int, Contact] = {}
    keys: set[tuple[int, str]] = set()
    for start in range(0, len(person_ids), 500):
        chunk = person_ids[start : start + 500]
        contacts.update({c.person_id: c for c in Contact.objects.filter(case=case, person_id__in=chunk)})
        keys.update(
            ContactPath.objects.filter(contact__case=case, contact__person_id__in=chunk).values_list(
                "contact__person_id", "key"
            )
        )
    now = clock.now()
    new: list[Contact] = []
    changed: dict[int, Contact] = {}
    paths = []
    for e in evidence:
        contact = contacts.get(e.person_id)
        if contact is None:
            contact = contacts[e.person_id] = Contact(
                case=case,
                person_id=e.person_id,
                unit_id=e.unit_id,
                degree=e.degree,
                first_exposure_at=e.at,
                last_exposure_at=e.at,
                found_at=now,
            )
            new.append(contact)
        elif _widen(contact, e) and contact.pk is not None:
            changed[contact.pk] = contact
        if (e.person_id, e.key) not in keys:
            keys.add((e.person_id, e.key))
            paths.append((contact, e))
            report.new_paths[e.kind] = report.new_paths.get(e.kind, 0) + 1
    _contacts_insert(case, new)
    Contact.objects.bulk_update(
        list(changed.values()), ["degree", "first_exposure_at", "last_exposure_at"], batch_size=500
    )
    bulk.rows_insert(ContactPath, PATH_COLUMNS, (_path_row(contact, e, now) for contact, e in paths))
    for degree, count in Counter(c.degree for c in new).items():
        report.new_contacts[degree] = report.new_contacts.get(degree, 0) + count
    _grant(case, new, values)
    held = [i for e in evidence for i in e.checkin_ids]
    if held:
        checkin_services.checkins_hold_for_case(checkin_ids=held, case_code=case.code)
    return new


@transaction.atomic
def contacts_find(*, case: Case) -> FindReport:
    """Find the case's contacts breadth-first to the rule table's depth (F1, F2...) and store them with
    their evidence. Running it again adds only what is new (a check-in uploaded late, a new F1's F2s)."""
    values = policy(at=clock.localdate(case.opened_at)).values
    report = FindReport(case_code=case.code)
    now = clock.now()
    for degree in range(values["depth"]):
        evidence: list[Evidence] = []
        for source in _sources(case, degree, now):
            evidence += _copresence(source, values) + _vehicle(source) + _household(source)
        _merge(case, evidence, report, values)
    case.contacts_found_at = now
    case.save(update_fields=["contacts_found_at"])
    report.contacts = case.contacts.count()
    return report


@transaction.atomic
def contacts_find_again(*, assignment, case_code: str) -> FindReport:
    """The tracer's "find contacts again" (late check-in uploads, declared contacts' own contacts)."""
    return contacts_find(case=_case_for_change(assignment=assignment, case_code=case_code))


@transaction.atomic
def contact_declare(
    *,
    assignment,
    case_code: str,
    person_qid: str,
    via_qid: str | None = None,
    at: dt.datetime,
    note: str = "",
) -> Contact:
    """A person the case (or one of its contacts, `via_qid`) names: degree 1 through the case's person,
    the via contact's degree + 1 otherwise. Declaring the same meeting again adds nothing."""
    case = _case_for_change(assignment=assignment, case_code=case_code)
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX:
        raise TracingError(_("The note has at most %(n)d characters.") % {"n": NOTE_MAX}, field="note")
    if not case.infectious_from <= at <= clock.now():
        raise TracingError(
            _("The meeting must be between the start of the case's infectious period and now."), field="at"
        )
    person = identity_selectors.person_by_qid(qid=person_qid)
    if person is None:
        raise NotFound(_("No person has this code."), field="person")
    if person.pk == case.person_id:
        raise TracingError(_("The case's own person is not a contact of the case."), field="person")
    via, degree = case.person, 1
    if via_qid and via_qid != case.person.qid:
        via_contact = case.contacts.select_related("person").filter(person__qid=via_qid).first()
        if via_contact is None:
            raise TracingError(_("The person who named them must be this case's contact."), field="via")
        via, degree = via_contact.person, via_contact.degree + 1
    if via.pk == person.pk:
        raise TracingError(_("A person cannot name themselves."), field="via")
    evidence = Evidence(
        person_id=person.pk,
        unit_id=person.residence_unit_id,
        kind=PathKind.DECLARED,
        degree=degree,
        via_id=via.pk,
        at=at,
        key=f"declared:{via.pk}:{int(at.timestamp())}",
        detail=note,
        recorded_by_id=assignment.user_id,
    )
    _merge(
        case, [evidence], FindReport(case_code=case.code), policy(at=clock.localdate(case.opened_at)).values
    )
    return case.contacts.get(person=person)


@transaction.atomic
def contacts_notify(*, assignment, case_code: str, contact_ids: list[int]) -> int:
    """Tell contacts they were exposed: from now on they see the alert in the app. Returns how many were
    newly notified (a contact already notified, in quarantine or released is left as it is)."""
    case = _case_for_change(assignment=assignment, case_code=case_code)
    return case.contacts.filter(pk__in=contact_ids, status=ContactStatus.FOUND).update(
        status=ContactStatus.NOTIFIED, notified_at=clock.now()
    )


# Quarantine's events ---------------------------------------------------------------------------------


def on_order_created(event) -> None:
    """`quarantine.order_created` for a contact: the contact is in quarantine (and, told so, notified)."""
    contact_id = event.payload.get("contact_id")
    if not contact_id:
        return
    now = clock.now()
    Contact.objects.filter(pk=contact_id, notified_at__isnull=True).update(notified_at=now)
    Contact.objects.filter(pk=contact_id, status__in=ACTIVE).update(status=ContactStatus.QUARANTINED)


def on_order_released(event) -> None:
    """`quarantine.order_released`: a contact's quarantine ends (released); a case's isolation ends (the
    case recovers and closes on the release day)."""
    payload = event.payload
    released_at = parse_datetime(payload.get("released_at") or "") or clock.now()
    if payload.get("contact_id"):
        Contact.objects.filter(pk=payload["contact_id"], status__in=ACTIVE).update(
            status=ContactStatus.RELEASED
        )
    if payload.get("kind") == "isolation" and payload.get("case_id"):
        Case.objects.filter(pk=payload["case_id"], closed_at__isnull=True).update(
            outcome=Outcome.RECOVERED, outcome_on=clock.localdate(released_at), closed_at=released_at
        )
