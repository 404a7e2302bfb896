"""Cases and contacts over HTTP: officials list, open and read cases in their reach, see each case's
contacts with their evidence, find contacts again, add a named contact, notify, record an outcome and read
their unit's queue (every person shown audited, purpose "contact_tracing"); citizens read their exposure
alerts (never who the case is)."""

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import AfterValidator, Field

from pccovid.accounts import selectors as account_selectors
from pccovid.audit.models import Purpose
from pccovid.core import clock
from pccovid.core.api_fields import AssignmentQuery, IsoDate
from pccovid.core.errors import NotFound
from pccovid.core.pagination import LimitOffset
from pccovid.identity import selectors as identity_selectors
from pccovid.tracing import selectors, services
from pccovid.tracing.models import ContactStatus, IsolationPlace, Outcome, PathKind

router = Router(tags=["tracing"])

PURPOSE = Purpose.CONTACT_TRACING
QID = r"^[0-9A-Z]{6,32}$"
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"


def _moment(value: dt.datetime) -> dt.datetime:
    """Vietnam time when no offset is given; years 2019-2100 only (beyond, conversions overflow)."""
    if not 2019 <= value.year <= 2100:
        raise ValueError("a moment between 2019 and 2100")
    return timezone.make_aware(value) if timezone.is_naive(value) else value


Moment = Annotated[dt.datetime, AfterValidator(_moment)]


class CaseOut(Schema):
    code: str
    person_qid: str
    full_name: str
    unit_code: str
    unit_name: str
    source: str
    reason: str
    onset_date: dt.date | None
    sample_taken_at: dt.datetime | None
    infectious_from: dt.datetime
    isolated_at: dt.datetime
    isolation_place: str
    outcome: str
    outcome_on: dt.date | None
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    contacts_found_at: dt.datetime | None
    rules_version: str


class CaseListOut(Schema):
    items: list[CaseOut]
    count: int


class CaseListQuery(AssignmentQuery):
    state: str | None = Field(
        None, pattern=r"^(open|closed)$", description="open or closed; both if omitted."
    )


class CaseOpenIn(Schema):
    person_qid: str = Field(pattern=QID, description="The person's platform code (from their QR).")
    reason: str = Field(min_length=1, max_length=300, pattern=PRINTABLE, description="Why opened by hand.")
    onset_date: IsoDate | None = Field(None, description="First symptoms (last 60 days).")
    sample_taken_at: Moment | None = Field(None, description="A positive sample taken outside the platform.")
    isolation_place: IsolationPlace = IsolationPlace.HOME


class PathOut(Schema):
    kind: str
    degree: int
    via_qid: str
    via_name: str
    venue_name: str | None
    venue_category: str | None
    at: dt.datetime
    detail: str


class ContactOut(Schema):
    id: int
    person_qid: str
    full_name: str
    unit_code: str
    degree: int
    status: str
    first_exposure_at: dt.datetime
    last_exposure_at: dt.datetime
    found_at: dt.datetime
    notified_at: dt.datetime | None
    paths: list[PathOut]


class ContactsQuery(AssignmentQuery):
    degree: int | None = Field(None, ge=1, le=9, description="1 = F1, 2 = F2...")
    kind: PathKind | None = Field(None, description="Contacts with at least one path of this kind.")
    status: ContactStatus | None = None
    unit_code: str | None = Field(
        None, pattern=r"^[0-9A-Za-z.]{1,20}$", description="Contacts living inside."
    )


class FindReportOut(Schema):
    case_code: str
    new_contacts: dict[str, int] = Field(description="New contacts per degree ('1', '2'...).")
    new_paths: dict[str, int] = Field(description="New pieces of evidence per kind.")
    contacts: int


class DeclareIn(Schema):
    person_qid: str = Field(pattern=QID, description="The person named.")
    via_qid: str | None = Field(
        None, pattern=QID, description="An F1 of the case who named them; the case if omitted."
    )
    at: Moment = Field(description="When they met (ISO 8601; without an offset, Vietnam time).")
    note: str = Field("", max_length=200, pattern=PRINTABLE)


class NotifyIn(Schema):
    contact_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(min_length=1, max_length=500)


class NotifyOut(Schema):
    notified: int


class OutcomeIn(Schema):
    outcome: Outcome
    on: IsoDate


