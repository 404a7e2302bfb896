"""Reads of citizen reports: a citizen's own, and a commune's queue for officials who handle them.

The queue shows what was reported, where and when, never who reported it: officials answer through the
status note, which the citizen reads. No person record is shown, so no personal-data read is audited;
status changes are recorded with who and when (`CitizenReportEvent`).
"""

import re
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from pccovid.accounts import selectors as account_selectors
from pccovid.core import clock
from pccovid.core.errors import NotFound
from pccovid.core.querysets import units_within
from pccovid.feedback.errors import FeedbackError
from pccovid.feedback.models import CitizenReport, CitizenReportEvent, Status
from pccovid.geography import selectors as geography_selectors
from pccovid.identity import selectors as identity_selectors
from pccovid.rules import services as rule_services

ACTION = "feedback.handle"
LIST_MAX = 200
UNIT_CODE = re.compile(r"[0-9A-Za-z.]{1,20}")


@dataclass(frozen=True)
class QueuePage:
    items: list
    count: int
    by_status: dict[str, int] = field(default_factory=dict)


def policy(*, at=None):
    return rule_services.current("feedback", at=at)


def reports_sent_today(*, reporter) -> int:
    """How many reports the citizen sent on the current local day (the daily limit counts these)."""
    start, end = clock.local_day_bounds(clock.today())
    return CitizenReport.objects.filter(reporter=reporter, created_at__gte=start, created_at__lt=end).count()


def _with_history(reports: QuerySet) -> QuerySet:
    events = CitizenReportEvent.objects.select_related("by_unit", "by").order_by("at", "pk")
    return reports.select_related("unit", "commune").prefetch_related(Prefetch("events", queryset=events))


def my_reports(*, person) -> list[CitizenReport]:
    """The citizen's reports, newest first, each with its status history and the commune's notes."""
    reports = CitizenReport.objects.filter(reporter=person).order_by("-created_at", "-pk")
    return list(_with_history(reports))


def my_report(*, person, report_id: int) -> CitizenReport:
    report = _with_history(CitizenReport.objects.filter(reporter=person, pk=report_id)).first()
    if report is None:
        raise NotFound()
    return report


def _handling(assignment) -> QuerySet:
    """The reports in the assignment's reach; a role that does not handle reports sees none (404)."""
    if assignment is None or not assignment.allows(ACTION):
        raise NotFound(_("Your role does not handle citizen reports."))
    return CitizenReport.objects.restrict_to(assignment, ACTION)


def report_in_reach(*, assignment, report_id: int) -> QuerySet:
    """The report as a queryset (empty when absent or out of reach), for services to lock."""
    return _handling(assignment).filter(pk=report_id)


def report_get(*, assignment, report_id: int) -> CitizenReport:
    report = _with_history(report_in_reach(assignment=assignment, report_id=report_id)).first()
    if report is None:
        raise NotFound()
    return report


def _unit_filter(assignment, unit_code: str) -> Q:
    code = unit_code.strip()
    unit = None
    if UNIT_CODE.fullmatch(code):
        try:
            unit = geography_selectors.unit_get(edition=assignment.unit.edition, code=code)
        except NotFound:
            unit = None
    if unit is None:
        raise FeedbackError(
            _("Commune: no administrative unit has the code %(code)s.") % {"code": unit_code}, field="unit"
        )
    inside = units_within(unit)
    return Q(unit_id__in=inside) | Q(commune_id__in=inside)


def queue(
    *,
    assignment,
    unit_code: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> QueuePage:
    """The reports in reach, newest first, with the counts per status of the same
    filters (without the status filter, so every tab shows its number). Two queries."""
    reports = _handling(assignment)
    if unit_code:
        reports = reports.filter(_unit_filter(assignment, unit_code))
    if kind:
        reports = reports.filter(kind=kind)
    counts = dict(reports.order_by().values_list("status").annotate(n=Count("pk")))
    by_status = {value: counts.get(value, 0) for value in Status.values}
    if status:
        reports = reports.filter(status=status)
    items = list(
        reports.select_related("unit", "commune").order_by("-created_at", "-pk")[
            offset : offset + min(limit, LIST_MAX)
        ]
    )
    total = by_status.get(status, 0) if status else sum(by_status.values())
    return QueuePage(items=items, count=total, by_status=by_status)


def report_photo_get(*, user, report_id: int) -> CitizenReport:
    """The report whose photo `user` may see: their own, or one in reach of any of their roles that handle
    reports. Anything else, and a report without a photo, is "not found"."""
    reports = CitizenReport.objects.none()
    person = identity_selectors.person_own(user=user)
    if person is not None:
        reports = CitizenReport.objects.filter(reporter=person, pk=report_id)
    for assignment in account_selectors.assignments_of(user=user):
        reports = reports | CitizenReport.objects.restrict_to(assignment, ACTION).filter(pk=report_id)
    report = reports.exclude(photo="").first()
    if report is None:
        raise NotFound()
    return report
