"""FHIR R4 (R4B models of `fhir.resources`) bundles of a person's immunizations and lab results.

Pure mapping: dataclasses in, FHIR JSON out, and back. The services read and write the database.
"""

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.immunization import Immunization
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from pydantic import ValidationError

from pccovid.core.errors import ApplicationError
from pccovid.exchange import codes


class ExchangeError(ApplicationError):
    code = "invalid_bundle"


@dataclass(frozen=True)
class PatientData:
    full_name: str
    birth_date: dt.date
    sex: str
    residence_unit_code: str
    identifiers: dict[str, str] = field(default_factory=dict)  # kind -> value (cccd, cmnd, ..., qid)


@dataclass(frozen=True)
class ImmunizationData:
    product_code: str
    product_name: str
    prophylaxis: str
    lot_number: str
    lot_expiry: dt.date | None
    dose_number: int
    series_doses: int
    given_on: dt.date
    site_code: str


@dataclass(frozen=True)
class LabResultData:
    kind: str
    sample_taken_at: dt.datetime
    result: str
    ct_value: float | None
    site_code: str
    external_id: str
    pool_code: str = ""


@dataclass(frozen=True)
class PersonRecords:
    patient: PatientData
    immunizations: list[ImmunizationData]
    lab_results: list[LabResultData]


def bundle_build(records: PersonRecords) -> dict:
    """A `collection` Bundle: the Patient first, then one Immunization per dose, one Observation per test."""
    patient_url = f"urn:uuid:{uuid.uuid4()}"
    entries = [{"fullUrl": patient_url, "resource": _patient(records.patient)}]
    entries += [
        {"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": _immunization(i, patient_url)}
        for i in records.immunizations
    ]
    entries += [
        {"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": _observation(r, patient_url)}
        for r in records.lab_results
    ]
    bundle = Bundle.model_validate({"resourceType": "Bundle", "type": "collection", "entry": entries})
    return bundle.model_dump(mode="json", exclude_none=True)


def _patient(patient: PatientData) -> dict:
    family, _, given = patient.full_name.partition(" ")
    return Patient.model_validate(
        {
            "resourceType": "Patient",
            "identifier": [
                {"system": codes.ID_SYSTEMS[kind], "value": value}
                for kind, value in sorted(patient.identifiers.items())
            ],
            "name": [{"text": patient.full_name, "family": family, "given": given.split() or None}],
            "gender": codes.SEX.get(patient.sex, "unknown"),
            "birthDate": patient.birth_date.isoformat(),
            "extension": [{"url": codes.RESIDENCE_EXTENSION, "valueCode": patient.residence_unit_code}],
        }
    ).model_dump(mode="json", exclude_none=True)


def _immunization(dose: ImmunizationData, patient_url: str) -> dict:
    return Immunization.model_validate(
        {
            "resourceType": "Immunization",
            "status": "completed",
            "vaccineCode": {
                "coding": [
                    {
                        "system": codes.vaccine_system(dose.product_code),
                        "code": dose.product_code,
                        "display": dose.product_name,
                    },
                    {"system": codes.ATC, "code": dose.prophylaxis},
                ]
            },
            "patient": {"reference": patient_url},
            "occurrenceDateTime": dose.given_on.isoformat(),
            "lotNumber": dose.lot_number or None,  # a 2021 app often named no lot; FHIR has no empty string
            "expirationDate": dose.lot_expiry.isoformat() if dose.lot_expiry else None,
            "performer": _performers(dose.site_code, lambda site: {"actor": {"identifier": site}}),
            "protocolApplied": [
                {"doseNumberPositiveInt": dose.dose_number, "seriesDosesPositiveInt": dose.series_doses}
            ],
        }
    ).model_dump(mode="json", exclude_none=True)


def _observation(result: LabResultData, patient_url: str) -> dict:
    loinc, display = codes.TEST_KINDS[result.kind]
    outcome, outcome_display = codes.RESULTS[result.result]
    observation = {
        "resourceType": "Observation",
        "status": "final",
        "identifier": [{"system": _result_system(result.site_code), "value": result.external_id}],
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "laboratory",
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": codes.LOINC, "code": loinc, "display": display}]},
        "subject": {"reference": patient_url},
        "effectiveDateTime": result.sample_taken_at.isoformat(),
        "valueCodeableConcept": {
            "coding": [{"system": codes.SNOMED, "code": outcome, "display": outcome_display}]
        },
        "performer": _performers(result.site_code, lambda site: {"identifier": site}),
    }
    if result.kind == "pooled_rt_pcr":
        observation["method"] = {
            "coding": [{"system": codes.PCCOVID, "code": codes.POOLED_METHOD}],
            "text": result.pool_code,
        }
    if result.ct_value is not None:
        observation["component"] = [
            {
                "code": {"coding": [{"system": codes.PCCOVID, "code": codes.CT_VALUE}]},
                "valueQuantity": {"value": result.ct_value, "unit": "cycles"},
            }
        ]
    return Observation.model_validate(observation).model_dump(mode="json", exclude_none=True)


