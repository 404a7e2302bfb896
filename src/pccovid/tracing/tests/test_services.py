"""Cases and contact finding: every path, depth, de-duplication, window and infectious-period edges."""

import datetime as dt

import pytest

from pccovid.checkins.models import CheckIn
from pccovid.core.errors import Forbidden, NotFound
from pccovid.declarations.models import Declaration
from pccovid.events.models import OutboxEvent
from pccovid.identity.models import Household
from pccovid.rules.models import RuleSet
from pccovid.tracing import services
from pccovid.tracing.models import Case, CaseTest, Contact, ContactPath, ContactStatus
from pccovid.tracing.tests.conftest import INFECTIOUS_FROM, NOW, SAMPLE

pytestmark = pytest.mark.django_db
MIN = dt.timedelta(minutes=1)
VISIT = dt.datetime(2021, 10, 13, 5, 0, tzinfo=dt.UTC)  # 13 Oct, 12:00 local: inside the infectious period


def _contact(case, person) -> Contact | None:
    return Contact.objects.filter(case=case, person=person).first()


def _declare_trip(person, number: str, day: dt.date, transport: str = "plane"):
    return Declaration.objects.create(
        kind="domestic",
        person=person,
        declared_by=person,
        declared_at=NOW,
        rules_version="test",
        stay_unit=person.residence_unit,
        stay_address="1 Lê Lợi",
        transport=transport,
        vehicle_number=number,
        travel_date=day,
    )


def _rules(**values):
    base = RuleSet.objects.get(domain="tracing", version="2021.1").values
    RuleSet.objects.create(
        domain="tracing",
        version="test",
        effective_from=dt.date(2021, 10, 1),
        source="test",
        values={**base, **values},
    )


@pytest.fixture
def depth_one(db):
    """Edge tests look at F1 only: people near the edge would otherwise be F2 through each other."""
    _rules(depth=1)


# Opening ---------------------------------------------------------------------------------------------


def test_positive_result_opens_a_case_with_its_infectious_period(open_case, people):
    case = open_case(people["an"])
    assert case.source == "test_result" and case.unit == people["an"].residence_unit
    assert case.infectious_from == INFECTIOUS_FROM
    assert case.isolated_at == NOW and case.opened_at == NOW and case.is_open
    assert case.rules_version == "tracing 2021.1"
    assert case.contacts_found_at == NOW
    event = OutboxEvent.objects.get(name="tracing.case_opened")
    assert event.payload == {
        "case_id": case.pk,
        "case_code": case.code,
        "person_qid": people["an"].qid,
        "isolated_at": NOW.isoformat(),
        "isolation_place": "home",
    }


def test_a_second_positive_attaches_and_the_same_result_twice_changes_nothing(open_case, positive, people):
    case = open_case(people["an"])
    later = positive(people["an"], SAMPLE + dt.timedelta(hours=20))
    again = services.case_open_from_result(
        result_id=later.pk, person_qid=people["an"].qid, sample_taken_at=later.sample_taken_at
    )
    assert again == case and CaseTest.objects.filter(case=case).count() == 2
    twice = services.case_open_from_result(
        result_id=later.pk, person_qid=people["an"].qid, sample_taken_at=later.sample_taken_at
    )
    assert twice == case
    assert CaseTest.objects.count() == 2 and Case.objects.count() == 1
    assert OutboxEvent.objects.filter(name="tracing.case_opened").count() == 1


def test_the_result_event_opens_the_case_after_commit(
    django_capture_on_commit_callbacks, official, site, people
):
    from pccovid.testing import services as testing_services

    _user, technician = official("health_worker", "ben_thanh")
    with django_capture_on_commit_callbacks(execute=True):
        testing_services.result_record(
            assignment=technician,
            person_qid=people["an"].qid,
            kind="rapid_antigen",
            sample_taken_at=SAMPLE,
            result="positive",
            site_code="BT01",
        )
    case = Case.objects.get()
    assert case.person == people["an"] and case.sample_taken_at == SAMPLE


def test_a_negative_or_pooled_result_opens_nothing(
    django_capture_on_commit_callbacks, official, site, people
):
    from pccovid.testing import services as testing_services

    _user, technician = official("health_worker", "ben_thanh")
    with django_capture_on_commit_callbacks(execute=True):
        testing_services.result_record(
            assignment=technician,
            person_qid=people["an"].qid,
            kind="rapid_antigen",
            sample_taken_at=SAMPLE,
            result="negative",
            site_code="BT01",
        )
    assert not Case.objects.exists()


