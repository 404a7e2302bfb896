"""Importing a FHIR bundle the way a hospital system sends one: all of it, or nothing."""

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from pccovid.core.errors import ApplicationError, Forbidden
from pccovid.exchange import fhir
from pccovid.geography import selectors as geography_selectors
from pccovid.identity import selectors as identity_selectors
from pccovid.identity import services as identity_services
from pccovid.testing import services as testing_services
from pccovid.vaccination import services as vaccination_services

IMPORT_ROLES = frozenset({"data_engineer", "province_official", "health_worker"})
SOURCE = "fhir"


@dataclass
class ImportSummary:
    people_created: int = 0
    people_matched: int = 0
    doses_added: int = 0
    doses_unchanged: int = 0
    results_added: int = 0
    results_unchanged: int = 0


@transaction.atomic
def bundle_import(*, assignment, data: dict) -> ImportSummary:
    """Match or create each Patient (by qid, then ID numbers), then add its doses and lab results through
    the vaccination and testing services' own rules. Any refusal rolls the whole bundle back, naming the
    patient and the record; a re-sent bundle changes nothing."""
    if assignment.role not in IMPORT_ROLES:
        raise Forbidden(_("Your role cannot import records."), code="no_permission")
    summary = ImportSummary()
    for records in fhir.bundle_parse(data):
        label = f"{records.patient.full_name} ({records.patient.birth_date:%d/%m/%Y})"
        try:
            person = _person(records.patient, summary)
            _doses(person, records.immunizations, summary)
            _results(assignment, person, records.lab_results, summary)
        except ApplicationError as error:
            raise fhir.ExchangeError(f"{label}: {error.message}", field=error.field) from error
    return summary


def _person(patient: fhir.PatientData, summary: ImportSummary):
    person = identity_selectors.person_by_qid(qid=patient.identifiers.get("qid", ""))
    for kind in ("cccd", "cmnd", "passport"):
        if person is None and patient.identifiers.get(kind):
            person = identity_selectors.person_by_identifier(kind=kind, value=patient.identifiers[kind])
    if person is not None:
        summary.people_matched += 1
        return person
    unit = geography_selectors.unit_get(edition="2025", code=patient.residence_unit_code)
    identifiers = [
        identity_services.IdentifierIn(kind, value, source=SOURCE)
        for kind, value in patient.identifiers.items()
        if kind != "qid"
    ]
    summary.people_created += 1
    return identity_services.person_create(
        full_name=patient.full_name,
        birth_date=patient.birth_date,
        sex=patient.sex,
        residence_unit=unit,
        identifiers=identifiers,
    )


def _doses(person, immunizations: list[fhir.ImmunizationData], summary: ImportSummary) -> None:
    for dose in sorted(immunizations, key=lambda d: d.dose_number):
        added = vaccination_services.dose_import(
            person=person,
            product_code=dose.product_code,
            lot_number=dose.lot_number,
            lot_expiry=dose.lot_expiry,
            dose_number=dose.dose_number,
            given_on=dose.given_on,
            site_code=dose.site_code,
            source=SOURCE,
        )
        summary.doses_added += added
        summary.doses_unchanged += not added


def _results(assignment, person, results: list[fhir.LabResultData], summary: ImportSummary) -> None:
    by_site = defaultdict(list)
    for r in results:
        by_site[r.site_code].append(
            {
                "external_id": r.external_id,
                "qid": person.qid,
                "kind": r.kind,
                "sample_taken_at": r.sample_taken_at.isoformat(),
                "result": r.result,
                "ct_value": "" if r.ct_value is None else str(r.ct_value),
                "pool_code": r.pool_code,
            }
        )
    for site_code, rows in by_site.items():
        report = testing_services.results_import_rows(
            assignment=assignment, site_code=site_code, rows=rows, source=SOURCE
        )
        if report.rejected:
            first = report.rejected[0]
            raise ApplicationError(f"{first.field}: {first.reason}", code="invalid_bundle", field=first.field)
        summary.results_added += report.stored
        summary.results_unchanged += report.unchanged