class QueueItemOut(Schema):
    id: int
    person_qid: str
    full_name: str
    degree: int
    status: str
    last_exposure_at: dt.datetime
    found_at: dt.datetime
    case_code: str | None = Field(description="Shown only when the case is in your reach too.")


class QueueOut(Schema):
    items: list[QueueItemOut]
    count: int


class QueueQuery(AssignmentQuery):
    status: ContactStatus | None = None


class ExposureOut(Schema):
    on: dt.date
    kind: str
    label: str
    degree: int
    status: str
    active: bool


def _assignment(request: HttpRequest, assignment_id: int | None):
    return account_selectors.acting_assignment(user=request.user, assignment_id=assignment_id)


CASE_OUT_FIELDS = CaseOut.model_fields.keys() - {"person_qid", "full_name", "unit_code", "unit_name"}


def case_out(case) -> dict:
    return {
        "person_qid": case.person.qid,
        "full_name": case.person.full_name,
        "unit_code": case.unit.code,
        "unit_name": case.unit.name,
        **{name: getattr(case, name) for name in CASE_OUT_FIELDS},
    }


def contact_out(contact) -> dict:
    return {
        "id": contact.pk,
        "person_qid": contact.person.qid,
        "full_name": contact.person.full_name,
        "unit_code": contact.unit.code,
        "degree": contact.degree,
        "status": contact.status,
        "first_exposure_at": contact.first_exposure_at,
        "last_exposure_at": contact.last_exposure_at,
        "found_at": contact.found_at,
        "notified_at": contact.notified_at,
        "paths": [
            {
                "kind": p.kind,
                "degree": p.degree,
                "via_qid": p.via.qid,
                "via_name": p.via.full_name,
                "venue_name": p.venue.name if p.venue else None,
                "venue_category": p.venue.category if p.venue else None,
                "at": p.at,
                "detail": p.detail,
            }
            for p in contact.paths.all()
        ],
    }


def report_out(report: services.FindReport) -> dict:
    return {
        "case_code": report.case_code,
        "new_contacts": {str(degree): n for degree, n in report.new_contacts.items()},
        "new_paths": report.new_paths,
        "contacts": report.contacts,
    }


@router.get("/cases", response=CaseListOut)
def case_list(request: HttpRequest, query: Query[CaseListQuery], page: Query[LimitOffset.Input]):
    """Officials: cases managed inside your unit, open first, newest first (at most 200 per page); each
    person shown is recorded in their audit trail."""
    found = selectors.cases_list(
        assignment=_assignment(request, query.assignment),
        purpose=PURPOSE,
        state=query.state,
        limit=page.limit,
        offset=page.offset,
    )
    return {"items": [case_out(c) for c in found.items], "count": found.count}


@router.post("/cases", response={201: CaseOut})
def case_open(request: HttpRequest, payload: CaseOpenIn, query: Query[AssignmentQuery]):
    """Tracers: open a case by hand, with a reason (a positive result from outside the platform). The
    person must be in your reach; a second open case is refused (400 case_already_open). Contacts are found
    at once."""
    assignment = _assignment(request, query.assignment)
    case = services.case_open(assignment=assignment, **payload.dict())
    return Status(
        201, case_out(selectors.case_get(assignment=assignment, case_code=case.code, purpose=PURPOSE))
    )


@router.get("/cases/{code}", response=CaseOut)
def case_get(request: HttpRequest, code: str, query: Query[AssignmentQuery]):
    """Officials: one case (404 when absent or outside your reach)."""
    return case_out(
        selectors.case_get(assignment=_assignment(request, query.assignment), case_code=code, purpose=PURPOSE)
    )


@router.get("/cases/{code}/contacts", response=list[ContactOut])
def case_contacts(request: HttpRequest, code: str, query: Query[ContactsQuery]):
    """Officials: the case's contacts wherever they live, closest first, each with its evidence (kind, via
    whom, venue and time or vehicle and day, note). Each person shown is audited (reason: the case)."""
    contacts = selectors.case_contacts(
        assignment=_assignment(request, query.assignment),
        case_code=code,
        purpose=PURPOSE,
        degree=query.degree,
        kind=query.kind,
        status=query.status,
        unit_code=query.unit_code,
    )
    return [contact_out(c) for c in contacts]


@router.post("/cases/{code}/find", response=FindReportOut)
def case_find(request: HttpRequest, code: str, query: Query[AssignmentQuery]):
    """Tracers: find contacts again (late check-in uploads, named contacts' own contacts); adds only
    what is new."""
    report = services.contacts_find_again(assignment=_assignment(request, query.assignment), case_code=code)
    return report_out(report)


