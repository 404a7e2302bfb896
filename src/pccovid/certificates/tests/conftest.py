"""Fixtures of the certificates tests: a fixed clock, An's citizen account, An's vaccination record."""

import datetime as dt

import pytest

from pccovid.accounts import services as account_services
from pccovid.core import clock
from pccovid.vaccination import services as vaccination_services

AN_PHONE = "+84903123456"
NOW = dt.datetime(2022, 3, 1, 3, 0, tzinfo=dt.UTC)


@pytest.fixture
def citizen(people, sms_outbox):
    account_services.otp_request(phone=AN_PHONE)
    return account_services.otp_verify(phone=AN_PHONE, code=sms_outbox.last_code(AN_PHONE))


@pytest.fixture
def citizen_client(client, citizen):
    client.force_login(citizen)
    return client


@pytest.fixture
def record(official, tree):
    """record(person, dose_number, given_on, product=..., lot=...): a dose through the vaccination app."""
    with clock.frozen(NOW):
        vaccination_services.products_install()
        _user, commune = official("commune_official", "ben_thanh", username="site-maker")
        vaccination_services.site_create(
            assignment=commune, code="BT-01", name="Trạm Y tế", unit_code="26743"
        )
        _user, worker = official("health_worker", "ben_thanh", username="vaccinator")
        for product, number in (("EU/1/20/1528", "FF2587"), ("EU/1/20/1525", "XD955"), ("Nano-Covax", "NC1")):
            vaccination_services.lot_create(
                assignment=worker, product_code=product, number=number, expiry_date=dt.date(2022, 12, 31)
            )

    def _record(person, dose_number, given_on, product="EU/1/20/1528", lot="FF2587"):
        with clock.frozen(NOW):
            return vaccination_services.dose_record(
                assignment=worker,
                person_qid=person.qid,
                product_code=product,
                lot_number=lot,
                dose_number=dose_number,
                given_on=given_on,
                site_code="BT-01",
            )

    return _record


@pytest.fixture
def an_vaccinated(people, record):
    record(people["an"], 1, dt.date(2021, 8, 1))
    record(people["an"], 2, dt.date(2021, 8, 29))
    return people["an"]
