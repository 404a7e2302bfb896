"""Test result policy: which values a result may carry, how old a sample may be, pooling.

- Ct value 0-45: a real-time RT-PCR run has at most 45 cycles (the WHO/CDC SARS-CoV-2 assay protocols run
  40-45); a value outside is a typing error. Ct >= 30 is "low viral load" in the Ministry of Health's 2021
  guidance (Decision 3416/QĐ-BYT of 14 July 2021, discharge criteria; kept in Decision 4689/QĐ-BYT of
  6 October 2021): `low_viral_load_ct` is stored for the case-management issue, nothing refuses on it.
- Pools: up to 10 samples per pool. The Ministry of Health issued interim guidance on pooling samples for
  SARS-CoV-2 RT-PCR (2020, applied through 2021); we could not confirm the decision number nor the pool
  size in its text from here, so the limit of 10 is pccovid policy (the practice reported in 2021).
- A sample is accepted up to 30 days after it was taken and at most 10 minutes in the future (a device's
  clock): pccovid policy (a result older than the 14-day incubation period twice over is an archive, not
  a result to act on).
- Reading rights: a person who presents themself at a site (or whose sample a lab reports) is inside the
  site's commune's reach for 14 days (pccovid policy, the incubation period), an audited access grant.
"""

import datetime as dt

from pccovid.rules.services import RuleDefault

TESTING_RULES = RuleDefault(
    domain="testing",
    version="2021.1",
    effective_from=dt.date(2020, 3, 1),
    source=(
        "Ct range: real-time RT-PCR runs at most 45 cycles; low viral load Ct >= 30: MoH Decision "
        "3416/QĐ-BYT (14 Jul 2021) and 4689/QĐ-BYT (6 Oct 2021); pool of at most 10 samples, sample age "
        "30 days, clock skew 10 minutes, read grant 14 days: pccovid policy (MoH interim pooling guidance "
        "not confirmed for the pool size)"
    ),
    values={
        "ct_min": 0,
        "ct_max": 45,
        "low_viral_load_ct": 30,
        "pool_max_samples": 10,
        "sample_max_age_days": 30,
        "clock_skew_minutes": 10,
        "read_grant_days": 14,
    },
)

RULESETS = [TESTING_RULES]

# Roles that record results (a site's health workers and the commune/province health officials above it).
RECORD_ROLES = frozenset({"health_worker", "commune_official", "province_official"})
# Kinds that carry a Ct value (a PCR run); a rapid antigen test has none.
PCR_KINDS = frozenset({"rt_pcr", "pooled_rt_pcr"})
MAX_BATCH = 1_000
MAX_CSV_ROWS = 50_000
MAX_CSV_BYTES = 20 * 1024 * 1024
