"""Code systems used in the FHIR exchange, both ways.

Tests: LOINC for what was measured, SNOMED CT for the qualitative result (as the EU DCC and HL7's COVID-19
guides use them). Vaccines: the EU DCC value-set code of the product (the system is the value set's own),
plus the WHO ATC code of the prophylaxis. Ct values and pooled testing have no agreed code: pccovid's own
code system, documented in docs/data-formats.md.
"""

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ATC = "http://www.whocc.no/atc"
EU_REGISTER = "https://ec.europa.eu/health/documents/community-register/html/"
DCC_VACCINES = "https://id.uvci.eu/valueset/vaccine-medicinal-product"
PCCOVID = "https://pccovid.vn/fhir/CodeSystem/pccovid"
ID_SYSTEMS = {
    "cccd": "https://pccovid.vn/fhir/NamingSystem/cccd",
    "cmnd": "https://pccovid.vn/fhir/NamingSystem/cmnd",
    "passport": "https://pccovid.vn/fhir/NamingSystem/passport",
    "health_insurance": "https://pccovid.vn/fhir/NamingSystem/bhyt",
    "qid": "https://pccovid.vn/fhir/NamingSystem/qid",
}
RESIDENCE_EXTENSION = "https://pccovid.vn/fhir/StructureDefinition/residence-unit"

# kind -> (LOINC code, display)
TEST_KINDS = {
    "rt_pcr": (
        "94500-6",
        "SARS-CoV-2 (COVID-19) RNA [Presence] in Respiratory specimen by NAA with probe detection",
    ),
    "pooled_rt_pcr": (
        "94500-6",
        "SARS-CoV-2 (COVID-19) RNA [Presence] in Respiratory specimen by NAA with probe detection",
    ),
    "rapid_antigen": (
        "94558-4",
        "SARS-CoV-2 (COVID-19) Ag [Presence] in Respiratory specimen by Rapid immunoassay",
    ),
}
POOLED_METHOD = "pooled"
CT_VALUE = "ct-value"
RESULTS = {
    "positive": ("260373001", "Detected"),
    "negative": ("260415000", "Not detected"),
    "invalid": ("455371000124106", "Invalid result"),
}
SEX = {"M": "male", "F": "female", "O": "other"}


def vaccine_system(product_code: str) -> str:
    """EU-authorised products carry an EU register number; the others a DCC value-set name."""
    return EU_REGISTER if product_code.startswith("EU/") else DCC_VACCINES


def result_of(snomed_code: str) -> str | None:
    return next((name for name, (code, _display) in RESULTS.items() if code == snomed_code), None)


def sex_of(gender: str) -> str | None:
    return next((code for code, name in SEX.items() if name == gender), None)
