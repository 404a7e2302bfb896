"""Test results over HTTP: technicians record one result; lab systems send batches (JSON or a CSV upload,
same checks, same report, idempotent by site + sample id); a pool's result; citizens read their own;
officials list the results in their jurisdiction (every person shown audited)."""

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from pccovid.accounts import selectors as account_selectors
from pccovid.audit.models import Purpose
from pccovid.core.api_fields import AssignmentQuery
from pccovid.core.errors import NotFound
from pccovid.core.pagination import LimitOffset
from pccovid.identity import selectors as identity_selectors
from pccovid.testing import rules, selectors, services
from pccovid.testing.models import Result, TestKind

router = Router(tags=["testing"])

PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
CODE = r"^[A-Za-z0-9._:/-]{1,40}$"


class ResultRecordIn(Schema):
    site_code: str = Field(pattern=CODE, max_length=20)
    person_qid: str = Field(pattern=r"^[0-9A-Z]{6,32}$")
    kind: TestKind
    sample_taken_at: dt.datetime = Field(description="ISO 8601; without an offset it is Vietnam time.")
    result: Result
    ct_value: Decimal | None = Field(None, description="PCR only, 0-45.", max_digits=6, decimal_places=2)
    external_id: str | None = Field(None, pattern=CODE, max_length=64, description="The lab's sample id.")


class ResultRecordOut(Schema):
    id: int
    person_qid: str
    full_name: str
    kind: str
    sample_taken_at: dt.datetime
    result: str
    ct_value: float | None
    site_code: str
    external_id: str | None
    needs_retest: bool


class ResultRowIn(Schema):
    """One row, the columns of the CSV (docs/data-formats.md, "Test result CSV"), as text."""

    external_id: str = Field(max_length=64, pattern=PRINTABLE)
    id_number: str = Field("", max_length=20, pattern=PRINTABLE)
    qid: str = Field("", max_length=32, pattern=PRINTABLE)
    full_name: str = Field("", max_length=120, pattern=PRINTABLE)
    birth_date: str = Field("", max_length=10, pattern=PRINTABLE)
    kind: str = Field(max_length=20, pattern=PRINTABLE)
    sample_taken_at: str = Field(max_length=40, pattern=PRINTABLE)
    result: str = Field("", max_length=20, pattern=PRINTABLE)
    ct_value: str = Field("", max_length=10, pattern=PRINTABLE)
    pool_code: str = Field("", max_length=40, pattern=PRINTABLE)
    technician: str = Field("", max_length=120, pattern=PRINTABLE)


class ResultBatchIn(Schema):
    site_code: str = Field(pattern=CODE, max_length=20)
    rows: list[ResultRowIn] = Field(max_length=rules.MAX_BATCH)


class RowErrorOut(Schema):
    row: int
    field: str
    reason: str
    external_id: str


class ImportReportOut(Schema):
    source: str
    rows: int
    stored: int
    unchanged: int
    rejected_rows: int
    rejected: list[RowErrorOut]


class PoolResultIn(Schema):
    site_code: str = Field(pattern=CODE, max_length=20)
    result: Result


class PoolResultOut(Schema):
    pool_code: str
    result: str
    members: int
    flagged: int
    cleared: int


class MyResultOut(Schema):
    id: int
    kind: str
    sample_taken_at: dt.datetime
    result: str
    ct_value: float | None
    site_name: str
    needs_retest: bool


class ResultListItemOut(ResultRecordOut):
    site_name: str
    source: str


class ResultListOut(Schema):
    items: list[ResultListItemOut]
    count: int


class ResultListQuery(AssignmentQuery):
    purpose: Purpose = Purpose.EPIDEMIC_CONTROL
    site_code: str | None = Field(None, pattern=CODE, max_length=20)
    result: Result | None = None


