"""Citizen reports over HTTP. Citizens send a report (multipart, with an optional photo) and read their
own with the commune's notes; officials who handle reports read their unit's queue and change a report's
status with a note to the citizen. Who reported is never returned to officials."""

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from ninja import File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from pccovid.accounts import selectors as account_selectors
from pccovid.core.api_fields import PRINTABLE_PATTERN, AssignmentQuery
from pccovid.core.errors import NotFound
from pccovid.core.pagination import LimitOffset
from pccovid.feedback import selectors, services
from pccovid.feedback.models import Kind
from pccovid.feedback.models import Status as ReportStatus
from pccovid.geography.models import Edition
from pccovid.identity import selectors as identity_selectors

router = Router(tags=["Citizen reports"])

UNIT_CODE = r"^[0-9A-Za-z.]{1,20}$"
# Text of several lines: newlines and tabs allowed, no other control character (PostgreSQL refuses NUL).
MULTILINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
ReportId = Annotated[int, Path(ge=1, le=2**62, description="The report's id.")]


class CitizenReportSubmitIn(Schema):
    kind: Kind
    edition: Edition = Field(
        Edition.CURRENT, description="Which commune list the code is from: 2025 or 2021."
    )
    unit_code: str = Field(pattern=UNIT_CODE, description="The commune or ward the report concerns.")
    place: str = Field(
        "", max_length=200, pattern=PRINTABLE_PATTERN, description="Venue, house number, street."
    )
    description: str = Field(
        min_length=1, max_length=2000, pattern=MULTILINE, description="What the citizen saw."
    )


class CitizenReportEventOut(Schema):
    status: str
    note: str
    unit_name: str | None = Field(description="The unit of the official who changed the status.")
    at: dt.datetime


class CitizenReportOut(Schema):
    id: int
    reference: str
    kind: str
    unit_code: str
    unit_name: str
    edition: str
    place: str
    description: str
    has_photo: bool
    status: str
    created_at: dt.datetime
    events: list[CitizenReportEventOut]


class CitizenReportQueueItemOut(Schema):
    id: int
    reference: str
    kind: str
    unit_code: str
    unit_name: str
    edition: str
    commune_code: str | None = Field(description="The same place on the 2025 map.")
    place: str
    description: str
    has_photo: bool
    status: str
    created_at: dt.datetime
    status_changed_at: dt.datetime


class CitizenReportQueueOut(Schema):
    items: list[CitizenReportQueueItemOut]
    count: int
    by_status: dict[str, int] = Field(description="Reports per status with the same filters, status aside.")


class CitizenReportQueueQuery(AssignmentQuery):
    unit_code: str | None = Field(None, pattern=UNIT_CODE, description="Reports inside this unit.")
    kind: Kind | None = None
    status: ReportStatus | None = None


class CitizenReportStatusIn(Schema):
    status: ReportStatus
    note: str = Field(
        "",
        max_length=1000,
        pattern=MULTILINE,
        description="What the citizen reads (required to resolve or reject).",
    )


def _report_out(report) -> dict:
    return {
        "id": report.pk,
        "reference": report.reference,
        "kind": report.kind,
        "unit_code": report.unit.code,
        "unit_name": report.unit.name,
        "edition": report.unit.edition,
        "place": report.place,
        "description": report.description,
        "has_photo": bool(report.photo),
        "status": report.status,
        "created_at": report.created_at,
    }


def _citizen_report_out(report) -> dict:
    events = [
        {"status": e.status, "note": e.note, "unit_name": e.by_unit.name if e.by_unit else None, "at": e.at}
        for e in report.events.all()
    ]
    return {**_report_out(report), "events": events}


def _queue_item_out(report) -> dict:
    return {
        **_report_out(report),
        "commune_code": report.commune.code if report.commune else None,
        "status_changed_at": report.status_changed_at,
    }


def _person(request: HttpRequest):
    person = identity_selectors.person_own(user=request.user)
    if person is None:
        raise NotFound("Your account is not linked to a person yet: link it with your ID number.")
    return person


@router.post("/reports", response={201: CitizenReportOut})
def report_submit(
    request: HttpRequest, payload: Form[CitizenReportSubmitIn], photo: File[UploadedFile] = None
):
    """Citizens: report a problem (multipart form; `photo` optional: JPEG, PNG or WebP, at most 5 MB,
    re-encoded without its metadata). At most 10 reports a day (429)."""
    person = _person(request)
    report = services.citizen_report_submit(
        reporter=person,
        kind=payload.kind,
        edition=payload.edition,
        unit_code=payload.unit_code,
        place=payload.place,
        description=payload.description,
        photo=photo,
    )
    return Status(201, _citizen_report_out(selectors.my_report(person=person, report_id=report.pk)))


@router.get("/reports", response=list[CitizenReportOut])
def my_reports(request: HttpRequest):
    """Citizens: your reports, newest first, with each status change and the commune's note."""
    return [_citizen_report_out(r) for r in selectors.my_reports(person=_person(request))]


@router.get("/queue", response=CitizenReportQueueOut)
def queue(request: HttpRequest, query: Query[CitizenReportQueueQuery], page: Query[LimitOffset.Input]):
    """Officials who handle reports: the reports inside your unit (a province sees all its communes),
    newest first (at most 200 per page), with the counts per status."""
    assignment = account_selectors.acting_assignment(user=request.user, assignment_id=query.assignment)
    found = selectors.queue(
        assignment=assignment,
        unit_code=query.unit_code,
        kind=query.kind,
        status=query.status,
        limit=page.limit,
        offset=page.offset,
    )
    return {
        "items": [_queue_item_out(r) for r in found.items],
        "count": found.count,
        "by_status": found.by_status,
    }


@router.post("/reports/{report_id}/status", response=CitizenReportQueueItemOut)
def status_change(
    request: HttpRequest, report_id: ReportId, payload: CitizenReportStatusIn, query: Query[AssignmentQuery]
):
    """Officials who handle reports: move a report in your unit on (received → in progress → resolved or
    rejected) with a note the citizen reads. Out of reach is 404; a move the workflow refuses is 400."""
    assignment = account_selectors.acting_assignment(user=request.user, assignment_id=query.assignment)
    services.citizen_report_status_change(
        assignment=assignment, report_id=report_id, status=payload.status, note=payload.note
    )
    return _queue_item_out(selectors.report_get(assignment=assignment, report_id=report_id))
