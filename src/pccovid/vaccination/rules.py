"""Vaccination policy: the vaccines Vietnam used in 2021, their primary series and intervals, and boosters.

Product codes, marketing authorisation holders (MAH) and prophylaxis codes are copied from the EU Digital
COVID Certificate value sets (eHealth Network, `ehn-dcc-development/ehn-dcc-valuesets`):
- `vaccine-medicinal-product.json` (valueSetId `vaccines-covid-19-names`, valueSetDate 2022-11-30);
- `vaccine-mah-manf.json` (`vaccines-covid-19-auth-holders`, 2022-01-26);
- `vaccine-prophylaxis.json` (`sct-vaccines-covid-19`, 2023-01-25), using the codes in force in 2021:
  1119349007 "SARS-CoV-2 mRNA vaccine" for mRNA vaccines and J07BX03 "covid-19 vaccines" (ATC) for the
  others, as Member States encoded them in 2021; the value set marks J07BX03 deprecated since 2022, and the
  eHN encoding instructions (2023-05-05) now suggest SNOMED codes per platform (29061000087103 viral
  vector, 1157024006 inactivated, 1162643001 protein subunit).
The project does not read the value-set files at run time: the values below are the copy.

Primary series and the minimum interval between primary doses, as the Ministry of Health (MoH) used them
in 2021: MoH Decision 3588/QĐ-BYT (26 Jul 2021) on COVID-19 vaccination and the product dispatches after
it. The intervals were checked against press reports of those dispatches (not the texts themselves);
where the MoH figure was a range or uncertain, the manufacturer's label minimum is used, and said so. The
minimum is the shortest interval a dose was lawfully given at, so that no correct record is refused:
- Comirnaty (Pfizer-BioNTech): 2 doses, 21 days (3 weeks; MoH guidance and the EU label).
- Spikevax (Moderna): 2 doses, 28 days (4 weeks; MoH guidance and the EU label).
- Vaxzevria (AstraZeneca) and Covishield: 2 doses. MoH advised 8-12 weeks in mid-2021; from 20 Sep 2021
  it let provinces shorten the interval following WHO and the manufacturer (Ho Chi Minh City used
  6 weeks). The minimum accepted here is the EU label's 4 weeks (28 days), said so because the exact
  provincial minima varied.
- Sputnik V: 2 doses (different components), 21 days (Gamaleya label).
- BBIBP-CorV (Sinopharm, "Vero Cell"): 2 doses, 21 days (MoH: 3-4 weeks; WHO EUL).
- Hayat-Vax (Sinopharm made in the UAE): 2 doses, 21 days, as BBIBP-CorV.
- Abdala (CIGB, Cuba): 3 doses, 14 days apart (the manufacturer's 0-14-28 day schedule; MoH approved it
  for emergency use in September 2021).
- CoronaVac (Sinovac): 2 doses, 14 days (WHO EUL: 2-4 weeks).
- Covaxin (Bharat Biotech): 2 doses, 28 days (manufacturer's label; WHO EUL: 4 weeks).
- Janssen (Jcovden): 1 dose.
- Nano Covax (Nanogen, Vietnam): a domestic candidate in phase 3 trials in 2021, never authorised and
  never in the EU value set (`in_dcc_valueset=False`); 2 doses, 28 days (the trial protocol).

Booster: a dose after the primary series, at least 3 months (90 days) after the last primary dose: MoH
Dispatch 10225/BYT-DP (1 Dec 2021), replaced by Dispatch 10722/BYT-DP (17 Dec 2021), which keeps the
3 months. (The "additional dose" for the immunocompromised, 28 days to 3 months after the series, is not
modelled separately: it is recorded as the next dose number.)
"""

import datetime as dt
from dataclasses import dataclass

from pccovid.rules.services import RuleDefault

