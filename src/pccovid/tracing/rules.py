"""Case and contact-tracing policy.

- Infectious period: from 2 days before symptom onset (or, without symptoms, before the sample that
  tested positive) until the case is isolated. Ministry of Health, Decision 2686/QĐ-BYT (31 May 2021),
  "Guidance on COVID-19 surveillance", definition of a close contact (F1): contact with a confirmed case
  during its infectious period, counted from 2 days before onset or sampling. `infectious_days_before`.
- Co-presence: PC-Covid traced F1 from venue check-ins within ±1 hour of the case's scan (the window the
  app used in 2021); `copresence_minutes`. A venue category may set its own window
  (`category_minutes`): a station, bus or ferry keeps people together longer than a shop visit, so
  transport uses ±2 hours (pccovid policy).
- Depth: F1 are contacts of the case, F2 contacts of an F1 (Decision 2686/QĐ-BYT's F2); `depth` 2.
- Reading rights: a contact is in reach of the case's unit for 28 days (two incubation periods, pccovid
  policy), an audited access grant whose reason names the case.
"""

import datetime as dt

from pccovid.rules.services import RuleDefault

TRACING_RULES = RuleDefault(
    domain="tracing",
    version="2021.1",
    effective_from=dt.date(2021, 5, 31),
    source=(
        "Infectious period from 2 days before onset or sampling, F1/F2: MoH Decision 2686/QĐ-BYT "
        "(31 May 2021); co-presence ±60 min: PC-Covid check-in tracing (2021); transport ±120 min, "
        "contact read grant 28 days: pccovid policy"
    ),
    values={
        "infectious_days_before": 2,
        "copresence_minutes": 60,
        "category_minutes": {"transport": 120},
        "depth": 2,
        "contact_grant_days": 28,
    },
)

CASE_ORIGIN_RULES = RuleDefault(
    domain="tracing.case_origin",
    version="2021.1",
    effective_from=dt.date(2020, 1, 23),  # Vietnam's first case: the split applies to every case
    source=(
        "Imported / in quarantine / community: the Ministry of Health's daily COVID-19 bulletins (2021) "
        "split new cases into 'nhập cảnh' (entrants), cases found in quarantine or lockdown and cases in "
        "the community; Resolution 128/NQ-CP (11 Oct 2021) sets epidemic levels on community cases. "
        "Imported = an entry declaration with arrival in the 14 days before (the 2021 entry quarantine, "
        "Decision 4800/QĐ-BYT): pccovid's reading"
    ),
    values={"imported_within_days": 14},
)

RULESETS = [TRACING_RULES, CASE_ORIGIN_RULES]