def _performers(site_code: str, shape: Callable[[dict], dict]) -> list[dict] | None:
    """The site that gave the dose or ran the test; none for a record of a 2021 app, which named no site
    the platform knows (FHIR allows no empty identifier)."""
    return [shape({"system": codes.PCCOVID, "value": site_code})] if site_code else None


def _result_system(site_code: str) -> str:
    """A result's id is unique within its site; a site-less (2021 app's) result's id is the platform's."""
    return f"{codes.PCCOVID}/site/{site_code}" if site_code else f"{codes.PCCOVID}/result"


def bundle_parse(data: dict) -> list[PersonRecords]:
    """Every Patient of a Bundle with the Immunizations and Observations that reference it.

    Raises ExchangeError naming the entry and the problem; nothing is half-read."""
    try:
        bundle = Bundle.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        raise ExchangeError(
            f"Not a valid FHIR R4 Bundle: {'.'.join(map(str, first['loc']))}: {first['msg']}"
        ) from error
    patients: dict[str, PatientData] = {}
    immunizations: dict[str, list[ImmunizationData]] = {}
    results: dict[str, list[LabResultData]] = {}
    for number, entry in enumerate(bundle.entry or [], start=1):
        resource = entry.resource
        try:
            match resource.get_resource_type():
                case "Patient":
                    patients[entry.fullUrl] = _patient_data(resource)
                case "Immunization":
                    immunizations.setdefault(resource.patient.reference, []).append(
                        _immunization_data(resource)
                    )
                case "Observation":
                    results.setdefault(resource.subject.reference, []).append(_result_data(resource))
        except (KeyError, ValueError, TypeError, AttributeError, IndexError) as error:
            raise ExchangeError(f"Entry {number} ({resource.get_resource_type()}): {error}") from error
    unknown = (set(immunizations) | set(results)) - set(patients)
    if unknown:
        raise ExchangeError(f"Records refer to patients not in the bundle: {', '.join(sorted(unknown))}.")
    return [PersonRecords(p, immunizations.get(url, []), results.get(url, [])) for url, p in patients.items()]


def _identifier_kind(system: str) -> str | None:
    return next((kind for kind, url in codes.ID_SYSTEMS.items() if url == system), None)


def _patient_data(patient: Patient) -> PatientData:
    unit = next((e.valueCode for e in patient.extension or [] if e.url == codes.RESIDENCE_EXTENSION), None)
    if not unit:
        raise ValueError(f"no place of residence (extension {codes.RESIDENCE_EXTENSION})")
    sex = codes.sex_of(patient.gender or "")
    if sex is None:
        raise ValueError(f"gender '{patient.gender}' is not male, female or other")
    identifiers = {kind: i.value for i in patient.identifier or [] if (kind := _identifier_kind(i.system))}
    return PatientData(patient.name[0].text, patient.birthDate, sex, unit, identifiers)


def _coding(concept, system: str):
    return next((c for c in concept.coding or [] if c.system == system), None)


def _immunization_data(immunization: Immunization) -> ImmunizationData:
    product = next(
        c for c in immunization.vaccineCode.coding if c.system in (codes.EU_REGISTER, codes.DCC_VACCINES)
    )
    atc = _coding(immunization.vaccineCode, codes.ATC)
    protocol = immunization.protocolApplied[0]
    return ImmunizationData(
        product.code,
        product.display or product.code,
        atc.code if atc else "",
        immunization.lotNumber or "",
        immunization.expirationDate,
        protocol.doseNumberPositiveInt,
        protocol.seriesDosesPositiveInt or 0,
        _date(immunization.occurrenceDateTime),
        immunization.performer[0].actor.identifier.value if immunization.performer else "",
    )


def _result_data(observation: Observation) -> LabResultData:
    loinc = _coding(observation.code, codes.LOINC).code
    pooled = observation.method and _coding(observation.method, codes.PCCOVID)
    kind = (
        "pooled_rt_pcr" if pooled else next(k for k, (code, _d) in codes.TEST_KINDS.items() if code == loinc)
    )
    result = codes.result_of(_coding(observation.valueCodeableConcept, codes.SNOMED).code)
    if result is None:
        raise ValueError("the result is not a SNOMED CT Detected / Not detected / Invalid code")
    ct = next(
        (
            c.valueQuantity.value
            for c in observation.component or []
            if _coding(c.code, codes.PCCOVID) and _coding(c.code, codes.PCCOVID).code == codes.CT_VALUE
        ),
        None,
    )
    identifier = observation.identifier[0]
    return LabResultData(
        kind,
        observation.effectiveDateTime,
        result,
        float(ct) if ct is not None else None,
        identifier.system.rsplit("/", 1)[-1] if "/site/" in identifier.system else "",
        identifier.value,
        (observation.method.text or "") if pooled else "",
    )


def _date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