def test_manual_open_needs_a_reason_and_refuses_a_second_open_case(tracer, people):
    _user, assignment = tracer
    with pytest.raises(services.TracingError) as missing:
        services.case_open(assignment=assignment, person_qid=people["an"].qid, reason="  ")
    assert missing.value.field == "reason"
    case = services.case_open(
        assignment=assignment,
        person_qid=people["an"].qid,
        reason="Positive at a private clinic",
        onset_date=dt.date(2021, 10, 13),
    )
    assert case.source == "manual" and case.opened_by == assignment.user
    assert case.infectious_from == dt.datetime(2021, 10, 10, 17, 0, tzinfo=dt.UTC)  # 11 Oct local midnight
    with pytest.raises(services.TracingError) as twice:
        services.case_open(assignment=assignment, person_qid=people["an"].qid, reason="again")
    assert twice.value.code == "case_already_open" and case.code in twice.value.message


def test_manual_open_out_of_reach_or_without_the_right_role(official, tracer, people):
    _user, assignment = tracer
    with pytest.raises(NotFound):
        services.case_open(assignment=assignment, person_qid=people["chi"].qid, reason="clinic")
    _worker, health_worker = official("health_worker", "ben_thanh")
    with pytest.raises(Forbidden):
        services.case_open(assignment=health_worker, person_qid=people["an"].qid, reason="clinic")
    assert not Case.objects.exists()


def test_outcomes(open_case, tracer, people):
    _user, assignment = tracer
    case = open_case(people["an"])
    hospital = services.case_outcome_record(
        assignment=assignment, case_code=case.code, outcome="hospitalised", on=dt.date(2021, 10, 15)
    )
    assert hospital.is_open and hospital.isolation_place == "hospital"
    recovered = services.case_outcome_record(
        assignment=assignment, case_code=case.code, outcome="recovered", on=dt.date(2021, 10, 15)
    )
    assert not recovered.is_open and recovered.outcome == "recovered" and recovered.closed_at == NOW
    with pytest.raises(services.TracingError):
        services.case_outcome_record(
            assignment=assignment, case_code=case.code, outcome="deceased", on=dt.date(2021, 10, 15)
        )


# Contact paths ---------------------------------------------------------------------------------------


def test_copresence_window_edges_are_inclusive(depth_one, open_case, venue, checkin, person, people):
    market = venue()
    checkin(people["an"], market, VISIT)
    at_plus_60, at_minus_60, at_plus_61 = person(), person(), person()
    checkin(at_plus_60, market, VISIT + 60 * MIN)
    checkin(at_minus_60, market, VISIT - 60 * MIN)
    checkin(at_plus_61, market, VISIT + 61 * MIN)
    case = open_case(people["an"])
    assert _contact(case, at_plus_60).degree == 1
    assert _contact(case, at_minus_60).degree == 1
    assert _contact(case, at_plus_61) is None
    path = ContactPath.objects.get(contact__person=at_plus_60)
    assert path.kind == "copresence" and path.venue == market and path.at == VISIT + 60 * MIN


def test_a_window_across_midnight(depth_one, open_case, venue, checkin, person, people):
    bar = venue("Quán đêm", "restaurant")
    late = dt.datetime(2021, 10, 13, 16, 40, tzinfo=dt.UTC)  # 23:40 local
    checkin(people["an"], bar, late)
    after_midnight = person()
    checkin(after_midnight, bar, late + 50 * MIN)  # 00:30 local, the next day
    case = open_case(people["an"])
    assert _contact(case, after_midnight).degree == 1


def test_the_transport_category_window(depth_one, open_case, venue, checkin, person, people):
    station = venue("Ga Sài Gòn", "transport")
    checkin(people["an"], station, VISIT)
    in_2h, past_2h = person(), person()
    checkin(in_2h, station, VISIT + 120 * MIN)
    checkin(past_2h, station, VISIT + 121 * MIN)
    case = open_case(people["an"])
    assert _contact(case, in_2h) is not None and _contact(case, past_2h) is None


def test_infectious_period_edges(depth_one, open_case, venue, checkin, person, people):
    first, before, after = venue("Shop 1", "shop"), venue("Shop 2", "shop"), venue("Shop 3", "shop")
    checkin(people["an"], first, INFECTIOUS_FROM)
    checkin(people["an"], before, INFECTIOUS_FROM - dt.timedelta(seconds=1))
    checkin(people["an"], after, NOW + dt.timedelta(seconds=1))
    met_first, met_before, met_after = person(), person(), person()
    checkin(met_first, first, INFECTIOUS_FROM + 5 * MIN)
    checkin(met_before, before, INFECTIOUS_FROM - 5 * MIN)
    checkin(met_after, after, NOW + 5 * MIN)
    case = open_case(people["an"])
    assert _contact(case, met_first) is not None
    assert _contact(case, met_before) is None
    assert _contact(case, met_after) is None


