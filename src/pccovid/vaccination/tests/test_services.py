"""Dose rules, one by one (good and bad), boosters, the event on commit, jurisdiction and audit."""

import datetime as dt

import pytest

from pccovid.accounts.models import AccessGrant
from pccovid.audit.models import PersonalDataRead
from pccovid.core.errors import Forbidden, NotFound
from pccovid.events import services as event_services
from pccovid.events.models import OutboxEvent
from pccovid.vaccination import rules, services
from pccovid.vaccination.errors import VaccinationError
from pccovid.vaccination.models import Dose, VaccineProduct
from pccovid.vaccination.tests.conftest import ASTRAZENECA, JANSSEN, TODAY


def _refused(field: str, call, *args, **kwargs) -> str:
    with pytest.raises(VaccinationError) as caught:
        call(*args, **kwargs)
    assert caught.value.field == field, caught.value.message
    return caught.value.message


def test_products_come_from_rules_and_install_idempotently(products):
    assert VaccineProduct.objects.count() == len(rules.PRODUCTS)
    assert services.products_install() == 0
    assert VaccineProduct.objects.count() == len(rules.PRODUCTS)
    comirnaty = VaccineProduct.objects.get(code="EU/1/20/1528")
    assert (comirnaty.mah, comirnaty.prophylaxis, comirnaty.doses_in_primary_series) == (
        "ORG-100030215",
        "1119349007",
        2,
    )
    nano = VaccineProduct.objects.get(code="Nano-Covax")
    assert not nano.in_dcc_valueset
    assert VaccineProduct.objects.get(code="Abdala").doses_in_primary_series == 3


def test_a_first_dose_is_recorded(people, record):
    dose = record(people["an"], 1, dt.date(2021, 8, 1))
    assert (dose.dose_number, dose.product.code, dose.lot.number, dose.site.code) == (
        1,
        "EU/1/20/1528",
        "FF2587",
        "BT-01",
    )
    assert dose.source == "recorded" and dose.rules_version == "2021.12"


def test_no_dose_from_an_expired_lot(people, record):
    message = _refused("lot_number", record, people["an"], 1, dt.date(2021, 9, 1), lot_number="EW0150")
    assert "expired on 31/08/2021" in message
    assert record(people["an"], 1, dt.date(2021, 8, 31), lot_number="EW0150").lot.number == "EW0150"


def test_a_lot_of_another_product_is_refused(people, record):
    _refused("lot_number", record, people["an"], 1, dt.date(2021, 8, 1), lot_number="ABV5811")


def test_no_future_date(people, record):
    message = _refused("given_on", record, people["an"], 1, TODAY + dt.timedelta(days=1))
    assert "future" in message
    assert record(people["an"], 1, TODAY).given_on == TODAY


def test_no_dose_number_that_skips_one(people, record):
    record(people["an"], 1, dt.date(2021, 7, 1))
    message = _refused("dose_number", record, people["an"], 3, dt.date(2021, 12, 1))
    assert "missing: 2" in message
    _refused("dose_number", record, people["an"], 0, dt.date(2021, 12, 1))
    assert record(people["an"], 2, dt.date(2021, 8, 1)).dose_number == 2


def test_the_same_dose_number_twice_is_refused(people, record):
    record(people["an"], 1, dt.date(2021, 7, 1))
    assert "already recorded" in _refused("dose_number", record, people["an"], 1, dt.date(2021, 7, 2))


def test_no_dose_before_the_minimum_interval(people, record):
    record(people["an"], 1, dt.date(2021, 8, 1))
    message = _refused("given_on", record, people["an"], 2, dt.date(2021, 8, 21))
    assert "at least 21 days" in message and "22/08/2021" in message
    assert record(people["an"], 2, dt.date(2021, 8, 22)).dose_number == 2


def test_the_first_dose_decides_the_series_interval(people, record):
    record(people["an"], 1, dt.date(2021, 8, 1), product_code=ASTRAZENECA, lot_number="ABV5811")
    _refused("given_on", record, people["an"], 2, dt.date(2021, 8, 28))  # Pfizer's 21 days are not enough
    assert record(people["an"], 2, dt.date(2021, 8, 29)).product.code == "EU/1/20/1528"


def test_a_booster_waits_three_months_after_the_series(people, record):
    record(people["an"], 1, dt.date(2021, 7, 1))
    record(people["an"], 2, dt.date(2021, 7, 22))
    message = _refused("given_on", record, people["an"], 3, dt.date(2021, 10, 19))
    assert "booster" in message and "20/10/2021" in message
    booster = record(people["an"], 3, dt.date(2021, 10, 20))
    assert booster.dose_number == 3


