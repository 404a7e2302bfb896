"""Reads: co-presence window for tracing, counts per day without identities, a person's history."""

import datetime as dt

import pytest
from django.db import connection

from pccovid.checkins import selectors, services
from pccovid.checkins.models import CheckIn
from pccovid.checkins.tests.conftest import NOW
from pccovid.core.errors import NotFound


def _checkin(venue, person, operator, at, n):
    return CheckIn.objects.create(
        person=person, venue=venue, at=at, how="venue_scan", recorded_by=operator, client_event_id=f"e{n}"
    )


def test_checkins_at_venue_between_includes_both_edges(venue, operator, people):
    start, end = NOW - dt.timedelta(hours=1), NOW + dt.timedelta(hours=1)
    second = dt.timedelta(microseconds=1)
    times = [start - second, start, NOW, end, end + second]
    for n, at in enumerate(times):
        _checkin(venue, people["an"], operator, at, n)
    found = selectors.checkins_at_venue_between(venue_id=venue.pk, start=start, end=end)
    assert [c.at for c in found] == [start, NOW, end]


def test_checkins_at_venue_between_uses_the_venue_time_index(venue, operator, people):
    other = services.venue_register(operator=operator, name="Chợ", category="market", unit_code="26743")
    rows = [
        CheckIn(
            person=people["an"],
            venue=v,
            at=NOW - dt.timedelta(hours=n),
            how="venue_scan",
            recorded_by=operator,
            client_event_id=f"{v.code}-{n}",
        )
        for v in (venue, other)
        for n in range(300)
    ]
    CheckIn.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE checkins_checkin")
    query = selectors.checkins_at_venue_between(
        venue_id=venue.pk, start=NOW - dt.timedelta(hours=1), end=NOW + dt.timedelta(hours=1)
    )
    assert len(query) == 2
    assert "checkin_venue_at" in query.explain()


def test_counts_per_local_day_without_identities(venue, operator, people):
    # 23:30 on 19 Sept in Vietnam is 16:30 UTC: it counts for the 19th, not the 20th.
    late_evening = dt.datetime(2021, 9, 19, 16, 30, tzinfo=dt.UTC)
    for n in range(6):
        _checkin(venue, people["an"], operator, late_evening, n)
    for n in range(6, 8):
        _checkin(venue, people["chi"], operator, NOW, n)
    counts = selectors.venue_counts(operator=operator, venue_code=venue.code, days=3)
    assert [(c.day, c.count) for c in counts] == [
        (dt.date(2021, 9, 18), 0),
        (dt.date(2021, 9, 19), 6),
        (dt.date(2021, 9, 20), None),  # 2 check-ins: suppressed
    ]


def test_counts_are_only_for_the_operator(venue, citizen):
    with pytest.raises(NotFound):
        selectors.venue_counts(operator=citizen, venue_code=venue.code)


def test_my_checkins_newest_first(venue, operator, people):
    _checkin(venue, people["an"], operator, NOW - dt.timedelta(days=1), 1)
    _checkin(venue, people["an"], operator, NOW, 2)
    _checkin(venue, people["chi"], operator, NOW, 3)
    assert [c.client_event_id for c in selectors.my_checkins(person=people["an"])] == ["e2", "e1"]
