"""Quarantine of contacts (F1) and isolation of cases (F0): days, tests, and who counts as protected.

Day 1 is the day after the last exposure for F1 (the order starts the day it is made if that is later),
and the day the case is isolated for F0. `test_days` are day numbers; the last one is the exit test.

F1, December 2021 (`quarantine.contact` 2021.12): MoH letter 10696/BYT-MT (16 Dec 2021). A contact whose
last dose was given at least 14 days and at most 6 months before, or who recovered within 6 months,
quarantines 7 days at home and monitors their health 7 more days, tested on days 1 and 7. Everyone else
quarantines 14 days, tested on days 1, 7 and 14 (the values the letter left in force; no self-monitoring
period is added by pccovid).

F1, February 2022 (`quarantine.contact` 2022.02): MoH dispatch 762/BYT-DP (22 Feb 2022). Fully vaccinated
or recovered within 3 months: 5 days at home, test on day 5, 5 days of self-monitoring; otherwise 7 days,
test on day 7, 3 days of self-monitoring. (Values as the dispatch was reported; its full text could not
be checked from here.)

F0 at home, December 2021 (`quarantine.case` 2021.12): 10 days, a negative test on day 10, then 7 days of
self-monitoring (MoH guidance on home care of F0, Decision 4038/QĐ-BYT of 21 Aug 2021, as applied in
December 2021; not verified in full). February 2022 (`quarantine.case` 2022.01): Decision 261/QĐ-BYT
(31 Jan 2022): 7 days and a negative rapid test on day 7. In both, a positive exit test keeps the person
isolated `retest_after_days` more days before the next test (pccovid policy: Decision 261 continues
isolation to day 10).

Daily reports: a temperature of 37.5 °C or more is fever (MoH case definition, Decision 2686/QĐ-BYT);
any symptom of the health-declaration form raises an alert; a day without a report raises one the next
morning (pccovid policy).
"""

import datetime as dt

from pccovid.rules.services import RuleDefault

CONTACT_RULES_2021 = RuleDefault(
    domain="quarantine.contact",
    version="2021.12",
    effective_from=dt.date(2021, 12, 16),
    source="MoH letter 10696/BYT-MT (16 Dec 2021)",
    values={
        "protected": {"quarantine_days": 7, "monitor_days": 7, "test_days": [1, 7]},
        "unprotected": {"quarantine_days": 14, "monitor_days": 0, "test_days": [1, 7, 14]},
        "vaccinated_min_days": 14,
        "vaccinated_max_days": 180,
        "recovered_within_days": 180,
    },
)

CONTACT_RULES_2022 = RuleDefault(
    domain="quarantine.contact",
    version="2022.02",
    effective_from=dt.date(2022, 2, 22),
    source="MoH dispatch 762/BYT-DP (22 Feb 2022), values as reported",
    values={
        "protected": {"quarantine_days": 5, "monitor_days": 5, "test_days": [5]},
        "unprotected": {"quarantine_days": 7, "monitor_days": 3, "test_days": [7]},
        "vaccinated_min_days": 14,
        "vaccinated_max_days": None,
        "recovered_within_days": 90,
    },
)

CASE_RULES_2021 = RuleDefault(
    domain="quarantine.case",
    version="2021.12",
    effective_from=dt.date(2021, 8, 21),
    source="MoH Decision 4038/QĐ-BYT (21 Aug 2021) home care of F0, as applied in Dec 2021 (not verified)",
    values={"isolation_days": 10, "monitor_days": 7, "test_days": [10], "retest_after_days": 3},
)

CASE_RULES_2022 = RuleDefault(
    domain="quarantine.case",
    version="2022.01",
    effective_from=dt.date(2022, 1, 31),
    source="MoH Decision 261/QĐ-BYT (31 Jan 2022) home care of F0",
    values={"isolation_days": 7, "monitor_days": 7, "test_days": [7], "retest_after_days": 3},
)

REPORT_RULES = RuleDefault(
    domain="quarantine.reports",
    version="2021.1",
    effective_from=dt.date(2021, 5, 31),
    source="Fever >= 37.5 °C: MoH Decision 2686/QĐ-BYT (31 May 2021); missed-report alert the next day: "
    "pccovid policy",
    values={"fever_celsius": 37.5, "temperature_min": 34.0, "temperature_max": 43.0},
)

RULESETS = [CONTACT_RULES_2021, CONTACT_RULES_2022, CASE_RULES_2021, CASE_RULES_2022, REPORT_RULES]