@router.post("/cases/{code}/contacts", response={201: ContactOut})
def contact_declare(request: HttpRequest, code: str, payload: DeclareIn, query: Query[AssignmentQuery]):
    """Tracers: add a person the case (or one of its F1s, `via_qid`) named. Declaring the same meeting
    again adds nothing."""
    assignment = _assignment(request, query.assignment)
    contact = services.contact_declare(assignment=assignment, case_code=code, **payload.dict())
    shown = selectors.contact_get(
        assignment=assignment, case_code=code, contact_id=contact.pk, purpose=PURPOSE
    )
    return Status(201, contact_out(shown))


@router.post("/cases/{code}/notify", response=NotifyOut)
def contacts_notify(request: HttpRequest, code: str, payload: NotifyIn, query: Query[AssignmentQuery]):
    """Tracers: tell these contacts of the case they were exposed (they see it in the app from now on).
    Returns how many were newly notified."""
    count = services.contacts_notify(
        assignment=_assignment(request, query.assignment), case_code=code, contact_ids=payload.contact_ids
    )
    return {"notified": count}


@router.post("/cases/{code}/outcome", response=CaseOut)
def case_outcome(request: HttpRequest, code: str, payload: OutcomeIn, query: Query[AssignmentQuery]):
    """Tracers: recovered or deceased close the case; hospitalised keeps it open, isolated in hospital."""
    assignment = _assignment(request, query.assignment)
    services.case_outcome_record(
        assignment=assignment, case_code=code, outcome=payload.outcome, on=payload.on
    )
    return case_out(selectors.case_get(assignment=assignment, case_code=code, purpose=PURPOSE))


@router.get("/queue", response=QueueOut)
def queue(request: HttpRequest, query: Query[QueueQuery], page: Query[LimitOffset.Input]):
    """Officials: contacts living in your unit, from any case, newest first (at most 200 per page); the
    case's code only when that case is in your reach. Each person shown is audited."""
    found = selectors.contacts_queue(
        assignment=_assignment(request, query.assignment),
        purpose=PURPOSE,
        status=query.status,
        limit=page.limit,
        offset=page.offset,
    )
    return {
        "items": [
            {
                "id": c.pk,
                "person_qid": c.person.qid,
                "full_name": c.person.full_name,
                "degree": c.degree,
                "status": c.status,
                "last_exposure_at": c.last_exposure_at,
                "found_at": c.found_at,
                "case_code": c.case.code if c.case_in_reach else None,
            }
            for c in found.items
        ],
        "count": found.count,
    }


class CountsQuery(AssignmentQuery):
    on: dt.date | None = Field(None, description="The local day (YYYY-MM-DD); today if omitted.")


class UnitDayCountsOut(Schema):
    unit_code: str = Field(description="Empty for the total row (the last).")
    unit_name: str
    f0_new: int
    f0_open: int
    f1_new: int
    f2_new: int
    f1_active: int
    f2_active: int
    in_quarantine: int
    in_isolation: int
    new_orders: int


@router.get("/counts", response=list[UnitDayCountsOut])
def counts(request: HttpRequest, query: Query[CountsQuery]):
    """Officials (roles that read cases): cases (F0), contacts (F1, F2) and people in quarantine or isolation
    on a day, per unit directly below yours (by where people live), then the total. Counts, not people:
    nothing is audited."""
    assignment = _assignment(request, query.assignment)
    rows = selectors.daily_counts(assignment=assignment, on=query.on or clock.today())
    return [{"unit_code": row.code, "unit_name": row.name, **row.counts} for row in rows]


@router.get("/me/exposures", response=list[ExposureOut])
def my_exposures(request: HttpRequest):
    """Citizens: the exposures a tracer told you about, newest first: the day and how (a kind of venue,
    your household, a vehicle, named by a case); never who the case is nor the venue's name."""
    person = identity_selectors.person_own(user=request.user)
    if person is None:
        raise NotFound("Your account is not linked to a person yet: link it with your ID number.")
    return [
        {
            "on": e.on,
            "kind": e.kind,
            "label": e.label,
            "degree": e.degree,
            "status": e.status,
            "active": e.active,
        }
        for e in selectors.exposures_of(person=person)
    ]
