"""The old apps' records over HTTP: a citizen's legacy records and correction requests, and the officials'
queue of requests to decide. Thin: the rules live in `migration.corrections`."""

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from pccovid.accounts import selectors as account_selectors
from pccovid.core.api_fields import PRINTABLE_PATTERN, AssignmentQuery, IsoDate
from pccovid.migration import corrections
from pccovid.migration.models import CorrectionRequest

router = Router(tags=["legacy"])

CODE_PATTERN = r"^[0-9A-Za-z./_-]{1,40}$"


class LegacyRecordOut(Schema):
    link_id: int
    source: str
    source_name: str
    recorded_on: dt.date | None
    kind: str = Field(description="declaration, dose, test, health_insurance or bluezone.")
    title: str
    summary: str
    dose_status: str | None = Field(description="For a dose: counts, kept_apart or not_read.")
    dose_note: str = Field(description="Why a dose was kept apart.")
    open_request: bool = Field(description="The citizen said this record is not theirs; being checked.")
    shown_in: str = Field(
        description="testing or declarations: the record's test result or declaration is listed there now."
    )


class CorrectionCreateIn(Schema):
    kind: Literal["not_mine", "dose_missing"]
    link_id: int | None = Field(None, ge=1, le=2**62, description="not_mine: the record (link_id).")
    dose_number: int | None = Field(None, ge=1, le=9, description="dose_missing: which dose.")
    given_on: IsoDate | None = Field(None, description="dose_missing: the day it was given.")
    product_code: str | None = Field(None, pattern=CODE_PATTERN, description="dose_missing: EU DCC code.")
    site_code: str | None = Field(None, min_length=1, max_length=30, pattern=PRINTABLE_PATTERN)
    message: str = Field("", max_length=500, pattern=PRINTABLE_PATTERN)


class CorrectionOut(Schema):
    id: int
    kind: str
    status: str
    link_id: int | None
    site_code: str | None
    site_name: str | None
    details: dict
    message: str
    outcome: str
    created_at: dt.datetime
    resolved_at: dt.datetime | None


class CorrectionQueueOut(CorrectionOut):
    person_qid: str
    person_name: str
    person_birth_date: dt.date


class CorrectionResolveIn(Schema):
    decision: Literal["accept", "reject"]
    outcome: str = Field("", max_length=500, pattern=PRINTABLE_PATTERN, description="Told to the citizen.")
    lot_number: str = Field("", max_length=40, pattern=PRINTABLE_PATTERN, description="Accepting a dose.")
    dose_number: int | None = Field(None, ge=1, le=9, description="Corrects the citizen's dose number.")
    given_on: IsoDate | None = Field(None, description="Corrects the citizen's date.")
    product_code: str | None = Field(None, pattern=CODE_PATTERN, description="Corrects the vaccine.")


def correction_out(row: CorrectionRequest) -> dict:
    return {
        "id": row.pk,
        "kind": row.kind,
        "status": row.status,
        "link_id": row.link_id,
        "site_code": row.site.code if row.site else None,
        "site_name": row.site.name if row.site else None,
        "details": row.details,
        "message": row.message,
        "outcome": corrections.outcome_of(row),
        "created_at": row.created_at,
        "resolved_at": row.resolved_at,
    }


def _queue_out(row: CorrectionRequest) -> dict:
    person = row.person
    return {
        **correction_out(row),
        "person_qid": person.qid,
        "person_name": person.full_name,
        "person_birth_date": person.birth_date,
    }


@router.get("/mine", response=list[LegacyRecordOut])
def legacy_mine(request: HttpRequest):
    """Citizens: your records from the 2021 apps, newest first, each with its source and date."""
    items = corrections.legacy_items_of(person=corrections.own_person(request.user))
    return [{**item.__dict__, "summary": item.summary} for item in items]


@router.post("/corrections", response={201: CorrectionOut})
def correction_create(request: HttpRequest, payload: CorrectionCreateIn):
    """Citizens: "this record is not mine" (link_id) or "a dose is missing" (dose, date, vaccine, site)."""
    if payload.kind == "not_mine":
        if payload.link_id is None:
            raise corrections.CorrectionError(_("Say which record is not yours (link_id)."), field="link_id")
        row = corrections.request_not_mine(
            user=request.user, link_id=payload.link_id, message=payload.message
        )
    else:
        row = corrections.request_dose_missing(
            user=request.user, dose_number=payload.dose_number, given_on=payload.given_on,
            product_code=payload.product_code or "", site_code=payload.site_code or "",
            message=payload.message,
        )  # fmt: skip
    return Status(201, correction_out(row))


@router.get("/corrections/mine", response=list[CorrectionOut])
def correction_mine(request: HttpRequest):
    """Citizens: your correction requests, newest first, with their status and outcome."""
    return [
        correction_out(row)
        for row in corrections.corrections_mine(person=corrections.own_person(request.user))
    ]


@router.get("/corrections", response=list[CorrectionQueueOut])
def correction_queue(request: HttpRequest, query: Query[AssignmentQuery]):
    """Data engineers (not-mine requests) and vaccination staff (missing doses at their sites): the open
    requests to decide. Each person shown is recorded in their audit trail."""
    assignment = account_selectors.acting_assignment(user=request.user, assignment_id=query.assignment)
    return [_queue_out(row) for row in corrections.corrections_open(assignment=assignment)]


@router.post("/corrections/{request_id}/resolve", response=CorrectionQueueOut)
def correction_resolve(
    request: HttpRequest,
    payload: CorrectionResolveIn,
    query: Query[AssignmentQuery],
    request_id: int = Path(..., ge=1, le=2**62),
):
    """Accept or reject an open request; the outcome is what the citizen is told."""
    assignment = account_selectors.acting_assignment(user=request.user, assignment_id=query.assignment)
    dose = {
        "dose_number": payload.dose_number,
        "given_on": payload.given_on,
        "product_code": payload.product_code,
    }
    row = corrections.request_resolve(
        assignment=assignment, request_id=request_id, accept=payload.decision == "accept",
        outcome=payload.outcome, lot_number=payload.lot_number, dose=dose,
    )  # fmt: skip
    return _queue_out(row)
