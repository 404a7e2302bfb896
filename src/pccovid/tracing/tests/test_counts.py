"""The officials' daily table: hand-counted fixtures, roll-up to the province, who sees it."""

import datetime as dt

import pytest

from pccovid.declarations.models import Declaration, Kind
from pccovid.identity.models import Household
from pccovid.quarantine import services as quarantine_services
from pccovid.tracing import selectors

from .conftest import NOW

TODAY = dt.date(2021, 10, 15)


@pytest.fixture
def traced(tree, person, venue, checkin, open_case, django_capture_on_commit_callbacks):
    """F0 in Bến Thành's group; F1 in the same household (Bến Thành), at the market (Sài Gòn) and at the
    market (Hoàn Kiếm, Hanoi); an F2 of the Sài Gòn F1 (Sài Gòn). Home quarantine for the Sài Gòn F1."""
    home = Household.objects.create(code="HH-1", unit=tree["group"])
    f0 = person("group", household=home)
    relative = person("group", household=home)
    saigon, hanoi, second = person("sai_gon"), person("hoan_kiem"), person("sai_gon")
    market, shop = venue(), venue("Cửa hàng", "shop", "sai_gon")
    visit = NOW - dt.timedelta(days=1)
    checkin(f0, market, visit)
    checkin(saigon, market, visit + dt.timedelta(minutes=20))
    checkin(hanoi, market, visit - dt.timedelta(minutes=50))
    checkin(saigon, shop, visit + dt.timedelta(hours=3))
    checkin(second, shop, visit + dt.timedelta(hours=3, minutes=10))
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(f0)
    return case, {"f0": f0, "relative": relative, "saigon": saigon, "hanoi": hanoi, "second": second}


def test_daily_counts_by_commune_and_total(traced, official, django_capture_on_commit_callbacks):
    case, people = traced
    _user, province = official("province_official", "hcmc")
    contact = case.contacts.get(person=people["saigon"])
    with django_capture_on_commit_callbacks(execute=True):
        quarantine_services.orders_for_contacts(assignment=province, contact_ids=[contact.pk])

    rows = {row.code or "total": row.counts for row in selectors.daily_counts(assignment=province, on=TODAY)}

    assert set(rows) == {"26743", "26740", "total"}  # Hanoi's contact is counted in Hanoi
    assert rows["26743"] == {
        "f0_new": 1, "f0_open": 1, "f1_new": 1, "f2_new": 0, "f1_active": 1, "f2_active": 0,
        "in_quarantine": 0, "in_isolation": 1, "new_orders": 1,
    }  # fmt: skip
    # Met the F0 yesterday: day 1 of quarantine is today.
    assert rows["26740"] == {
        "f0_new": 0, "f0_open": 0, "f1_new": 1, "f2_new": 1, "f1_active": 1, "f2_active": 1,
        "in_quarantine": 1, "in_isolation": 0, "new_orders": 1,
    }  # fmt: skip
    for name, value in rows["total"].items():
        assert value == rows["26743"][name] + rows["26740"][name]
    tomorrow = {
        row.code: row.counts for row in selectors.daily_counts(assignment=province, on=TODAY.replace(day=16))
    }
    assert tomorrow["26740"]["in_quarantine"] == 1 and tomorrow["26740"]["f1_new"] == 0
    yesterday = {
        row.code: row.counts for row in selectors.daily_counts(assignment=province, on=TODAY.replace(day=14))
    }
    assert yesterday["26740"]["in_quarantine"] == 0 and yesterday["26743"]["f0_open"] == 0


def test_the_hanoi_ward_counts_its_own_resident(traced, official):
    _user, hanoi = official("tracer", "hoan_kiem")
    rows = selectors.daily_counts(assignment=hanoi, on=TODAY)
    assert [(row.code, row.counts["f1_new"]) for row in rows] == [("00070", 1), ("", 1)]


def test_roles_without_case_view_do_not_get_the_table(traced, official, client):
    user, _checkpoint = official("checkpoint_officer", "ben_thanh")
    client.force_login(user)
    assert 'data-testid="daily"' not in client.get("/console/").content.decode()
    user, _tracer = official("tracer", "ben_thanh", username="tracer-2")
    client.force_login(user)
    page = client.get("/console/?on=2021-10-15").content.decode()
    assert page.count('data-testid="daily"') == 1 and 'data-unit="26743.001"' in page
    assert "<title>Console · PC-Covid</title>" in page


def test_counts_api(traced, official, client):
    user, _tracer = official("tracer", "ben_thanh", username="tracer-api")
    client.force_login(user)
    rows = client.get("/api/v1/tracing/counts", {"on": "2021-10-15"}).json()
    assert rows[-1]["unit_code"] == "" and rows[-1]["f0_new"] == 1 and rows[-1]["f1_new"] == 1
    user, _checkpoint = official("checkpoint_officer", "ben_thanh")
    client.force_login(user)
    assert client.get("/api/v1/tracing/counts").status_code == 404


def _entry(person, arrival: dt.date) -> None:
    Declaration.objects.create(
        kind=Kind.ENTRY, person=person, declared_by=person, declared_at=NOW, rules_version="test",
        stay_unit=person.residence_unit, stay_address="1 Lê Lợi", arrival_date=arrival, passport="B1234567",
        nationality="VN",
    )  # fmt: skip


def test_new_cases_by_origin(traced, tree, official, person, open_case, django_capture_on_commit_callbacks):
    """The F0 of the fixture: community. The Sài Gòn F1, in quarantine when found positive: in quarantine.
    The household F1, never ordered but a known contact: in quarantine. Two entrants: arrived 14 days
    before (imported) and 15 days before (community)."""
    case, people = traced
    _user, province = official("province_official", "hcmc")
    with django_capture_on_commit_callbacks(execute=True):
        quarantine_services.orders_for_contacts(
            assignment=province, contact_ids=[case.contacts.get(person=people["saigon"]).pk]
        )
    entrant, late_entrant = person("sai_gon"), person("sai_gon")
    _entry(entrant, TODAY - dt.timedelta(days=14))
    _entry(late_entrant, TODAY - dt.timedelta(days=15))
    with django_capture_on_commit_callbacks(execute=True):
        for someone in (people["saigon"], people["relative"], entrant, late_entrant):
            open_case(someone)

    counts = selectors.new_case_counts(unit=tree["hcmc"], start=TODAY, end=TODAY)

    assert counts[tree["group"].pk] == {"imported": 0, "in_quarantine": 1, "community": 1, "total": 2}
    assert counts[tree["sai_gon"].pk] == {"imported": 1, "in_quarantine": 1, "community": 1, "total": 3}
    assert selectors.new_case_counts(unit=tree["hcmc"], start=TODAY - dt.timedelta(days=7),
                                     end=TODAY - dt.timedelta(days=1)) == {}  # fmt: skip
    assert tree["group"].pk not in selectors.new_case_counts(unit=tree["sai_gon"], start=TODAY, end=TODAY)
    # Everywhere (unit None), and per unit and day: the same counts.
    everywhere = selectors.new_case_counts(start=TODAY - dt.timedelta(days=1), end=TODAY)
    assert everywhere == counts
    per_day = selectors.new_case_counts(start=TODAY - dt.timedelta(days=1), end=TODAY, per_day=True)
    assert per_day == {(unit_id, TODAY): figures for unit_id, figures in counts.items()}
