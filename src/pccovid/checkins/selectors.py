"""Reads of venues and check-ins.

A citizen reads their own check-ins; an operator reads their own venues and their counts per day, never
who checked in; tracing reads who was at a venue in a time window (through `checkins_at_venue_between`,
behind its own jurisdiction and audit checks).
"""

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from pccovid.checkins import rules
from pccovid.checkins.models import CheckIn, Venue
from pccovid.core import clock
from pccovid.core.errors import NotFound
from pccovid.identity.models import Person
from pccovid.rules import services as rule_services

_VENUE_CODE = re.compile(r"[A-Z0-9]{8}")


@dataclass(frozen=True)
class DayCount:
    """Check-ins on one local day; `count` is None when 1-4 (suppressed, shown as "fewer than 5")."""

    day: dt.date
    count: int | None


def retention_days(*, on: dt.date | None = None) -> int:
    return rule_services.current(rules.RETENTION_RULES.domain, at=on).values["days"]


def venue_by_code(*, code: str) -> Venue | None:
    """Any venue by its public code (printed on its poster), active or not."""
    if not _VENUE_CODE.fullmatch(code):
        return None
    return Venue.objects.select_related("unit").filter(code=code).first()


def my_venues(*, operator) -> QuerySet[Venue]:
    return Venue.objects.filter(operator=operator).select_related("unit").order_by("-active", "name", "pk")


def venue_of_operator(*, operator, venue_code: str) -> Venue:
    """The operator's own venue; someone else's looks exactly like a missing one."""
    venue = venue_by_code(code=venue_code)
    if venue is None or venue.operator_id != operator.pk:
        raise NotFound(_("You run no venue with this code."))
    return venue


def venue_counts(*, operator, venue_code: str, days: int = 14) -> list[DayCount]:
    """Check-ins per local day (Asia/Ho_Chi_Minh) for the last `days` days, today last. Counts only."""
    venue = venue_of_operator(operator=operator, venue_code=venue_code)
    local = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    today = clock.today()
    first = today - dt.timedelta(days=days - 1)
    start = dt.datetime.combine(first, dt.time(), tzinfo=local)
    per_day = dict(
        CheckIn.objects.filter(venue=venue, at__gte=start)
        .annotate(day=TruncDate("at", tzinfo=local))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    return [
        DayCount(day=day, count=_suppressed(per_day.get(day, 0)))
        for day in (first + dt.timedelta(days=i) for i in range(days))
    ]


def _suppressed(count: int) -> int | None:
    return None if 0 < count < rules.SMALL_COUNT else count


def my_checkins(*, person: Person) -> QuerySet[CheckIn]:
    """A person's own check-ins, newest first (no audit: a person reading themself)."""
    return CheckIn.objects.filter(person=person).select_related("venue", "venue__unit").order_by("-at", "-pk")


def checkins_at_venue_between(*, venue_id: int, start: dt.datetime, end: dt.datetime) -> QuerySet[CheckIn]:
    """Check-ins at one venue with `start <= at <= end`, in time order: one range scan of the (venue, at)
    index. Tracing asks it for every visit of a case with [at - 1 h, at + 1 h] to find who was there at
    the same time. This returns personal data: callers check jurisdiction and audit what they show."""
    return CheckIn.objects.filter(venue_id=venue_id, at__gte=start, at__lte=end).order_by("at", "pk")


def checkins_of_person_between(*, person_id: int, start: dt.datetime, end: dt.datetime) -> QuerySet[CheckIn]:
    """A person's check-ins with `start <= at <= end`, in time order: one range scan of the (person, at)
    index, no join (joined to venues, PostgreSQL planned a hash join that read the whole venue table once
    per person; `venue_categories` reads the few venues instead). Tracing reads a case's (or a contact's)
    visits during its infectious window. Personal data: callers check jurisdiction and audit what they
    show."""
    return CheckIn.objects.filter(person_id=person_id, at__gte=start, at__lte=end).order_by("at", "pk")


def venue_categories(*, venue_ids: set[int]) -> dict[int, str]:
    """venue id -> category, by primary key."""
    return dict(Venue.objects.filter(pk__in=venue_ids).values_list("pk", "category"))
