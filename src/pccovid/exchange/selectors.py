"""What goes into a person's FHIR bundle, read through each app's selectors."""

from pccovid.exchange import fhir
from pccovid.identity.models import IdentifierKind
from pccovid.testing import selectors as testing_selectors
from pccovid.vaccination import selectors as vaccination_selectors

EXPORTED_IDENTIFIERS = {
    IdentifierKind.CCCD,
    IdentifierKind.CMND,
    IdentifierKind.PASSPORT,
    IdentifierKind.HEALTH_INSURANCE,
}


def person_records(*, person) -> fhir.PersonRecords:
    return records_of(
        person=person,
        doses=vaccination_selectors.doses_of(person=person),
        results=testing_selectors.results_of(person=person, limit=10_000),
    )


def records_of(*, person, doses, results) -> fhir.PersonRecords:
    """A person's bundle content from their doses and test results already loaded (the national export
    loads them for many people at once)."""
    identifiers = {i.kind: i.value for i in person.identifiers.all() if i.kind in EXPORTED_IDENTIFIERS}
    patient = fhir.PatientData(
        person.full_name,
        person.birth_date,
        person.sex,
        person.residence_unit.code,
        {**identifiers, "qid": person.qid},
    )
    immunizations = [
        fhir.ImmunizationData(
            d.product.code,
            d.product.name,
            d.product.prophylaxis,
            d.lot.number if d.lot else "",
            d.lot.expiry_date if d.lot else None,
            d.dose_number,
            d.product.doses_in_primary_series,
            d.given_on,
            d.site.code if d.site else "",
        )
        for d in doses
    ]
    lab_results = [
        fhir.LabResultData(
            r.kind,
            r.sample_taken_at,
            r.result,
            float(r.ct_value) if r.ct_value is not None else None,
            r.site.code if r.site else "",
            r.external_id or f"pccovid-{r.pk}",
            r.pool.code if r.pool else "",
        )
        for r in results
    ]
    return fhir.PersonRecords(patient, immunizations, lab_results)
