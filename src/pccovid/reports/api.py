"""Report forms over HTTP: the forms and their fields, a report's figures for a unit and day (JSON), the
unit's entered values, and its submissions (submit, correct, list versions). Officials only; a unit
outside the caller's is "not found"; an official above the unit reads it but gets 403 on writes."""

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field, StringConstraints

from pccovid.accounts import selectors as account_selectors
from pccovid.core.api_fields import AssignmentQuery, IsoDate
from pccovid.reports import rules, selectors, services

router = Router(tags=["reports"])

UNIT = r"^[0-9A-Za-z.]{1,20}$"
FieldKey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,40}$")]
Value = Annotated[int, Field(ge=0, le=rules.ENTERED_MAX)]
Figure = int | float | None


class FieldOut(Schema):
    key: str
    label: str
    section: str
    entered: bool
    rollup: str
    source: str


class FormOut(Schema):
    key: str
    label: str
    version: str
    source: str
    days: int
    fields: list[FieldOut]


class ReportQuery(AssignmentQuery):
    unit: str | None = Field(None, pattern=UNIT, description="Unit code (default: your own unit).")
    date: IsoDate | None = Field(None, description="A day of the period, YYYY-MM-DD (default: yesterday).")


class RowOut(Schema):
    code: str
    name: str
    level: str
    figures: dict[str, Figure]


class LevelChangeOut(Schema):
    unit_code: str
    unit_name: str
    on: dt.date
    old_level: int
    new_level: int


class ReportOut(Schema):
    form: str
    form_version: str
    unit_code: str
    unit_name: str
    start: dt.date
    end: dt.date
    figures: dict[str, Figure]
    children: list[RowOut]
    level_changes: list[LevelChangeOut]
    locked: bool
    latest_version: int | None
    can_submit: bool


class EntryOut(Schema):
    field: str
    value: int
    entered_by: str
    at: dt.datetime


class EntriesIn(Schema):
    unit: str | None = Field(None, pattern=UNIT)
    date: IsoDate | None = None
    values: dict[FieldKey, Value] = Field(max_length=50)


class SubmitIn(Schema):
    unit: str | None = Field(None, pattern=UNIT)
    date: IsoDate | None = None
    reason: str = Field("", max_length=300, pattern=r"^[^\x00-\x1f\x7f]*$")
    values: dict[FieldKey, Value] = Field(default_factory=dict, max_length=50)


class SubmissionOut(Schema):
    version: int
    form: str
    form_version: str
    unit_code: str
    period_start: dt.date
    period_end: dt.date
    figures: dict
    reason: str
    submitted_by: str
    submitted_at: dt.datetime
    supersedes: int | None


def _assignment(request: HttpRequest, assignment_id: int | None):
    return account_selectors.acting_assignment(user=request.user, assignment_id=assignment_id)


def _user(user) -> str:
    return user.get_full_name() or user.username


def _form_out(form: rules.Form) -> dict:
    return {
        "key": form.key,
        "label": str(form.label),
        "version": form.version,
        "source": form.source,
        "days": form.days,
        "fields": [
            {
                "key": f.key,
                "label": str(f.label),
                "section": f.section,
                "entered": f.entered,
                "rollup": f.rollup,
                "source": f.selector if isinstance(f.selector, str) else "",
            }
            for f in form.fields
        ],
    }


def _report_out(report: selectors.Report) -> dict:
    return {
        "form": report.form.key,
        "form_version": report.form.version,
        "unit_code": report.unit.code,
        "unit_name": str(report.unit.name),
        "start": report.start,
        "end": report.end,
        "figures": report.figures,
        "children": [
            {"code": r.code, "name": r.name, "level": r.level, "figures": r.figures} for r in report.children
        ],
        "level_changes": [
            {
                "unit_code": c.unit_code,
                "unit_name": c.unit_name,
                "on": c.on,
                "old_level": c.old_level,
                "new_level": c.new_level,
            }
            for c in report.level_changes
        ],
        "locked": report.locked,
        "latest_version": report.latest.version if report.latest else None,
        "can_submit": report.can_submit,
    }


def _entry_out(entry) -> dict:
    return {"field": entry.field, "value": entry.value, "entered_by": _user(entry.entered_by), "at": entry.at}


def _submission_out(s, unit_code: str) -> dict:
    return {
        "version": s.version,
        "form": s.form,
        "form_version": s.form_version,
        "unit_code": unit_code,
        "period_start": s.period_start,
        "period_end": s.period_end,
        "figures": s.figures,
        "reason": s.reason,
        "submitted_by": _user(s.submitted_by),
        "submitted_at": s.submitted_at,
        "supersedes": s.supersedes.version if s.supersedes else None,
    }


@router.get("/forms", response=list[FormOut])
def forms(request: HttpRequest):
    """The report forms, their fields, the selector behind each figure and how it rolls up."""
    return [_form_out(form) for form in selectors.forms_list()]


@router.get("/{form}", response=ReportOut)
def report(request: HttpRequest, form: str, query: Query[ReportQuery]):
    """A report's figures for a unit inside yours (default your own) and the period containing `date`: the
    unit's, each direct child's, the level changes, whether it is submitted."""
    assignment = _assignment(request, query.assignment)
    found = selectors.report_build(assignment=assignment, form=form, unit_code=query.unit, on=query.date)
    return _report_out(found)


@router.get("/{form}/entries", response=list[EntryOut])
def entries(request: HttpRequest, form: str, query: Query[ReportQuery]):
    """The unit's own entered values (the latest per field), with who entered each and when."""
    assignment = _assignment(request, query.assignment)
    found = selectors.report_build(assignment=assignment, form=form, unit_code=query.unit, on=query.date)
    return [_entry_out(e) for e in found.entries]


@router.put("/{form}/entries", response=list[EntryOut])
def entries_save(request: HttpRequest, form: str, payload: EntriesIn, query: Query[AssignmentQuery]):
    """Enter values for your own unit's report (fields with `entered` true); refused once it is submitted
    (send a correction). Returns the unit's entries."""
    assignment = _assignment(request, query.assignment)
    services.report_entries_save(
        assignment=assignment, form=form, unit_code=payload.unit, on=payload.date, values=payload.values
    )
    found = selectors.report_build(assignment=assignment, form=form, unit_code=payload.unit, on=payload.date)
    return [_entry_out(e) for e in found.entries]


@router.get("/{form}/submissions", response=list[SubmissionOut])
def submissions(request: HttpRequest, form: str, query: Query[ReportQuery]):
    """Every submitted version of the unit's report for the period, newest first."""
    assignment = _assignment(request, query.assignment)
    found = selectors.report_build(assignment=assignment, form=form, unit_code=query.unit, on=query.date)
    return [_submission_out(s, found.unit.code) for s in found.submissions]


@router.post("/{form}/submissions", response={201: SubmissionOut})
def submit(request: HttpRequest, form: str, payload: SubmitIn, query: Query[AssignmentQuery]):
    """Submit your own unit's report (then locked), or correct it: a new version with a `reason` (and
    possibly new `values`); the earlier versions stay."""
    assignment = _assignment(request, query.assignment)
    submission = services.report_submit(
        assignment=assignment,
        form=form,
        unit_code=payload.unit,
        on=payload.date,
        reason=payload.reason,
        values=payload.values,
    )
    return Status(201, _submission_out(submission, submission.unit.code))
