"""The card reads cases, exposures, quarantine and recovery from the tracing and quarantine apps."""

import datetime as dt

import pytest

from pccovid.core import clock
from pccovid.identity.models import Household
from pccovid.quarantine import selectors as quarantine_selectors
from pccovid.quarantine import services as quarantine_services
from pccovid.quarantine.models import Order
from pccovid.status import services
from pccovid.status.card import Colour
from pccovid.testkit import make_person
from pccovid.tracing import services as tracing_services

NOW = dt.datetime(2021, 12, 20, 3, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with clock.frozen(NOW):
        yield


@pytest.fixture
def family(tree):
    home = Household.objects.create(code="HH-BT-1", unit=tree["group"])
    case_person = make_person(tree["group"], household=home)
    relative = make_person(
        tree["group"], name="Nguyễn Thị Hoa", cccd="079190005555", sex="F", phone=None, household=home
    )
    return case_person, relative


@pytest.fixture
def case(family, official, django_capture_on_commit_callbacks):
    _user, tracer = official("tracer", "ben_thanh")
    with django_capture_on_commit_callbacks(execute=True):
        opened = tracing_services.case_open(
            assignment=tracer, person_qid=family[0].qid, reason="Positive test at a private clinic"
        )
    return opened, tracer


def test_an_open_case_is_red(family, case):
    card = services.card_for(person=family[0])
    assert card.colour == Colour.RED
    assert "Active COVID-19 case (F0)." in card.reasons


def test_a_household_contact_is_red_once_told_then_in_quarantine(
    family, case, django_capture_on_commit_callbacks
):
    opened, tracer = case
    relative = family[1]
    assert services.card_for(person=relative).colour == Colour.GREY  # found, not yet told
    contact = opened.contacts.get(person=relative)
    tracing_services.contacts_notify(assignment=tracer, case_code=opened.code, contact_ids=[contact.pk])
    card = services.card_for(person=relative)
    assert card.colour == Colour.RED
    assert any("Close contact of a case on" in reason for reason in card.reasons)
    with django_capture_on_commit_callbacks(execute=True):
        quarantine_services.orders_for_contacts(assignment=tracer, contact_ids=[contact.pk])
    assert services.card_for(person=relative).reasons == ["In quarantine as a close contact (F1)."]


def test_a_recovered_case_is_green_and_its_isolation_released(
    family, case, django_capture_on_commit_callbacks
):
    opened, tracer = case
    order = quarantine_selectors.active_order_of(person=family[0])
    assert order.kind == "isolation" and order.case_id == opened.pk
    with django_capture_on_commit_callbacks(execute=True):
        tracing_services.case_outcome_record(
            assignment=tracer, case_code=opened.code, outcome="recovered", on=clock.today()
        )
    order.refresh_from_db()
    assert order.status == "released" and order.release_code
    card = services.card_for(person=family[0])
    assert card.colour == Colour.GREEN
    assert card.reasons[0].startswith("Recovered from COVID-19 on")


def test_a_death_cancels_the_isolation_order(family, case, django_capture_on_commit_callbacks):
    opened, tracer = case
    with django_capture_on_commit_callbacks(execute=True):
        tracing_services.case_outcome_record(
            assignment=tracer, case_code=opened.code, outcome="deceased", on=clock.today()
        )
    assert quarantine_selectors.active_order_of(person=family[0]) is None
    assert Order.objects.get(case_id=opened.pk).status == "cancelled"
