"""A case in the demo officials' ward, so the tracer's console has work to show: a resident of the focus
commune who checked in at busy venues tests positive at the commune's site (recorded by the demo health
worker, through the same services as a real result); the case opens and its contacts are found by the
event handlers; the demo tracer orders home quarantine for the F1 contacts, one of whom then tests
positive (a second case, so the transmission chain has two links); the commune registers a quarantine
facility."""

import datetime as dt

from django.db.models import Count

from pccovid.accounts import selectors as account_selectors
from pccovid.accounts.models import User
from pccovid.checkins.models import CheckIn
from pccovid.core import clock
from pccovid.core.querysets import units_within
from pccovid.quarantine import services as quarantine_services
from pccovid.testing import selectors as testing_selectors
from pccovid.testing import services as testing_services
from pccovid.tracing import services
from pccovid.tracing.models import ContactStatus


def _assignment(username: str):
    user = User.objects.filter(username=username).first()
    return account_selectors.assignments_of(user=user).first() if user else None


def _most_visited_resident(focus):
    """The resident of `focus` with the most check-ins (the demo's check-ins are spread over the city)."""
    busiest = (
        CheckIn.objects.filter(person__residence_unit_id__in=units_within(focus))
        .values("person_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "person_id")
        .first()
    )
    return busiest["person_id"] if busiest else None


def demo_case(*, focus) -> dict[str, int]:
    """Returns the numbers of cases, contacts and quarantine orders made (zeros when a demo login is missing
    or nobody in the commune checked in)."""
    health, tracer, commune = (_assignment(name) for name in ("health", "tracer", "commune"))
    person_id = _most_visited_resident(focus)
    if not (health and tracer and commune and person_id):
        return {"cases": 0, "contacts": 0, "orders": 0}
    quarantine_services.facility_register(
        assignment=commune,
        code=f"CL{focus.code}",
        name=f"Khu cách ly {focus.name}",
        kind="facility",
        capacity=60,
    )
    site = testing_selectors.sites_within(unit=focus).first() or testing_services.test_site_register(
        assignment=commune, code=f"XN{focus.code}", name=f"Trạm Y tế {focus.name}", unit_code=focus.code
    )
    person = CheckIn.objects.select_related("person").filter(person_id=person_id).first().person
    case = _positive(health, person, site.code, f"DEMO-F0-{focus.code}", hours_ago=3)
    f1 = list(case.contacts.filter(degree=1, status=ContactStatus.FOUND).values_list("pk", flat=True))
    report = quarantine_services.orders_for_contacts(assignment=tracer, contact_ids=f1)
    cases = 1
    if report.created:  # one F1 tests positive in quarantine: a second case, a chain of two
        _positive(health, report.created[0].person, site.code, f"DEMO-F0-{focus.code}-2", hours_ago=1)
        cases = 2
    return {"cases": cases, "contacts": case.contacts.count(), "orders": len(report.created)}


def _positive(health, person, site_code: str, sample_id: str, *, hours_ago: int):
    """Record a positive result and open its case. The event handler does the same after commit (and then
    finds the result already attached); calling it here makes the demo independent of when handlers run
    (a worker, or a test's transaction)."""
    result = testing_services.result_record(
        assignment=health,
        person_qid=person.qid,
        kind="rt_pcr",
        sample_taken_at=clock.now() - dt.timedelta(hours=hours_ago),
        result="positive",
        ct_value=21.5,
        site_code=site_code,
        external_id=sample_id,
    )
    return services.case_open_from_result(
        result_id=result.pk, person_qid=person.qid, sample_taken_at=result.sample_taken_at
    )
