"""Fixtures of the check-in tests: citizens with accounts, a household, a venue and its operator."""

import datetime as dt

import pytest

from pccovid.accounts.models import User
from pccovid.checkins import services
from pccovid.core import clock
from pccovid.identity import services as identity_services
from pccovid.testkit import make_person

NOW = dt.datetime(2021, 9, 20, 3, 0, tzinfo=dt.UTC)  # 10:00 in Ho Chi Minh City


def citizen_account(person, phone: str) -> User:
    user = User.objects.create(username=phone, phone=phone, person=person)
    user.set_unusable_password()
    user.save()
    return user


def personal_qr(person, cccd: str = "079090001234") -> str:
    """The national-format personal QR text of `person`, unsigned."""
    return f"{cccd}|{person.full_name.upper()}|{person.birth_date:%Y-%m-%d}|0|{person.qid}|"


@pytest.fixture(autouse=True)
def frozen_now():
    with clock.frozen(NOW):
        yield NOW


@pytest.fixture
def household(tree, people):
    """An's household: An, his daughter Dung (no phone of her own). Bình lives elsewhere."""
    home = identity_services.household_create(code="HH-1", unit=tree["group"])
    people["an"].household = home
    people["an"].save()
    dung = make_person(
        tree["group"],
        name="Nguyễn Thị Dung",
        cccd="079315000123",
        birth=dt.date(2015, 3, 3),
        sex="F",
        phone=None,
        household=home,
    )
    return {"an": people["an"], "dung": dung}


@pytest.fixture
def citizen(people):
    """An's account (he is the citizen who checks in)."""
    return citizen_account(people["an"], "+84903123456")


@pytest.fixture
def operator(people):
    """Bình's account: she runs a shop."""
    return citizen_account(people["binh"], "+84912000111")


@pytest.fixture
def venue(operator, tree):
    return services.venue_register(
        operator=operator,
        name="Tạp hóa Cô Bình",
        category="shop",
        unit_code="26743",
        address_line="12 Lê Lợi",
    )