def test_household_and_vehicle_paths(open_case, tree, person, people):
    home = Household.objects.create(code="HH-1", unit=tree["ben_thanh"])
    case_person = person(household=home)
    spouse, traveller = person(household=home), person("hoan_kiem")
    _declare_trip(case_person, "VN213", dt.date(2021, 10, 13))
    _declare_trip(traveller, "VN213", dt.date(2021, 10, 13))
    _declare_trip(person(), "VN213", dt.date(2021, 10, 10))  # another day: before the infectious period
    _declare_trip(person(), "VN215", dt.date(2021, 10, 13))  # another flight
    case = open_case(case_person)
    assert {c.person for c in case.contacts.all()} == {spouse, traveller}
    assert _contact(case, spouse).paths.get().kind == "household"
    vehicle = _contact(case, traveller).paths.get()
    assert vehicle.kind == "vehicle" and vehicle.detail == "VN213"


def test_declared_contacts_degree_by_who_named_them(open_case, tracer, venue, checkin, person, people):
    _user, assignment = tracer
    market = venue()
    checkin(people["an"], market, VISIT)
    f1 = person()
    checkin(f1, market, VISIT)
    case = open_case(people["an"])
    named, named_by_f1 = person(), person("hoan_kiem")
    contact = services.contact_declare(
        assignment=assignment, case_code=case.code, person_qid=named.qid, at=VISIT, note="lunch together"
    )
    assert contact.degree == 1 and contact.paths.get().detail == "lunch together"
    second = services.contact_declare(
        assignment=assignment, case_code=case.code, person_qid=named_by_f1.qid, via_qid=f1.qid, at=VISIT
    )
    assert second.degree == 2 and second.paths.get().via == f1
    services.contact_declare(
        assignment=assignment, case_code=case.code, person_qid=named.qid, at=VISIT, note="again"
    )
    assert ContactPath.objects.filter(contact=contact).count() == 1
    with pytest.raises(services.TracingError):
        services.contact_declare(
            assignment=assignment, case_code=case.code, person_qid=people["an"].qid, at=VISIT
        )


# Depth and de-duplication ----------------------------------------------------------------------------


@pytest.fixture
def chain_of_visits(venue, checkin, person, people):
    """An (case) meets F1 at a market; F1 meets F2 at a shop the next day; F2 meets F3 at a school."""
    market, shop, school = venue(), venue("Shop", "shop"), venue("School", "school")
    f1, f2, f3 = person(name="F1"), person(name="F2"), person(name="F3")
    checkin(people["an"], market, VISIT)
    checkin(f1, market, VISIT + 10 * MIN)
    checkin(f1, shop, VISIT + dt.timedelta(hours=20))
    checkin(f2, shop, VISIT + dt.timedelta(hours=20, minutes=5))
    checkin(f2, school, VISIT + dt.timedelta(hours=22))
    checkin(f3, school, VISIT + dt.timedelta(hours=22, minutes=5))
    return f1, f2, f3


def test_default_depth_finds_f2_not_f3(open_case, chain_of_visits, people):
    f1, f2, f3 = chain_of_visits
    case = open_case(people["an"])
    assert _contact(case, f1).degree == 1 and _contact(case, f2).degree == 2
    assert _contact(case, f3) is None
    assert ContactPath.objects.get(contact__person=f2).via == f1
    assert CheckIn.objects.filter(held_for_case=case.code).count() == 4


def test_depth_one_finds_no_f2(open_case, chain_of_visits, people):
    _rules(depth=1)
    f1, f2, _f3 = chain_of_visits
    case = open_case(people["an"])
    assert _contact(case, f1) is not None and _contact(case, f2) is None
    assert case.rules_version == "tracing test"


def test_depth_three_finds_f3(open_case, chain_of_visits, people):
    _rules(depth=3)
    _f1, _f2, f3 = chain_of_visits
    assert _contact(open_case(people["an"]), f3).degree == 3


