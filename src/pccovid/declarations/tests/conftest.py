"""Declaration fixtures: a fixed clock, a three-generation household in Bến Thành, valid form data."""

import datetime as dt

import pytest

from pccovid.accounts.models import User
from pccovid.core import clock
from pccovid.identity import services as identity_services
from pccovid.testkit import make_person

NOW = dt.datetime(2021, 10, 15, 3, 0, tzinfo=dt.UTC)  # 10:00 in Ho Chi Minh City
TODAY = dt.date(2021, 10, 15)


@pytest.fixture(autouse=True)
def frozen_now():
    with clock.frozen(NOW):
        yield NOW


@pytest.fixture
def family(tree):
    """Lan (the declarer, with a phone), her son Minh (6) and her father Hùng (71), in Khu phố 1."""
    household = identity_services.household_create(code="26743.001.00042", unit=tree["group"])
    return {
        "lan": make_person(
            tree["group"],
            name="Phạm Thị Lan",
            cccd="079188001111",
            birth=dt.date(1988, 3, 4),
            sex="F",
            phone="0903555111",
            household=household,
        ),
        "minh": make_person(
            tree["group"],
            name="Phạm Văn Minh",
            cccd="079215002222",
            birth=dt.date(2015, 6, 1),
            sex="M",
            phone=None,
            household=household,
        ),
        "hung": make_person(
            tree["group"],
            name="Phạm Văn Hùng",
            cccd="079050003333",
            birth=dt.date(1950, 1, 20),
            sex="M",
            phone=None,
            household=household,
        ),
    }


@pytest.fixture
def citizen_client(client, family):
    """A client signed in as Lan (a citizen account linked to her person)."""
    user = User.objects.create(username="+84903555111", phone="+84903555111", person=family["lan"])
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    return client


@pytest.fixture
def domestic_data():
    """Valid domestic answers: a coach trip Hanoi -> HCMC yesterday, no symptoms, staying in Bến Thành."""

    def _make(**overrides):
        data = {
            "kind": "domestic",
            "stay_unit": "26743",
            "stay_address": "12 Lê Lợi",
            "travel_from": "01",
            "travel_to": "79",
            "transport": "coach",
            "vehicle_number": "51B-123.45",
            "travel_date": TODAY - dt.timedelta(days=1),
        }
        return {**data, **overrides}

    return _make


@pytest.fixture
def entry_data():
    """Valid entry answers: flight VN51 from the US via Japan, arriving today, two Pfizer doses."""

    def _make(**overrides):
        data = {
            "kind": "entry",
            "stay_unit": "26740",
            "stay_address": "Khách sạn Rex, 141 Nguyễn Huệ",
            "passport": "C1234567",
            "nationality": "VN",
            "flight_number": "VN51",
            "arrival_date": TODAY,
            "countries_visited": ["US", "JP"],
            "vaccine_product": "pfizer",
            "vaccine_doses": 2,
            "vaccine_last_date": dt.date(2021, 8, 1),
            "test_kind": "rt_pcr",
            "test_date": TODAY - dt.timedelta(days=2),
            "test_result": "negative",
        }
        return {**data, **overrides}

    return _make
