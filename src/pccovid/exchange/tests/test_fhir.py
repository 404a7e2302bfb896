"""FHIR mapping both ways, without the database: what goes out comes back equal; bad bundles say where."""

import datetime as dt

import pytest

from pccovid.exchange import codes, fhir

AN = fhir.PatientData("Nguyễn Văn An", dt.date(1990, 5, 17), "M", "26743",
                      {"cccd": "079090001234", "qid": "7K3M9Q2WXH4T"})  # fmt: skip
DOSES = [
    fhir.ImmunizationData("EU/1/21/1529", "Vaxzevria", "J07BX03", "ABV5300", dt.date(2021, 12, 31), 1, 2,
                          dt.date(2021, 7, 1), "VS-26743"),
    fhir.ImmunizationData("EU/1/20/1528", "Comirnaty", "J07BX03", "FF2587", None, 2, 2, dt.date(2021, 9, 1),
                          "VS-26743"),
]  # fmt: skip
TESTS = [
    fhir.LabResultData("rt_pcr", dt.datetime(2021, 10, 1, 8, 30, tzinfo=dt.UTC), "positive", 24.5, "LAB-1",
                       "S-1"),
    fhir.LabResultData("rapid_antigen", dt.datetime(2021, 10, 20, 9, 0, tzinfo=dt.UTC), "negative", None,
                       "TS-2", "S-2"),
    fhir.LabResultData("pooled_rt_pcr", dt.datetime(2021, 9, 1, 7, 0, tzinfo=dt.UTC), "negative", None,
                       "LAB-1", "P-9", "POOL-7"),
]  # fmt: skip


def test_a_person_with_doses_and_tests_round_trips():
    records = fhir.PersonRecords(AN, DOSES, TESTS)
    bundle = fhir.bundle_build(records)
    assert bundle["resourceType"] == "Bundle" and len(bundle["entry"]) == 6
    assert fhir.bundle_parse(bundle) == [records]


def test_a_record_of_a_2021_app_has_no_site_and_no_empty_identifier():
    """Legacy doses and results (issue 7) name no site the platform knows."""
    dose = fhir.ImmunizationData(
        "EU/1/21/1529", "Vaxzevria", "J07BX03", "", None, 1, 2, dt.date(2021, 7, 1), ""
    )
    result = fhir.LabResultData(
        "rt_pcr", dt.datetime(2021, 9, 1, tzinfo=dt.UTC), "negative", None, "", "pccovid-9"
    )
    records = fhir.PersonRecords(AN, [dose], [result])
    bundle = fhir.bundle_build(records)
    immunization, observation = (entry["resource"] for entry in bundle["entry"][1:])
    assert "performer" not in immunization and "performer" not in observation
    assert observation["identifier"] == [{"system": f"{codes.PCCOVID}/result", "value": "pccovid-9"}]
    assert fhir.bundle_parse(bundle) == [records]


def test_standard_codes_are_used():
    bundle = fhir.bundle_build(fhir.PersonRecords(AN, DOSES[:1], TESTS[:2]))
    resources = [entry["resource"] for entry in bundle["entry"]]
    immunization, pcr, rapid = resources[1], resources[2], resources[3]
    assert {"system": codes.ATC, "code": "J07BX03"} in immunization["vaccineCode"]["coding"]
    assert immunization["protocolApplied"] == [{"doseNumberPositiveInt": 1, "seriesDosesPositiveInt": 2}]
    assert pcr["code"]["coding"][0]["code"] == "94500-6" and rapid["code"]["coding"][0]["code"] == "94558-4"
    assert pcr["valueCodeableConcept"]["coding"][0] == {"system": codes.SNOMED, "code": "260373001",
                                                         "display": "Detected"}  # fmt: skip


def test_a_non_eu_vaccine_uses_the_dcc_value_set_name():
    dose = fhir.ImmunizationData(
        "BBIBP-CorV", "BBIBP-CorV", "J07BX03", "L1", None, 1, 2, dt.date(2021, 6, 1), "VS"
    )
    coding = fhir.bundle_build(fhir.PersonRecords(AN, [dose], []))["entry"][1]["resource"]["vaccineCode"][
        "coding"
    ]
    assert coding[0]["system"] == codes.DCC_VACCINES


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (lambda b: b.update(resourceType="Patient"), "Not a valid FHIR R4 Bundle"),
        (lambda b: b["entry"][0]["resource"].update(gender="robot"), "gender 'robot'"),
        (
            lambda b: b["entry"][0]["resource"].pop("extension"),
            "Entry 1 \\(Patient\\): no place of residence",
        ),
        (
            lambda b: b["entry"][1]["resource"].update(patient={"reference": "urn:uuid:nobody"}),
            "not in the bundle",
        ),
        (
            lambda b: b["entry"][2]["resource"]["valueCodeableConcept"]["coding"][0].update(code="1"),
            "Entry 3",
        ),
    ],
)
def test_a_damaged_bundle_is_refused_saying_where(damage, says):
    bundle = fhir.bundle_build(fhir.PersonRecords(AN, DOSES[:1], TESTS[:1]))
    damage(bundle)
    with pytest.raises(fhir.ExchangeError, match=says):
        fhir.bundle_parse(bundle)
