"""Legacy data over HTTP, for data engineers' tools: push rows of a source that keeps sending data (deltas
update the records they name), the recent import runs, and the clerical review queue with its decisions.

Each source gets its own push operation whose body schema is exactly that source's extract fields
(`formats.SOURCES`), so the OpenAPI document says what each source sends.
"""

import datetime as dt
import re
from typing import Annotated

from django.http import HttpRequest
from ninja import Body, Query, Router, Schema
from pydantic import ConfigDict, Field, create_model

from pccovid.accounts import selectors as account_selectors
from pccovid.core.api_fields import AssignmentQuery
from pccovid.core.errors import Forbidden
from pccovid.core.text import fold
from pccovid.migration import formats, jobs, push, review, selectors
from pccovid.migration.formats import ExtractFormat

router = Router(tags=["legacy"])

PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
MAX_VALUE = 200  # characters of one field of a pushed row (the staged name column's size)
MAX_RECORD_ID = 64  # the staged record id column's size


def _assignment(request: HttpRequest, assignment_id: int | None, action: str):
    assignment = account_selectors.acting_assignment(user=request.user, assignment_id=assignment_id)
    if not assignment.allows(action):
        raise Forbidden("Only a data engineer works on legacy data.", code="not_a_data_engineer")
    return assignment


# --------------------------------------------------------------------------------------------- push


class _RowIn(Schema):
    model_config = ConfigDict(extra="forbid", populate_by_name=False)


def _attribute(name: str) -> str:
    """A Python name for an extract field ("Số CMND/CCCD" -> "so_cmnd_cccd"); the field is its alias."""
    return re.sub(r"\W+", "_", fold(name)).strip("_").lower()


def _row_schema(extract: ExtractFormat) -> type[Schema]:
    fields = {
        _attribute(name): (
            str,
            Field(
                alias=name,
                max_length=MAX_RECORD_ID if name == extract.record_id else MAX_VALUE,
                pattern=PRINTABLE,
            ),
        )
        for name in extract.fields
    }
    title = "".join(part.title() for part in extract.source.split("_"))
    return create_model(f"Legacy{title}RowIn", __base__=_RowIn, __doc__=extract.title, **fields)


class RowResultOut(Schema):
    row: int = Field(description="1-based position in the pushed list.")
    record_id: str
    status: str = Field(description="staged (new), updated, unchanged or rejected.")
    field: str
    reason: str


class PushOut(Schema):
    run_id: int
    staged: int
    updated: int
    unchanged: int
    rejected: int
    results: list[RowResultOut]


def _push_out(report: push.PushReport) -> dict:
    run = report.run
    return {
        "run_id": run.pk,
        "staged": run.staged,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "rejected": run.rejected,
        "results": [vars(result) for result in report.results],
    }


def _push_operation(extract: ExtractFormat) -> None:
    row_schema = _row_schema(extract)
    rows_type = Annotated[list[row_schema], Body(min_length=1, max_length=push.MAX_ROWS)]  # type: ignore[valid-type]

    def records_push(
        request: HttpRequest,
        query: Query[AssignmentQuery],
        rows: rows_type,  # type: ignore[valid-type]
    ):
        assignment = _assignment(request, query.assignment, "legacy.import")
        report = push.records_push(
            assignment=assignment,
            source=extract.source,
            rows=[row.model_dump(by_alias=True) for row in rows],
        )
        return _push_out(report)

    records_push.__doc__ = (
        f"Data engineers: up to {push.MAX_ROWS:,} rows of {extract.title}, every field present (empty "
        "string when unknown). A known record id with a changed row updates its record, the same row is "
        "unchanged, a bad row is rejected with its field and reason; the rest are staged."
    )
    router.post(
        f"/{extract.source}/records",
        response=PushOut,
        operation_id=f"legacy_{extract.source}_records_push",
    )(records_push)


for _extract in formats.SOURCES.values():
    _push_operation(_extract)


# --------------------------------------------------------------------------------------------- runs


class RunsQuery(AssignmentQuery):
    limit: int = Field(20, ge=1, le=100)


class ImportRunOut(Schema):
    id: int
    source: str
    file_name: str
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    rows_read: int
    staged: int
    unchanged: int
    updated: int
    rejected: int
    error: str


@router.get("/runs", response=list[ImportRunOut])
def import_runs(request: HttpRequest, query: Query[RunsQuery]):
    """Data engineers: the latest import runs (files and pushes), newest first."""
    _assignment(request, query.assignment, "legacy.import")
    return list(selectors.import_runs_recent(limit=query.limit))


# ------------------------------------------------------------------------------------------- review


class ReviewQuery(AssignmentQuery):
    limit: int = Field(50, ge=1, le=200)


class ComparisonOut(Schema):
    name: str
    outcome: str


class ReviewPairOut(Schema):
    id: int
    probability: float | None
    weight: float | None
    comparisons: list[ComparisonOut]
    source: str
    record_id: str
    legacy_full_name: str


class ReviewDecideIn(Schema):
    accept: bool
    note: str = Field("", max_length=300, pattern=PRINTABLE)


class ReviewDecisionOut(Schema):
    id: int
    status: str
    decided_at: dt.datetime | None
    note: str


@router.get("/review", response=list[ReviewPairOut])
def review_queue(request: HttpRequest, query: Query[ReviewQuery]):
    """Data engineers: pairs waiting for a decision in your jurisdiction, the likeliest first. Only the
    legacy side is listed; the person is shown (and audited) pair by pair in the console."""
    assignment = _assignment(request, query.assignment, "legacy.review")
    return [
        {
            "id": link.pk,
            "probability": link.probability,
            "weight": link.weight,
            "comparisons": jobs.comparisons_of(link.explanation),
            "source": link.staged_record.source,
            "record_id": link.staged_record.record_id,
            "legacy_full_name": link.staged_record.full_name,
        }
        for link in selectors.review_queue(assignment=assignment, limit=query.limit)
    ]


@router.post("/review/{link_id}", response=ReviewDecisionOut)
def review_decide(request: HttpRequest, link_id: int, payload: ReviewDecideIn, query: Query[AssignmentQuery]):
    """Data engineers: accept (link and merge at once) or reject a pair, with a note."""
    assignment = _assignment(request, query.assignment, "legacy.review")
    link = review.review_decide(
        assignment=assignment, link_id=link_id, accept=payload.accept, note=payload.note
    )
    return {"id": link.pk, "status": link.status, "decided_at": link.decided_at, "note": link.decision_note}