VALUESET_VERSIONS = {
    "vaccine-medicinal-product": "vaccines-covid-19-names 2022-11-30",
    "vaccine-mah-manf": "vaccines-covid-19-auth-holders 2022-01-26",
    "vaccine-prophylaxis": "sct-vaccines-covid-19 2023-01-25 (codes in force in 2021)",
}

GAMALEYA = "Gamaleya-Research-Institute"
MRNA = "1119349007"  # SARS-CoV-2 mRNA vaccine (SNOMED CT)
COVID = "J07BX03"  # covid-19 vaccines (ATC), the 2021 code for the non-mRNA vaccines


@dataclass(frozen=True)
class ProductDefault:
    code: str
    name: str
    mah: str
    prophylaxis: str
    doses_in_primary_series: int
    min_interval_days: int
    in_dcc_valueset: bool = True


PRODUCTS: list[ProductDefault] = [
    ProductDefault("EU/1/20/1528", "Comirnaty (Pfizer-BioNTech)", "ORG-100030215", MRNA, 2, 21),
    ProductDefault("EU/1/20/1507", "Spikevax (Moderna)", "ORG-100031184", MRNA, 2, 28),
    ProductDefault("EU/1/21/1529", "Vaxzevria (AstraZeneca)", "ORG-100001699", COVID, 2, 28),
    ProductDefault("Covishield", "Covishield (Serum Institute)", "ORG-100001981", COVID, 2, 28),
    ProductDefault("Sputnik-V", "Sputnik V (Gamaleya)", GAMALEYA, COVID, 2, 21),
    ProductDefault("BBIBP-CorV", "BBIBP-CorV (Sinopharm, Vero Cell)", "ORG-100020693", COVID, 2, 21),
    ProductDefault("Hayat-Vax", "Hayat-Vax (Gulf Pharmaceutical)", "ORG-100023050", COVID, 2, 21),
    ProductDefault("Abdala", "Abdala (CIGB)", "CIGB", COVID, 3, 14),
    ProductDefault("CoronaVac", "CoronaVac (Sinovac)", "Sinovac-Biotech", COVID, 2, 14),
    ProductDefault("Covaxin", "Covaxin (Bharat Biotech)", "Bharat-Biotech", COVID, 2, 28),
    ProductDefault("EU/1/20/1525", "Jcovden (Janssen)", "ORG-100001417", COVID, 1, 0),
    ProductDefault("Nano-Covax", "Nano Covax (Nanogen)", "", COVID, 2, 28, in_dcc_valueset=False),
]  # fmt: skip

VACCINATION_RULES = RuleDefault(
    domain="vaccination",
    version="2021.12",
    effective_from=dt.date(2021, 3, 8),  # the first COVID-19 vaccination in Vietnam
    source=(
        "Booster at least 3 months after the last primary dose: MoH Dispatch 10225/BYT-DP (1 Dec 2021), "
        "replaced by 10722/BYT-DP (17 Dec 2021). Access grant of the vaccination site: pccovid policy, "
        "7 days to follow up reactions after immunisation"
    ),
    values={
        "booster_min_interval_days": 90,
        "site_read_grant_days": 7,
    },
)

RULESETS = [VACCINATION_RULES]

# Who records doses and lots: health workers at the site, and the commune and province health officials
# above them. Sites are declared by the commune and province officials.
RECORD_ROLES = frozenset({"health_worker", "commune_official", "province_official"})
SITE_ROLES = frozenset({"commune_official", "province_official"})
# Coverage figures are aggregates (not personal reads), for the officials who plan and follow campaigns.
COVERAGE_ROLES = frozenset(
    {"health_worker", "tracer", "commune_official", "province_official", "data_engineer"}
)

# Age bands of the coverage table: (label, lowest age, highest age or None).
AGE_BANDS: list[tuple[str, int, int | None]] = [
    ("0-11", 0, 11),
    ("12-17", 12, 17),
    ("18-49", 18, 49),
    ("50-64", 50, 64),
    ("65+", 65, None),
]
