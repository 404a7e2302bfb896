"""Vaccination fixtures: a fixed clock in late 2021, a site in Bến Thành, lots, a health worker there."""

import datetime as dt

import pytest

from pccovid.core import clock
from pccovid.vaccination import services

NOW = dt.datetime(2021, 12, 20, 3, 0, tzinfo=dt.UTC)  # 10:00 in Ho Chi Minh City
TODAY = dt.date(2021, 12, 20)
PFIZER = "EU/1/20/1528"
ASTRAZENECA = "EU/1/21/1529"
JANSSEN = "EU/1/20/1525"


@pytest.fixture(autouse=True)
def frozen_now():
    with clock.frozen(NOW):
        yield NOW


@pytest.fixture
def products(db):
    services.products_install()


@pytest.fixture
def health_worker(official):
    """A health worker of Bến Thành ward: (user, assignment)."""
    return official("health_worker", "ben_thanh")


@pytest.fixture
def site(tree, official, products):
    _user, commune = official("commune_official", "ben_thanh", username="site-maker")
    return services.site_create(
        assignment=commune, code="BT-01", name="Trạm Y tế phường Bến Thành", unit_code="26743"
    )


@pytest.fixture
def lots(health_worker, products):
    _user, assignment = health_worker
    return {
        "pfizer": services.lot_create(
            assignment=assignment, product_code=PFIZER, number="FF2587", expiry_date=dt.date(2022, 3, 31)
        ),
        "pfizer_old": services.lot_create(
            assignment=assignment, product_code=PFIZER, number="EW0150", expiry_date=dt.date(2021, 8, 31)
        ),
        "astrazeneca": services.lot_create(
            assignment=assignment,
            product_code=ASTRAZENECA,
            number="ABV5811",
            expiry_date=dt.date(2022, 1, 31),
        ),
        "janssen": services.lot_create(
            assignment=assignment, product_code=JANSSEN, number="XD955", expiry_date=dt.date(2022, 6, 30)
        ),
    }


@pytest.fixture
def record(health_worker, site, lots):
    """Record a dose as the Bến Thành health worker: record(person, dose_number, given_on, **overrides)."""
    _user, assignment = health_worker

    def _record(person, dose_number: int, given_on: dt.date, **overrides):
        data = {
            "assignment": assignment,
            "person_qid": person.qid,
            "product_code": PFIZER,
            "lot_number": "FF2587",
            "dose_number": dose_number,
            "given_on": given_on,
            "site_code": "BT-01",
            **overrides,
        }
        return services.dose_record(**data)

    return _record