def test_a_booster_after_a_single_dose_series(people, record):
    record(people["an"], 1, dt.date(2021, 7, 1), product_code=JANSSEN, lot_number="XD955")
    _refused("given_on", record, people["an"], 2, dt.date(2021, 9, 1))
    assert record(people["an"], 2, dt.date(2021, 9, 29)).dose_number == 2


def test_the_event_is_recorded_and_dispatched_on_commit(people, record, django_capture_on_commit_callbacks):
    seen = []
    handler = event_services.subscribe(services.DOSE_RECORDED)(lambda event: seen.append(event.payload))
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            dose = record(people["an"], 1, dt.date(2021, 8, 1))
        assert len(callbacks) == 1
    finally:
        event_services._handlers[services.DOSE_RECORDED].remove(handler)
    event = OutboxEvent.objects.get(name=services.DOSE_RECORDED)
    assert event.payload["dose_id"] == dose.pk and event.payload["person_qid"] == people["an"].qid
    assert event.payload["dose_number"] == 1 and event.payload["given_on"] == "2021-08-01"
    assert seen == [event.payload]


def test_a_refused_dose_records_no_event_grant_or_audit(people, record):
    with pytest.raises(VaccinationError):
        record(people["an"], 2, dt.date(2021, 8, 1))
    assert not OutboxEvent.objects.exists() and not Dose.objects.exists()


def test_recording_grants_the_site_and_audits_the_read(people, record, health_worker):
    """Chi lives in Hanoi: presenting herself at the Bến Thành site puts her in its reach."""
    record(people["chi"], 1, dt.date(2021, 8, 1))
    grant = AccessGrant.objects.get(person=people["chi"])
    assert grant.reason == "vaccinated at Trạm Y tế phường Bến Thành" and grant.unit.code == "26743"
    read = PersonalDataRead.objects.get(person=people["chi"])
    assert read.actor_id == health_worker[0].pk and read.purpose == "vaccination"
    assert read.reason == "vaccinated at Trạm Y tế phường Bến Thành"


def test_a_site_outside_the_jurisdiction_is_refused(people, record, official, site):
    _user, hanoi_worker = official("health_worker", "hoan_kiem")
    message = _refused(
        "site_code",
        services.dose_record,
        assignment=hanoi_worker,
        person_qid=people["chi"].qid,
        product_code="EU/1/20/1528",
        lot_number="FF2587",
        dose_number=1,
        given_on=dt.date(2021, 8, 1),
        site_code="BT-01",
    )
    assert "BT-01" in message
    assert not AccessGrant.objects.exists() and not PersonalDataRead.objects.exists()


def test_an_unknown_person_is_not_found_and_nothing_is_written(record):
    with pytest.raises(NotFound):
        record(type("P", (), {"qid": "NOBODY"})(), 1, dt.date(2021, 8, 1))
    assert not PersonalDataRead.objects.exists()


def test_roles_that_cannot_record(people, official, site, lots):
    _user, checkpoint = official("checkpoint_officer", "ben_thanh")
    with pytest.raises(Forbidden):
        services.dose_record(
            assignment=checkpoint,
            person_qid=people["an"].qid,
            product_code="EU/1/20/1528",
            lot_number="FF2587",
            dose_number=1,
            given_on=dt.date(2021, 8, 1),
            site_code="BT-01",
        )


def test_site_rules(official, products):
    _user, commune = official("commune_official", "ben_thanh")
    _user, worker = official("health_worker", "ben_thanh")
    with pytest.raises(Forbidden):
        services.site_create(assignment=worker, code="X", name="X", unit_code="26743")
    _refused("unit_code", services.site_create, assignment=commune, code="X", name="X", unit_code="00070")
    _refused("unit_code", services.site_create, assignment=commune, code="X", name="X", unit_code="26743.001")
    _refused("unit_code", services.site_create, assignment=commune, code="X", name="X", unit_code="99999")
    services.site_create(assignment=commune, code="X", name="X", unit_code="26743")
    _refused("code", services.site_create, assignment=commune, code="X", name="Y", unit_code="26743")


def test_lot_rules(health_worker, products):
    _user, worker = health_worker
    services.lot_create(assignment=worker, product_code="Abdala", number="a1", expiry_date=TODAY)
    _refused(
        "number",
        services.lot_create,
        assignment=worker,
        product_code="Abdala",
        number="A1",
        expiry_date=TODAY,
    )
    _refused(
        "product_code",
        services.lot_create,
        assignment=worker,
        product_code="X",
        number="A1",
        expiry_date=TODAY,
    )
