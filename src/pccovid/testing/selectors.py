"""Reads of test results.

Citizens read their own results at once (`results_of`); the COVID card reads `last_negative_test_at` and
`positive_results`. Officials read through `results_list` and `retests_due`: restricted to the acting
assignment's reach (`restrict_to`), every person shown audited. A site outside the caller's jurisdiction
is "not found", like an absent one.
"""

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from pccovid.audit import services as audit_services
from pccovid.core import clock
from pccovid.core.errors import Forbidden, NotFound
from pccovid.core.querysets import units_within
from pccovid.rules import services as rule_services
from pccovid.testing import rules
from pccovid.testing.errors import TestingError
from pccovid.testing.models import Result, TestKind, TestResult, TestSite

if TYPE_CHECKING:
    from pccovid.identity.models import Person

LIST_FIELDS = ["full_name", "test_result.kind", "test_result.sample_taken_at", "test_result.result"]
LIST_MAX = 200


@dataclass(frozen=True)
class ResultPage:
    items: list[TestResult]
    count: int


def policy(*, at: dt.date | None = None) -> rule_services.RuleSet:
    return rule_services.current(rules.TESTING_RULES.domain, at=at)


def _with_relations(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("person__residence_unit", "site__unit", "pool", "technician")


def sites_in_reach(*, assignment) -> QuerySet:
    """The test sites inside the assignment's unit (where it may record results)."""
    return TestSite.objects.filter(unit_id__in=units_within(assignment.unit)).select_related("unit")


def sites_within(*, unit) -> QuerySet:
    """The test sites inside `unit` (a quarantine order made by the system picks one in the person's
    commune)."""
    return TestSite.objects.filter(unit_id__in=units_within(unit)).select_related("unit")


def site_for_recording(*, assignment, site_code: str) -> TestSite:
    """The site the official records at: their role must record results, the site must lie in reach."""
    if assignment.role not in rules.RECORD_ROLES or not assignment.active:
        raise Forbidden(_("Your role does not record test results."), code="no_permission")
    site = sites_in_reach(assignment=assignment).filter(code=(site_code or "").strip()).first()
    if site is None:
        raise NotFound(_("No test site with this code in your jurisdiction."), field="site_code")
    return site


def results_of(*, person: "Person", limit: int = 100) -> list[TestResult]:
    """The person's own results, newest sample first (no audit: a person reading themself)."""
    return list(
        TestResult.objects.filter(person=person)
        .select_related("site", "pool")
        .order_by("-sample_taken_at", "-pk")[:limit]
    )


def results_sampled_on(*, person: "Person", kind: str, day: dt.date) -> list[TestResult]:
    """The person's results of this kind whose sample was taken on the local day `day` (internal: the
    legacy import's duplicate check)."""
    start, end = clock.local_midnight(day), clock.local_midnight(day + dt.timedelta(days=1))
    results = TestResult.objects.filter(person=person, kind=kind)
    return list(results.filter(sample_taken_at__gte=start, sample_taken_at__lt=end))


def last_negative_test_at(*, person: "Person") -> dt.datetime | None:
    """When the newest negative sample of the person was taken (a negative pool counts for its members)."""
    return (
        TestResult.objects.filter(person=person, result=Result.NEGATIVE)
        .order_by("-sample_taken_at")
        .values_list("sample_taken_at", flat=True)
        .first()
    )


def positive_results(*, person: "Person") -> list[TestResult]:
    """The person's individual positive results, newest first. A pooled positive is not one: it only calls
    for an individual retest (`needs_retest`)."""
    return list(
        TestResult.objects.filter(person=person, result=Result.POSITIVE)
        .exclude(kind=TestKind.POOLED_RT_PCR)
        .select_related("site")
        .order_by("-sample_taken_at", "-pk")
    )


def _audit(*, assignment, results: list[TestResult], purpose: str) -> None:
    persons = {r.person_id: r.person for r in results}
    audit_services.personal_data_reads_record(
        assignment=assignment, persons=persons.values(), fields=LIST_FIELDS, purpose=purpose
    )


def results_in_reach(*, assignment) -> QuerySet:
    """Results of the people in the assignment's reach, as a restricted queryset, not yet read."""
    return _with_relations(TestResult.objects.restrict_to(assignment, "person.view"))


def results_list(
    *,
    assignment,
    purpose: str,
    site_code: str | None = None,
    result: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> ResultPage:
    """One page of the results in reach, newest sample first; each person shown is audited."""
    audit_services.purpose_check(purpose)
    results = results_in_reach(assignment=assignment)
    if site_code:
        results = results.filter(site__code=site_code.strip())
    if result:
        if result not in Result.values:
            raise TestingError(_("Result must be one of: %s.") % ", ".join(Result.values), field="result")
        results = results.filter(result=result)
    results = results.order_by("-sample_taken_at", "-pk")
    items = list(results[offset : offset + min(limit, LIST_MAX)])
    _audit(assignment=assignment, results=items, purpose=purpose)
    return ResultPage(items=items, count=results.count())


def retests_due(*, assignment, purpose: str = "epidemic_control", limit: int = 500) -> list[TestResult]:
    """Pooled positives whose person has not had an individual test since, at the sites in reach (the
    site's to-do list), oldest first; each person shown is audited."""
    audit_services.purpose_check(purpose)
    items = list(
        results_in_reach(assignment=assignment)
        .filter(needs_retest=True, site__in=sites_in_reach(assignment=assignment))
        .order_by("sample_taken_at", "pk")[:limit]
    )
    _audit(assignment=assignment, results=items, purpose=purpose)
    return items


# --- Report aggregates (issue 8) ---


def test_counts(*, unit, start: dt.date, end: dt.date) -> dict[int, dict[str, int]]:
    """Tests done and positive per unit id of the test site (any depth inside `unit`, not rolled up), for
    samples taken on local days start..end inclusive. Every result is a test done (a pooled sample once per
    member, as labs report them); "positive" counts individual positives only (a pooled positive calls for
    an individual retest, which is counted when it comes). One grouped query on the (site, sample) index.
    An aggregate: no audit."""
    from django.db.models import Count, Q

    low, high = clock.local_midnight(start), clock.local_midnight(end + dt.timedelta(days=1))
    positive = Q(result=Result.POSITIVE) & ~Q(kind=TestKind.POOLED_RT_PCR)
    rows = (
        TestResult.objects.filter(
            site__unit_id__in=units_within(unit), sample_taken_at__gte=low, sample_taken_at__lt=high
        )
        .values("site__unit_id")
        .annotate(done=Count("pk"), positive=Count("pk", filter=positive))
        .order_by()
    )
    return {row["site__unit_id"]: {"done": row["done"], "positive": row["positive"]} for row in rows}


test_counts.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


# --- City operations (issue 8) ---


def tests_by_day(*, unit, start: dt.date, end: dt.date) -> list[tuple[dt.date, int, int]]:
    """(local day, tests done, positive) for each day start..end inclusive that has a sample, oldest first,
    at the test sites inside `unit`. Counted as `test_counts` counts them (every result a test, positives
    individual only), grouped by the sample's local day in one query. An aggregate: no audit."""
    import zoneinfo

    from django.conf import settings
    from django.db.models import Count, Q
    from django.db.models.functions import TruncDate

    low, high = clock.local_midnight(start), clock.local_midnight(end + dt.timedelta(days=1))
    positive = Q(result=Result.POSITIVE) & ~Q(kind=TestKind.POOLED_RT_PCR)
    rows = (
        TestResult.objects.filter(
            site__unit_id__in=units_within(unit), sample_taken_at__gte=low, sample_taken_at__lt=high
        )
        .annotate(day=TruncDate("sample_taken_at", tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)))
        .values("day")
        .annotate(done=Count("pk"), positive=Count("pk", filter=positive))
        .order_by("day")
    )
    return [(row["day"], row["done"], row["positive"]) for row in rows]


tests_by_day.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def results_of_persons(*, person_ids: list[int]) -> dict[int, list[TestResult]]:
    """The results of many people at once (an export's chunk), oldest sample first, site and pool loaded.
    Internal: the caller restricts the people and audits the read."""
    found: dict[int, list[TestResult]] = {}
    results = TestResult.objects.filter(person_id__in=person_ids).select_related("site", "pool")
    for result in results.order_by("person_id", "sample_taken_at", "pk"):
        found.setdefault(result.person_id, []).append(result)
    return found


def tested_person_ids() -> QuerySet:
    """Ids of the people with at least one result, as a subquery."""
    return TestResult.objects.values("person_id")