def test_one_contact_per_person_with_every_path_and_the_closest_degree(
    open_case, tree, venue, checkin, person, people
):
    home = Household.objects.create(code="HH-2", unit=tree["ben_thanh"])
    case_person, spouse = person(household=home), person(household=home)
    market, shop = venue(), venue("Shop", "shop")
    f1 = person()
    checkin(case_person, market, VISIT)
    checkin(spouse, market, VISIT + 5 * MIN)  # household and co-presence
    checkin(f1, market, VISIT + 6 * MIN)
    checkin(f1, shop, VISIT + dt.timedelta(hours=3))
    checkin(spouse, shop, VISIT + dt.timedelta(hours=3, minutes=1))  # also F2 through F1
    checkin(case_person, shop, VISIT - dt.timedelta(hours=5))  # the case itself, never its own contact
    case = open_case(case_person)
    contact = _contact(case, spouse)
    assert contact.degree == 1
    kinds = sorted(contact.paths.values_list("kind", "degree"))
    # through the case at the market and at home; through F1 at the market and at the shop
    assert kinds == [("copresence", 1), ("copresence", 2), ("copresence", 2), ("household", 1)]
    assert _contact(case, case_person) is None
    assert contact.first_exposure_at == INFECTIOUS_FROM  # the household, from the start of the period
    assert contact.last_exposure_at == VISIT + dt.timedelta(hours=3, minutes=1)
    before = (Contact.objects.count(), ContactPath.objects.count())
    report = services.contacts_find(case=case)
    assert report.added == 0 and report.new_paths == {}
    assert (Contact.objects.count(), ContactPath.objects.count()) == before


def test_finding_again_picks_up_a_late_checkin(open_case, tracer, venue, checkin, person, people):
    _user, assignment = tracer
    market = venue()
    checkin(people["an"], market, VISIT)
    case = open_case(people["an"])
    assert case.contacts.count() == 0
    late = person()
    checkin(late, market, VISIT + 30 * MIN)
    report = services.contacts_find_again(assignment=assignment, case_code=case.code)
    assert report.new_contacts == {1: 1} and report.new_paths == {"copresence": 1}


# Conversion, grants, notification, quarantine events --------------------------------------------------


def test_an_f1_testing_positive_becomes_f0_and_converts_its_contact_rows(
    open_case, venue, checkin, person, people
):
    market = venue()
    f1 = person()
    checkin(people["an"], market, VISIT)
    checkin(f1, market, VISIT)
    first = open_case(people["an"])
    second = open_case(f1)
    contact = _contact(first, f1)
    assert contact.status == ContactStatus.CONVERTED and contact.converted_case == second
    assert _contact(second, people["an"]) is not None  # who met whom, found from the new case too


def test_a_contact_in_another_province_is_granted_to_the_case_unit(open_case, venue, checkin, people):
    from pccovid.accounts.models import AccessGrant

    market = venue()
    checkin(people["an"], market, VISIT)
    checkin(people["chi"], market, VISIT)
    case = open_case(people["an"])
    grant = AccessGrant.objects.get(person=people["chi"])
    assert grant.unit == case.unit and grant.reason == f"contact F1 of case {case.code}"
    assert grant.source_type == "tracing.case" and grant.source_id == case.code
    assert grant.expires_at == NOW + dt.timedelta(days=28)


def test_notify_and_quarantine_events(open_case, tracer, venue, checkin, person, people):
    from types import SimpleNamespace

    _user, assignment = tracer
    market = venue()
    checkin(people["an"], market, VISIT)
    f1 = person()
    checkin(f1, market, VISIT)
    case = open_case(people["an"])
    contact = _contact(case, f1)
    assert services.contacts_notify(assignment=assignment, case_code=case.code, contact_ids=[contact.pk]) == 1
    contact.refresh_from_db()
    assert contact.status == "notified" and contact.notified_at == NOW
    event = SimpleNamespace(payload={"order_id": 1, "person_qid": f1.qid, "kind": "quarantine",
                                     "contact_id": contact.pk, "case_id": None})  # fmt: skip
    services.on_order_created(event)
    contact.refresh_from_db()
    assert contact.status == "quarantined"
    services.on_order_released(SimpleNamespace(payload={**event.payload, "released_at": NOW.isoformat()}))
    contact.refresh_from_db()
    assert contact.status == "released"
    services.on_order_released(
        SimpleNamespace(payload={"order_id": 2, "person_qid": people["an"].qid, "kind": "isolation",
                                 "contact_id": None, "case_id": case.pk, "released_at": NOW.isoformat()})
    )  # fmt: skip
    case.refresh_from_db()
    assert case.outcome == "recovered" and case.closed_at == NOW and case.outcome_on == dt.date(2021, 10, 15)


def test_with_the_quarantine_app_an_order_marks_the_contact_in_quarantine(
    django_capture_on_commit_callbacks, open_case, tracer, venue, checkin, person, people
):
    from pccovid.quarantine import services as quarantine_services

    _user, assignment = tracer
    market = venue()
    checkin(people["an"], market, VISIT)
    f1 = person()
    checkin(f1, market, VISIT)
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(people["an"])
    contact = _contact(case, f1)
    with django_capture_on_commit_callbacks(execute=True):
        report = quarantine_services.orders_for_contacts(assignment=assignment, contact_ids=[contact.pk])
    assert len(report.created) == 1, report.skipped
    contact.refresh_from_db()
    assert contact.status == "quarantined" and contact.notified_at == NOW
