"""Certificate policy, with its sources.

- Vaccination certificates are valid 12 months from issue: MoH Decision 5772/QĐ-BYT (29 Dec 2021), the
  Vietnamese "vaccine passport", which is the EU DCC format.
- Test certificates are valid from the sample time for as long as the test itself counts on entry:
  72 hours for RT-PCR (NAAT), 24 hours for a rapid antigen test (MoH guidance on entry testing, 2021-22).
- Recovery certificates: valid from 11 days after the first positive test until 180 days after it
  (Regulation (EU) 2021/953, Annex; the DCC `df`/`du`).
- Boosters are coded as the EU does (eHN guidelines, vaccine-encoding-instructions): after a two-dose
  primary series a booster is 3/3 (then 4/4...); after a single-dose series it is 2/1 (then 3/1...).
"""

import datetime as dt

ISSUER = "Ministry of Health of Viet Nam"
COUNTRY = "VN"
CWT_ISSUER = "VN"
SCHEMA_VERSION = "1.3.0"
DISEASE_COVID_19 = "840539006"  # SNOMED CT, DCC `tg`

VACCINATION_VALIDITY = dt.timedelta(days=365)
TEST_VALIDITY = {
    "LP6464-4": dt.timedelta(hours=72),  # NAAT (RT-PCR)
    "LP217198-3": dt.timedelta(hours=24),  # rapid antigen
}
RECOVERY_VALID_FROM = dt.timedelta(days=11)
RECOVERY_VALID_UNTIL = dt.timedelta(days=180)

# Who may revoke a certificate of a person in their jurisdiction.
REVOKE_ROLES = frozenset({"commune_official", "province_official"})


def dose_coding(*, dose_number: int, doses_in_primary_series: int) -> tuple[int, int]:
    """(dn, sd) of a dose, the EU way: the primary series keeps its size; after a single-dose series
    every later dose is n/1; after a longer series a booster n is n/n (3/3 after two doses)."""
    if doses_in_primary_series == 1:
        return dose_number, 1
    return dose_number, max(doses_in_primary_series, dose_number)
