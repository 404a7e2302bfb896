"""Export a person's records as FHIR, empty the database of them, import the bundle: the same records."""

import datetime as dt

import pytest
from django.db import transaction

from pccovid.core import clock
from pccovid.exchange import fhir, selectors, services
from pccovid.identity.models import Person
from pccovid.testing import services as testing_services
from pccovid.testing.models import TestResult
from pccovid.testkit import make_person
from pccovid.vaccination import services as vaccination_services
from pccovid.vaccination.models import Dose

NOW = dt.datetime(2021, 10, 15, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def sites(tree, official):
    """Reference data that stays: a vaccination site with a lot, a test site, and their staff."""
    _u, commune = official("commune_official", "ben_thanh")
    _u, worker = official("health_worker", "ben_thanh")
    vaccination_services.site_create(assignment=commune, code="VS-1", name="Trạm y tế", unit_code="26743")
    vaccination_services.lot_create(
        assignment=commune, product_code="EU/1/20/1528", number="FF1", expiry_date=dt.date(2022, 6, 30)
    )
    testing_services.test_site_register(
        assignment=commune, code="TS-1", name="Điểm xét nghiệm", unit_code="26743"
    )
    return worker


def _records(tree, worker):
    """An: two Comirnaty doses and two tests (a PCR, a rapid antigen test)."""
    an = make_person(tree["group"])
    for number, day in ((1, dt.date(2021, 8, 1)), (2, dt.date(2021, 8, 29))):
        with clock.frozen(dt.datetime.combine(day, dt.time(3), tzinfo=dt.UTC)):
            vaccination_services.dose_record(
                assignment=worker,
                person_qid=an.qid,
                product_code="EU/1/20/1528",
                lot_number="FF1",
                dose_number=number,
                given_on=day,
                site_code="VS-1",
            )
    with clock.frozen(NOW):
        testing_services.result_record(
            assignment=worker,
            person_qid=an.qid,
            kind="rt_pcr",
            sample_taken_at=NOW - dt.timedelta(days=2),
            result="positive",
            ct_value=24.5,
            site_code="TS-1",
            external_id="S-100",
        )
        testing_services.result_record(
            assignment=worker,
            person_qid=an.qid,
            kind="rapid_antigen",
            sample_taken_at=NOW - dt.timedelta(hours=3),
            result="negative",
            site_code="TS-1",
            external_id="S-101",
        )
    return an


@pytest.fixture
def records(tree, sites):
    return _records(tree, sites), sites


def _snapshot(person) -> tuple:
    doses = sorted(
        (d.product.code, d.lot.number, d.dose_number, d.given_on, d.site.code)
        for d in Dose.objects.filter(person=person)
    )
    tests = sorted(
        (t.kind, t.sample_taken_at, t.result, t.ct_value, t.site.code, t.external_id)
        for t in TestResult.objects.filter(person=person)
    )
    identifiers = sorted((i.kind, i.value) for i in person.identifiers.exclude(kind="phone"))
    return (
        person.full_name,
        person.birth_date,
        person.sex,
        person.residence_unit.code,
        identifiers,
        doses,
        tests,
    )


def test_export_then_import_into_an_empty_database_gives_the_same_records(tree, sites):
    with transaction.atomic():  # the records exist only inside; rolled back, the database is empty of them
        an = _records(tree, sites)
        before = _snapshot(an)
        bundle = fhir.bundle_build(selectors.person_records(person=an))
        transaction.set_rollback(True)
    assert not Person.objects.exists() and not Dose.objects.exists() and not TestResult.objects.exists()
    with clock.frozen(NOW):
        summary = services.bundle_import(assignment=sites, data=bundle)
    assert (summary.people_created, summary.doses_added, summary.results_added) == (1, 2, 2)
    again = Person.objects.get(identifiers__kind="cccd", identifiers__value="079090001234")
    assert _snapshot(again) == before


def test_a_resent_bundle_changes_nothing(records):
    an, worker = records
    bundle = fhir.bundle_build(selectors.person_records(person=an))
    with clock.frozen(NOW):
        summary = services.bundle_import(assignment=worker, data=bundle)
    assert (summary.people_matched, summary.doses_unchanged, summary.results_unchanged) == (1, 2, 2)
    assert Dose.objects.count() == 2 and TestResult.objects.count() == 2


def test_a_bundle_breaking_a_rule_is_refused_whole_naming_the_record(records):
    an, worker = records
    bundle = fhir.bundle_build(selectors.person_records(person=an))
    Dose.objects.all().delete()
    TestResult.objects.all().delete()
    bundle["entry"][2]["resource"]["occurrenceDateTime"] = "2021-08-05"  # dose 2 four days after dose 1
    with clock.frozen(NOW), pytest.raises(fhir.ExchangeError, match="Nguyễn Văn An"):
        services.bundle_import(assignment=worker, data=bundle)
    assert not Dose.objects.exists() and not TestResult.objects.exists()


def test_api_export_and_import(client, records):
    an, worker = records
    client.force_login(worker.user)
    bundle = client.get(f"/api/v1/exchange/persons/{an.qid}/bundle").json()
    assert bundle["resourceType"] == "Bundle" and len(bundle["entry"]) == 5
    with clock.frozen(NOW):
        summary = client.post("/api/v1/exchange/bundles", bundle, content_type="application/json").json()
    assert summary["doses_unchanged"] == 2
    bad = client.post(
        "/api/v1/exchange/bundles", {"resourceType": "Patient"}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_bundle"
