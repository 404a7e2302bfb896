"""Jurisdiction, audit, the chain, the citizen's exposures and the counts per unit and day."""

import datetime as dt

import pytest

from pccovid.audit.models import PersonalDataRead
from pccovid.core.errors import NotFound
from pccovid.identity import selectors as identity_selectors
from pccovid.tracing import selectors, services
from pccovid.tracing.tests.conftest import NOW

pytestmark = pytest.mark.django_db
VISIT = dt.datetime(2021, 10, 13, 5, 0, tzinfo=dt.UTC)


@pytest.fixture
def traced(open_case, venue, checkin, people):
    """An (Bến Thành, HCMC) is a case; Chi (Hoàn Kiếm, Hanoi) was at the same market: an F1 elsewhere."""
    market = venue()
    checkin(people["an"], market, VISIT)
    checkin(people["chi"], market, VISIT + dt.timedelta(minutes=20))
    return open_case(people["an"])


def test_a_contact_in_another_province_is_seen_only_through_the_case(official, tracer, people, venue):
    _user, hcmc_tracer = tracer
    with pytest.raises(NotFound):
        identity_selectors.person_get(
            assignment=hcmc_tracer, qid=people["chi"].qid, purpose="contact_tracing"
        )


def test_through_the_case_the_contact_is_visible_and_the_audit_names_the_case(traced, tracer, people):
    _user, hcmc_tracer = tracer
    contacts = selectors.case_contacts(
        assignment=hcmc_tracer, case_code=traced.code, purpose="contact_tracing"
    )
    assert [c.person for c in contacts] == [people["chi"]]
    read = PersonalDataRead.objects.get(person=people["chi"])
    assert read.reason == f"contact F1 of case {traced.code}" and read.purpose == "contact_tracing"


def test_a_tracer_elsewhere_does_not_see_the_case_but_has_the_contact_in_its_queue(traced, official, people):
    _user, hanoi_tracer = official("tracer", "hoan_kiem", "tracer-hk")
    with pytest.raises(NotFound):
        selectors.case_get(assignment=hanoi_tracer, case_code=traced.code, purpose="contact_tracing")
    assert selectors.cases_list(assignment=hanoi_tracer, purpose="contact_tracing").count == 0
    queue = selectors.contacts_queue(assignment=hanoi_tracer, purpose="contact_tracing")
    assert [c.person for c in queue.items] == [people["chi"]]
    assert queue.items[0].case_in_reach is False
    _u, hcmc_province = official("province_official", "hcmc", "province-hcmc")
    assert selectors.case_get(assignment=hcmc_province, case_code=traced.code, purpose="contact_tracing")
    assert selectors.contacts_queue(assignment=hcmc_province, purpose="contact_tracing").count == 0


def test_roles_without_case_view_see_nothing(traced, official):
    _user, checkpoint = official("checkpoint_officer", "ben_thanh")
    assert selectors.cases_list(assignment=checkpoint, purpose="contact_tracing").count == 0
    with pytest.raises(NotFound):
        selectors.case_get(assignment=checkpoint, case_code=traced.code, purpose="contact_tracing")


def test_contact_filters(traced, tracer, tree, people):
    _user, assignment = tracer
    code = traced.code

    def found(**filters):
        return selectors.case_contacts(
            assignment=assignment, case_code=code, purpose="contact_tracing", **filters
        )

    assert len(found(degree=1)) == 1 and found(degree=2) == []
    assert len(found(kind="copresence")) == 1 and found(kind="household") == []
    assert len(found(status="found")) == 1 and found(status="notified") == []
    assert len(found(unit_code="01")) == 1 and found(unit_code="79") == []


def test_exposures_show_no_case_identity_and_only_after_notification(traced, tracer, people):
    _user, assignment = tracer
    assert selectors.exposures_of(person=people["chi"]) == []
    contact = traced.contacts.get()
    services.contacts_notify(assignment=assignment, case_code=traced.code, contact_ids=[contact.pk])
    [exposure] = selectors.exposures_of(person=people["chi"])
    assert exposure.on == dt.date(2021, 10, 13) and exposure.degree == 1 and exposure.active
    assert exposure.label == "at a venue (Market)"
    shown = repr(exposure)
    assert traced.code not in shown and people["an"].full_name not in shown and "Chợ Bến Thành" not in shown
    assert selectors.exposed_on(person=people["chi"]) == dt.date(2021, 10, 13)


def test_the_chain_links_cases_through_converted_contacts(open_case, venue, checkin, person, tracer, people):
    _user, assignment = tracer
    market, shop = venue(), venue("Shop", "shop")
    child, grandchild = person(name="Child"), person(name="Grandchild")
    checkin(people["an"], market, VISIT)
    checkin(child, market, VISIT)
    root = open_case(people["an"])
    checkin(grandchild, shop, VISIT + dt.timedelta(hours=30))
    checkin(child, shop, VISIT + dt.timedelta(hours=30))
    second = open_case(child)
    third = open_case(grandchild)
    tree = selectors.chain(assignment=assignment, case_code=second.code)
    assert tree.case == root and not tree.current
    [middle] = tree.children
    assert middle.case == second and middle.current and middle.in_reach
    assert [n.case for n in middle.children] == [third]
    assert tree.contacts == root.contacts.count()


def test_recovered_and_open_case_of(traced, tracer, people):
    _user, assignment = tracer
    assert selectors.open_case_of(person=people["an"]) == traced
    assert selectors.recovered_on(person=people["an"]) is None
    services.case_outcome_record(
        assignment=assignment, case_code=traced.code, outcome="recovered", on=dt.date(2021, 10, 15)
    )
    assert selectors.open_case_of(person=people["an"]) is None
    assert selectors.recovered_on(person=people["an"]) == dt.date(2021, 10, 15)


def test_counts_per_unit_and_day(traced, tree, django_assert_max_num_queries):
    day = NOW.date()
    with django_assert_max_num_queries(3):
        cases = selectors.case_counts(unit=tree["hcmc"], on=day)
    assert cases == {tree["ben_thanh"].pk: {"f0_new": 1, "f0_open": 1}}
    assert selectors.case_counts(unit=tree["hcmc"], on=day - dt.timedelta(days=1)) == {}
    later = selectors.case_counts(unit=tree["hcmc"], on=day + dt.timedelta(days=3))
    assert later == {tree["ben_thanh"].pk: {"f0_new": 0, "f0_open": 1}}
    with django_assert_max_num_queries(3):
        contacts = selectors.contact_counts(unit=tree["hanoi"], on=day)
    assert contacts == {tree["hoan_kiem"].pk: {"f1_new": 1, "f2_new": 0, "f1_active": 1, "f2_active": 0}}
    assert selectors.contact_counts(unit=tree["hcmc"], on=day) == {}
