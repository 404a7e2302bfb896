"""Certificates from the vaccination app's real `Dose` rows (read through its selectors)."""

import datetime as dt

import pytest

from pccovid.certificates import selectors, services
from pccovid.certificates.errors import CertificateError
from pccovid.certificates.tests.conftest import NOW
from pccovid.core import clock


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
