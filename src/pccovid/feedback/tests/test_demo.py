"""The demo seed: three reports in the demo commune, one resolved with a reply, one in progress."""

from pccovid.feedback import selectors
from pccovid.feedback.demo import demo_feedback_seed
from pccovid.feedback.models import Status


def test_demo_seed_makes_reports_and_a_reply(tree, people, official):
    official("commune_official", "ben_thanh", username="commune")
    assert demo_feedback_seed(commune=tree["ben_thanh"], citizen=people["an"]) == {"reports": 3, "replies": 2}
    reports = selectors.my_reports(person=people["an"])
    statuses = sorted(r.status for r in reports)
    assert statuses == sorted([Status.RESOLVED, Status.IN_PROGRESS, Status.RECEIVED])
    resolved = next(r for r in reports if r.status == Status.RESOLVED)
    assert "mã QR" in list(resolved.events.all())[-1].note
    assert selectors.reports_sent_today(reporter=people["an"]) == 0  # dated the day before


def test_demo_seed_without_the_commune_login_sends_reports_only(tree, people):
    assert demo_feedback_seed(commune=tree["ben_thanh"], citizen=people["an"]) == {"reports": 3, "replies": 0}
