"""Entering what only the unit knows, and submitting the report.

Only the unit's own officials with a role that submits (`report.submit`) enter its values and submit its
report; an official above sees it (`report.view`) but gets 403 for both. A submitted report is locked: its
entries change only through a correction, which is a new version with a reason; every version stays.
Who and when: each entry row and each submission carries its official and moment (entries are never
updated in place, so the history of a value is its rows).
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pccovid.core import clock
from pccovid.core.errors import ApplicationError, Forbidden
from pccovid.reports import rules, selectors
from pccovid.reports.models import ReportEntry, Submission

REASON_MAX = 300


class ReportError(ApplicationError):
    pass


def _own_report(*, assignment, form: str, unit_code: str | None, on: dt.date | None) -> selectors.Report:
    report = selectors.report_build(assignment=assignment, form=form, unit_code=unit_code, on=on)
    if not report.can_submit:
        raise Forbidden(_("Only the unit's own officials enter and submit its report."), code="not_your_unit")
    return report


def _values_check(form: rules.Form, values: dict) -> dict[str, int]:
    checked = {}
    for key, value in values.items():
        found = form.field(key)
        if found is None or not found.entered:
            raise ReportError(
                _("%(field)s is not a field this unit enters on this form.") % {"field": str(key)[:40]},
                field=str(key)[:40],
            )
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= rules.ENTERED_MAX:
            raise ReportError(
                _("%(label)s must be a whole number from 0 to %(max)s.")
                % {"label": found.label, "max": f"{rules.ENTERED_MAX:,}"},
                field=key,
            )
        checked[key] = value
    return checked


def _entries_write(*, assignment, report: selectors.Report, values: dict[str, int]) -> list[ReportEntry]:
    """New rows for the values that changed (an unchanged value writes nothing)."""
    current = {e.field: e.value for e in report.entries}
    now = clock.now()
    new = [
        ReportEntry(
            unit=report.unit,
            form=report.form.key,
            period_start=report.start,
            field=key,
            value=value,
            entered_by=assignment.user,
            at=now,
        )
        for key, value in values.items()
        if current.get(key) != value
    ]
    return ReportEntry.objects.bulk_create(new)


@transaction.atomic
def report_entries_save(
    *, assignment, form: str, unit_code: str | None, on: dt.date | None, values: dict
) -> list[ReportEntry]:
    """The unit's values for the entered fields of a report not yet submitted; returns the rows written."""
    report = _own_report(assignment=assignment, form=form, unit_code=unit_code, on=on)
    checked = _values_check(report.form, values)
    if report.locked:
        raise ReportError(
            _("This report is submitted and locked: send a correction with a reason."), code="report_locked"
        )
    return _entries_write(assignment=assignment, report=report, values=checked)


@transaction.atomic
def report_submit(
    *,
    assignment,
    form: str,
    unit_code: str | None,
    on: dt.date | None,
    reason: str = "",
    values: dict | None = None,
) -> Submission:
    """Freeze the report's figures as the next version. The first needs every entered field filled in;
    a later one is a correction: it needs a reason, may change the entered values, and supersedes the
    previous version, which stays."""
    report = _own_report(assignment=assignment, form=form, unit_code=unit_code, on=on)
    checked = _values_check(report.form, values or {})
    reason = " ".join((reason or "").split())
    previous = (
        Submission.objects.select_for_update()
        .filter(unit=report.unit, form=report.form.key, period_start=report.start)
        .order_by("-version")
        .first()
    )
    if previous is not None and not reason:
        raise ReportError(_("Say why you correct a submitted report."), field="reason")
    if len(reason) > REASON_MAX:
        raise ReportError(_("The reason has at most %(n)d characters.") % {"n": REASON_MAX}, field="reason")
    if checked:
        _entries_write(assignment=assignment, report=report, values=checked)
        report = selectors.report_build(
            assignment=assignment, form=form, unit_code=report.unit.code, on=report.on
        )
    missing = report.missing_entries
    if missing:
        raise ReportError(
            _("Fill in before submitting: %(fields)s.")
            % {"fields": ", ".join(str(f.label) for f in missing)},
            field=missing[0].key,
        )
    try:
        with transaction.atomic():
            return Submission.objects.create(
                unit=report.unit,
                form=report.form.key,
                form_version=report.form.version,
                period_start=report.start,
                period_end=report.end,
                version=(previous.version + 1) if previous else 1,
                figures=selectors.snapshot(report),
                reason=reason,
                submitted_by=assignment.user,
                submitted_at=clock.now(),
                supersedes=previous,
            )
    except IntegrityError:
        raise ReportError(
            _("Someone submitted this report at the same moment: reload it."), code="submitted_meanwhile"
        ) from None