def result_out(result) -> dict:
    return {
        "id": result.pk,
        "person_qid": result.person.qid,
        "full_name": result.person.full_name,
        "kind": result.kind,
        "sample_taken_at": result.sample_taken_at,
        "result": result.result,
        "ct_value": float(result.ct_value) if result.ct_value is not None else None,
        "site_code": result.site.code,
        "site_name": result.site.name,
        "external_id": result.external_id,
        "needs_retest": result.needs_retest,
        "source": result.source,
    }


def report_out(report: services.ImportReport) -> dict:
    return {
        "source": report.source,
        "rows": report.rows,
        "stored": report.stored,
        "unchanged": report.unchanged,
        "rejected_rows": report.rejected_rows,
        "rejected": report.rejected,
    }


def _assignment(request: HttpRequest, assignment_id: int | None):
    return account_selectors.acting_assignment(user=request.user, assignment_id=assignment_id)


@router.post("/results", response={201: ResultRecordOut})
def result_record(request: HttpRequest, payload: ResultRecordIn, query: Query[AssignmentQuery]):
    """Technicians: one result of a person who presented themself at the site (idempotent by sample id)."""
    result = services.result_record(assignment=_assignment(request, query.assignment), **payload.dict())
    return Status(201, result_out(result))


@router.post("/results/batch", response=ImportReportOut)
def result_batch(request: HttpRequest, payload: ResultBatchIn, query: Query[AssignmentQuery]):
    """Lab systems (device token): up to 1,000 rows; bad rows reported, good rows stored together; a
    re-sent row (same site and sample id, same values) changes nothing."""
    report = services.results_import_rows(
        assignment=_assignment(request, query.assignment),
        site_code=payload.site_code,
        rows=[row.dict() for row in payload.rows],
    )
    return report_out(report)


@router.post("/results/csv", response=ImportReportOut)
def result_csv(
    request: HttpRequest,
    query: Query[AssignmentQuery],
    site_code: Form[str],
    file: File[UploadedFile],
):
    """Labs: a CSV file (multipart: `site_code`, `file`), checked row by row; the report names bad rows."""
    report = services.results_import_csv(
        assignment=_assignment(request, query.assignment), site_code=site_code, file=file
    )
    return report_out(report)


@router.post("/pools/{code}/result", response=PoolResultOut)
def pool_result(request: HttpRequest, code: str, payload: PoolResultIn, query: Query[AssignmentQuery]):
    """Labs: the result of a pool. Positive flags every member for an individual retest; negative clears."""
    outcome = services.pool_record_result(
        assignment=_assignment(request, query.assignment),
        site_code=payload.site_code,
        pool_code=code,
        result=payload.result,
    )
    return {
        "pool_code": outcome.pool.code,
        "result": outcome.pool.result,
        "members": outcome.members,
        "flagged": outcome.flagged,
        "cleared": outcome.cleared,
    }


@router.get("/me", response=list[MyResultOut])
def my_results(request: HttpRequest):
    """Citizens: your results, newest first, as soon as they are recorded."""
    person = identity_selectors.person_own(user=request.user)
    if person is None:
        raise NotFound("Your account is not linked to a person yet: link it with your ID number.")
    return [
        {
            "id": r.pk,
            "kind": r.kind,
            "sample_taken_at": r.sample_taken_at,
            "result": r.result,
            "ct_value": float(r.ct_value) if r.ct_value is not None else None,
            "site_name": r.site.name,
            "needs_retest": r.needs_retest,
        }
        for r in selectors.results_of(person=person)
    ]


@router.get("/results", response=ResultListOut)
def result_list(request: HttpRequest, query: Query[ResultListQuery], page: Query[LimitOffset.Input]):
    """Officials: results of the people in your jurisdiction, newest first, at most 200 per page; each
    person shown is recorded in their audit trail."""
    found = selectors.results_list(
        assignment=_assignment(request, query.assignment),
        purpose=query.purpose,
        site_code=query.site_code,
        result=query.result,
        limit=page.limit,
        offset=page.offset,
    )
    return {"items": [result_out(r) for r in found.items], "count": found.count}
