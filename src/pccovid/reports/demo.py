"""Yesterday's daily report of the demo commune, entered and submitted by the demo commune official
(username "commune"), so the reports page shows a submitted, locked version. Values are illustrative."""

import datetime as dt

from pccovid.accounts import selectors as account_selectors
from pccovid.accounts.models import User
from pccovid.reports import selectors, services

# What a ward's health station would enter (illustrative figures for the demo, not data).
DEMO_VALUES = {
    "beds_total": 40,
    "beds_in_use": 23,
    "icu_beds_in_use": 2,
    "patients_on_oxygen": 5,
    "home_care_teams": 6,
    "health_staff": 31,
}


def demo_reports_seed(*, commune, today: dt.date) -> dict[str, int]:
    """Enter and submit yesterday's daily report of `commune` as the demo commune official. Returns the
    version submitted (0 when the demo login is missing, is not bound to `commune`, or it was submitted
    already)."""
    user = User.objects.filter(username="commune").first()
    assignment = account_selectors.assignments_of(user=user).first() if user else None
    if assignment is None or assignment.unit_id != commune.pk:
        return {"report_version": 0}
    yesterday = today - dt.timedelta(days=1)

    report = selectors.report_build(assignment=assignment, form="daily", unit_code=commune.code, on=yesterday)
    if report.locked:
        return {"report_version": 0}
    services.report_entries_save(
        assignment=assignment, form="daily", unit_code=commune.code, on=yesterday, values=DEMO_VALUES
    )
    submission = services.report_submit(
        assignment=assignment, form="daily", unit_code=commune.code, on=yesterday
    )
    return {"report_version": submission.version}
