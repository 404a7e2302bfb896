"""Citizen reports in the demo commune, so both sides have something to show: the demo citizen's reports
(a venue without check-in, a crowded market, one about a quarantine breach), one of them resolved by the
demo commune official with a reply, one in progress. Sent through the same services as real reports."""

import datetime as dt

from pccovid.accounts import selectors as account_selectors
from pccovid.accounts.models import User
from pccovid.core import clock
from pccovid.feedback import services
from pccovid.feedback.models import Kind, Status

COMMUNE_USERNAME = "commune"
REPORTS = [
    (Kind.NO_CHECKIN, "Quán cà phê số 12, đường Lê Lợi", "Quán đông khách nhưng không dán mã QR điểm đến."),
    (Kind.CROWDED, "Chợ tạm đầu hẻm 45", "Buổi sáng rất đông người, nhiều người không đeo khẩu trang."),
    (
        Kind.QUARANTINE_BREACH,
        "Hẻm 88, tổ dân phố 3",
        "Một người đang cách ly tại nhà thường ra ngoài buổi tối.",
    ),
]
REPLIES = [
    (Status.RESOLVED, "Tổ COVID cộng đồng đã nhắc nhở, quán đã dán mã QR. Cảm ơn anh/chị đã phản ánh."),
    (Status.IN_PROGRESS, "Phường đã chuyển tổ kiểm tra, sẽ xử lý trong ngày."),
]


def _handler(commune):
    """The demo commune official's assignment on `commune`, if it handles reports."""
    user = User.objects.filter(username=COMMUNE_USERNAME).first()
    if user is None:
        return None
    assignments = account_selectors.assignments_of(user=user)
    return next((a for a in assignments if a.unit_id == commune.pk and a.allows("feedback.handle")), None)


def demo_feedback_seed(*, commune, citizen) -> dict[str, int]:
    """Returns the numbers of reports and replies made. Reports are dated the day before, so the citizen's
    daily limit of today is untouched."""
    handler = _handler(commune)
    with clock.frozen(clock.now() - dt.timedelta(days=1)):
        reports = [
            services.citizen_report_submit(
                reporter=citizen,
                kind=kind,
                edition=commune.edition,
                unit_code=commune.code,
                place=place,
                description=description,
            )
            for kind, place, description in REPORTS
        ]
    replies = 0
    for report, (status, note) in zip(reports, REPLIES, strict=False):
        if handler is None:
            break
        services.citizen_report_status_change(
            assignment=handler, report_id=report.pk, status=status, note=note
        )
        replies += 1
    return {"reports": len(reports), "replies": replies}
