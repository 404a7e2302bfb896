"""Certificates from the vaccination app's real `Dose` rows (read through its selectors)."""

import datetime as dt

import pytest

from pccovid.certificates import selectors, services
from pccovid.certificates.errors import CertificateError
from pccovid.core import clock
from pccovid.vaccination import services as vaccination_services

NOW = dt.datetime(2022, 3, 1, 3, 0, tzinfo=dt.UTC)


@pytest.fixture
def record(official, tree):
    with clock.frozen(NOW):
        vaccination_services.products_install()
        _user, commune = official("commune_official", "ben_thanh", username="site-maker")
        vaccination_services.site_create(
            assignment=commune, code="BT-01", name="Trạm Y tế", unit_code="26743"
        )
        _user, worker = official("health_worker", "ben_thanh")
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


def test_booster_after_two_doses_is_3_of_3(people, record):
    an = people["an"]
    record(an, 1, dt.date(2021, 8, 1))
    record(an, 2, dt.date(2021, 8, 29))
    record(an, 3, dt.date(2022, 2, 1))
    with clock.frozen(NOW):
        certificate = services.my_vaccination_certificate(person=an)
        assert selectors.certificate_verify(text=certificate.text).valid
    entry = certificate.payload["v"][0]
    assert (entry["dn"], entry["sd"], entry["mp"], entry["dt"]) == (3, 3, "EU/1/20/1528", "2022-02-01")


def test_booster_after_janssen_is_2_of_1(people, record):
    an = people["an"]
    record(an, 1, dt.date(2021, 8, 1), product="EU/1/20/1525", lot="XD955")
    record(an, 2, dt.date(2022, 1, 10))
    with clock.frozen(NOW):
        entry = services.my_vaccination_certificate(person=an).payload["v"][0]
    assert (entry["dn"], entry["sd"], entry["mp"]) == (2, 1, "EU/1/20/1528")


def test_nano_covax_is_refused(people, record):
    an = people["an"]
    record(an, 1, dt.date(2021, 8, 1), product="Nano-Covax", lot="NC1")
    with clock.frozen(NOW), pytest.raises(CertificateError) as error:
        services.my_vaccination_certificate(person=an)
    assert error.value.code == "product_not_in_valueset"
    assert "Nano Covax" in error.value.message
