"""Quarantine and isolation over HTTP. Officials: orders (list, one, create, for a case's contacts,
release), facilities, alerts, the test sites' to-do list; every person shown audited. Citizens: their
household's orders and the daily report. Anyone: verify a release certificate, and the public keys."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from pccovid.accounts import selectors as account_selectors
from pccovid.audit.models import Purpose
from pccovid.core.api_fields import AssignmentQuery
from pccovid.core.errors import NotFound
from pccovid.core.pagination import LimitOffset
from pccovid.identity import selectors as identity_selectors
from pccovid.quarantine import selectors, services
from pccovid.quarantine.models import FacilityKind, OrderKind, OrderStatus, Place

router = Router(tags=["quarantine"])

QID = r"^[0-9A-Z]{6,32}$"
CODE = r"^[A-Za-z0-9._-]{2,20}$"
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
SymptomCode = Literal["fever", "cough", "breathlessness", "sore_throat", "loss_of_taste_smell", "fatigue"]


class ScheduledTestOut(Schema):
    day_number: int
    due_on: dt.date
    site_code: str | None
    done_at: dt.datetime | None
    result: str | None


class ReportOut(Schema):
    on: dt.date
    temperature: float | None
    symptoms: list[str]
    note: str


class AlertOut(Schema):
    id: int
    order_id: int
    kind: str
    on: dt.date
    detail: str
    raised_at: dt.datetime
    resolved_at: dt.datetime | None
    person_qid: str
    full_name: str


class OrderOut(Schema):
    id: int
    person_qid: str
    full_name: str
    kind: str
    place: str
    facility_code: str | None
    status: str
    starts_on: dt.date
    ends_on: dt.date
    monitor_until: dt.date | None
    test_days: list[int]
    basis: str
    rules: str
    ordered_at: dt.datetime
    released_at: dt.datetime | None
    contact_id: int | None
    case_id: int | None


class OrderDetailOut(OrderOut):
    release_code: str
    release_blockers: list[str]
    tests: list[ScheduledTestOut]
    reports: list[ReportOut]
    alerts: list[AlertOut]


class OrderListOut(Schema):
    items: list[OrderOut]
    count: int


class OrderListQuery(AssignmentQuery):
    purpose: Purpose = Purpose.EPIDEMIC_CONTROL
    kind: OrderKind | None = None
    status: OrderStatus | None = None
    place: Place | None = None


class OrderCreateIn(Schema):
    person_qid: str = Field(pattern=QID)
    kind: OrderKind
    place: Place
    facility_code: str | None = Field(None, pattern=CODE)
    case_id: int | None = Field(None, ge=1, le=2**31 - 1)
    contact_id: int | None = Field(None, ge=1, le=2**31 - 1)


class OrdersForContactsIn(Schema):
    contact_ids: list[int] = Field(min_length=1, max_length=services.MAX_BATCH)
    place: Place = Place.HOME
    facility_code: str | None = Field(None, pattern=CODE)


class SkippedOut(Schema):
    contact_id: int
    reason: str


class OrdersReportOut(Schema):
    created: list[OrderOut]
    skipped: list[SkippedOut]


class FacilityIn(Schema):
    code: str = Field(pattern=CODE)
    name: str = Field(min_length=1, max_length=120, pattern=PRINTABLE)
    kind: FacilityKind = FacilityKind.FACILITY
    capacity: int = Field(ge=1, le=100_000)


class FacilityOut(Schema):
    code: str
    name: str
    kind: str
    unit_code: str
    capacity: int
    occupied: int
    free: int
    active: bool


class AlertResolveIn(Schema):
    note: str = Field("", max_length=200, pattern=PRINTABLE)


class TestDueOut(Schema):
    order_id: int
    person_qid: str
    full_name: str
    day_number: int
    due_on: dt.date
    site_code: str | None


class MyOrderOut(OrderOut):
    release_code: str
    tests: list[ScheduledTestOut]
    reports: list[ReportOut]


class DailyReportIn(Schema):
    person_qid: str = Field(pattern=QID)
    on: dt.date | None = Field(None, description="Default: today.")
    temperature: Decimal = Field(ge=30, le=45, max_digits=4, decimal_places=1, description="°C")
    symptoms: list[SymptomCode] = Field(default_factory=list, max_length=6)
    note: str = Field("", max_length=300, pattern=PRINTABLE)


class VerifyIn(Schema):
    text: str = Field(min_length=1, max_length=4000)


class VerifyOut(Schema):
    status: Literal["valid", "invalid_signature", "unknown_key", "malformed"]
    message: str
    fields: dict[str, str]


class KeyOut(Schema):
    kid: str
    kty: str
    crv: str
    x: str
    y: str
    alg: str
    use: str
    status: str
    created_at: str
    retired_at: str | None
    grace_until: str | None


class KeysOut(Schema):
    keys: list[KeyOut]


def _assignment(request: HttpRequest, assignment_id: int | None):
    return account_selectors.acting_assignment(user=request.user, assignment_id=assignment_id)


def order_out(order) -> dict:
    return {
        "id": order.pk,
        "person_qid": order.person.qid,
        "full_name": order.person.full_name,
        "kind": order.kind,
        "place": order.place,
        "facility_code": order.facility.code if order.facility else None,
        "status": order.status,
        "starts_on": order.starts_on,
        "ends_on": order.ends_on,
        "monitor_until": order.monitor_until,
        "test_days": order.test_days,
        "basis": order.basis,
        "rules": f"{order.rules_domain}@{order.rules_version}",
        "ordered_at": order.ordered_at,
        "released_at": order.released_at,
        "contact_id": order.contact_id,
        "case_id": order.case_id,
        "release_code": order.release_code,
    }


def _tests_out(order) -> list[dict]:
    return [
        {
            "day_number": t.day_number,
            "due_on": t.due_on,
            "site_code": t.site.code if t.site else None,
            "done_at": t.done_at,
            "result": t.result.result if t.result else None,
        }
        for t in sorted(order.scheduled_tests.all(), key=lambda t: t.day_number)
    ]


def _reports_out_one(report) -> dict:
    temperature = float(report.temperature) if report.temperature is not None else None
    return {"on": report.on, "temperature": temperature, "symptoms": report.symptoms, "note": report.note}


def _reports_out(order) -> list[dict]:
    return [_reports_out_one(r) for r in order.reports.all()]


def alert_out(alert) -> dict:
    return {
        "id": alert.pk,
        "order_id": alert.order_id,
        "kind": alert.kind,
        "on": alert.on,
        "detail": alert.detail,
        "raised_at": alert.raised_at,
        "resolved_at": alert.resolved_at,
        "person_qid": alert.order.person.qid,
        "full_name": alert.order.person.full_name,
    }


def _facility_out(row: selectors.FacilityRow) -> dict:
    f = row.facility
    return {"code": f.code, "name": f.name, "kind": f.kind, "unit_code": f.unit.code, "capacity": f.capacity,
            "occupied": row.occupied, "free": row.free, "active": f.active}  # fmt: skip


@router.get("/orders", response=OrderListOut)
def order_list(request: HttpRequest, query: Query[OrderListQuery], page: Query[LimitOffset.Input]):
    """Officials: the orders of people in your jurisdiction, newest first, at most 200 per page; each
    person shown is recorded in their audit trail."""
    found = selectors.orders_list(
        assignment=_assignment(request, query.assignment),
        purpose=query.purpose,
        kind=query.kind,
        status=query.status,
        place=query.place,
        limit=page.limit,
        offset=page.offset,
    )
    return {"items": [order_out(o) for o in found.items], "count": found.count}


@router.post("/orders/for-contacts", response=OrdersReportOut)
def orders_for_contacts(request: HttpRequest, payload: OrdersForContactsIn, query: Query[AssignmentQuery]):
    """Tracers: quarantine for contacts of cases (F2 and people already under an order are skipped, with the
    reason). All the orders or none."""
    report = services.orders_for_contacts(assignment=_assignment(request, query.assignment), **payload.dict())
    return {
        "created": [order_out(o) for o in report.created],
        "skipped": [{"contact_id": c, "reason": r} for c, r in report.skipped],
    }


@router.get("/orders/{order_id}", response=OrderDetailOut)
def order_get(request: HttpRequest, order_id: int, query: Query[AssignmentQuery]):
    """Officials: one order with its tests, daily reports and alerts (audited)."""
    order = selectors.order_get(
        assignment=_assignment(request, query.assignment), order_id=order_id, purpose=Purpose.EPIDEMIC_CONTROL
    )
    return {
        **order_out(order),
        "release_blockers": selectors.release_blockers(order=order) if order.status == "active" else [],
        "tests": _tests_out(order),
        "reports": _reports_out(order),
        "alerts": [alert_out(a) for a in order.alerts.all()],
    }


@router.post("/orders", response={201: OrderOut})
def order_create(request: HttpRequest, payload: OrderCreateIn, query: Query[AssignmentQuery]):
    """Officials: order quarantine (F1) or isolation (F0) for a person in your jurisdiction; dates and tests
    by the rule set in force on day 1. A full facility is refused."""
    order = services.order_create(assignment=_assignment(request, query.assignment), **payload.dict())
    return Status(201, order_out(order))


@router.post("/orders/{order_id}/release", response=OrderOut)
def order_release(request: HttpRequest, order_id: int, query: Query[AssignmentQuery]):
    """Officials: release an order whose last day is reached and whose exit test is negative; the answer
    carries the signed release certificate."""
    order = services.order_release(assignment=_assignment(request, query.assignment), order_id=order_id)
    return order_out(order)


@router.get("/facilities", response=list[FacilityOut])
def facility_list(request: HttpRequest, query: Query[AssignmentQuery]):
    """Officials: the facilities and hospitals you may send people to, with their occupancy."""
    return [
        _facility_out(r) for r in selectors.facilities_list(assignment=_assignment(request, query.assignment))
    ]


@router.post("/facilities", response={201: FacilityOut})
def facility_create(request: HttpRequest, payload: FacilityIn, query: Query[AssignmentQuery]):
    """Commune and province officials: register a facility or hospital in your unit."""
    facility = services.facility_register(assignment=_assignment(request, query.assignment), **payload.dict())
    return Status(201, _facility_out(selectors.FacilityRow(facility, 0)))


@router.get("/alerts", response=list[AlertOut])
def alert_list(request: HttpRequest, query: Query[AssignmentQuery]):
    """Officials: open alerts (fever, symptoms, missed reports) of your jurisdiction, newest first; missed
    reports are raised first."""
    assignment = _assignment(request, query.assignment)
    services.alerts_raise_missed(unit=assignment.unit)
    alerts = selectors.alerts_open(assignment=assignment, purpose=Purpose.EPIDEMIC_CONTROL)
    return [alert_out(a) for a in alerts]


@router.post("/alerts/{alert_id}/resolve", response=AlertOut)
def alert_resolve(
    request: HttpRequest, alert_id: int, payload: AlertResolveIn, query: Query[AssignmentQuery]
):
    """Officials: mark an alert handled, with a note."""
    alert = services.alert_resolve(
        assignment=_assignment(request, query.assignment), alert_id=alert_id, note=payload.note
    )
    return alert_out(alert)


@router.get("/tests-due", response=list[TestDueOut])
def tests_due(request: HttpRequest, query: Query[AssignmentQuery]):
    """Test sites: the scheduled tests of quarantine and isolation due by today at your sites."""
    due = selectors.tests_due(assignment=_assignment(request, query.assignment))
    return [
        {"order_id": t.order_id, "person_qid": t.order.person.qid, "full_name": t.order.person.full_name,
         "day_number": t.day_number, "due_on": t.due_on, "site_code": t.site.code if t.site else None}
        for t in due
    ]  # fmt: skip


@router.get("/me", response=list[MyOrderOut])
def my_orders(request: HttpRequest):
    """Citizens: the active and released orders of you and your household."""
    person = identity_selectors.person_own(user=request.user)
    if person is None:
        raise NotFound("Your account is not linked to a person yet: link it with your ID number.")
    found = []
    for member in identity_selectors.household_members(person=person):
        for order in selectors.own_orders(person=member):
            found.append({**order_out(order), "tests": _tests_out(order), "reports": _reports_out(order)})
    return found


@router.post("/me/reports", response={201: ReportOut})
def daily_report(request: HttpRequest, payload: DailyReportIn):
    """Citizens: today's health report for you or a member of your household under an active order. Fever
    or a symptom raises an alert for the commune."""
    report = services.daily_report_submit(user=request.user, **payload.dict())
    return Status(201, _reports_out_one(report))


@router.post("/verify", response=VerifyOut, auth=None)
def verify(request: HttpRequest, payload: VerifyIn):
    """Anyone: is this release certificate genuine, and what does it say."""
    verdict = selectors.certificate_verify(text=payload.text)
    return {"status": verdict.status, "message": verdict.message, "fields": verdict.fields}


@router.get("/keys", response=KeysOut, auth=None)
def key_set(request: HttpRequest):
    """The public keys that verify release certificates (active, and retired within their grace)."""
    return selectors.public_key_set()
