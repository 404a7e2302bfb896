"""The demo case: the busiest resident of the demo ward tests positive; their F1 go into quarantine."""

import datetime as dt

from pccovid.quarantine import selectors as quarantine_selectors
from pccovid.tracing import selectors
from pccovid.tracing.demo import demo_case

from .conftest import NOW


def test_demo_case_opens_traces_and_quarantines(
    tree, official, person, venue, checkin, django_capture_on_commit_callbacks
):
    for role, username in (
        ("health_worker", "health"),
        ("tracer", "tracer"),
        ("commune_official", "commune"),
    ):
        official(role, "ben_thanh", username=username)
    busy, neighbour, quiet = person("ben_thanh"), person("sai_gon"), person("ben_thanh")
    market, shop = venue(), venue("Cửa hàng", "shop")
    checkin(busy, market, NOW - dt.timedelta(hours=5))
    checkin(busy, shop, NOW - dt.timedelta(hours=4))
    checkin(neighbour, market, NOW - dt.timedelta(hours=5, minutes=-30))
    checkin(quiet, shop, NOW - dt.timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=True):
        made = demo_case(focus=tree["ben_thanh"])

    assert made == {"cases": 2, "contacts": 1, "orders": 1}
    first = selectors.open_case_of(person=busy)
    second = selectors.open_case_of(person=neighbour)
    assert first.contacts.get(person=neighbour).converted_case == second
    assert quarantine_selectors.active_order_of(person=neighbour).kind == "isolation"


def test_demo_case_needs_the_demo_logins(tree, person):
    assert demo_case(focus=tree["ben_thanh"]) == {"cases": 0, "contacts": 0, "orders": 0}
