"""The COVID card's colours, as Vietnam used them in late 2021.

Resolution 128/NQ-CP (11 Oct 2021), Part II "Explanation of terms", and its guidance Decision 4800/QĐ-BYT
(12 Oct 2021): the "green card" is held by a person fully vaccinated whose last dose was at least 14 days
and at most 12 months ago, or who recovered from COVID-19 within 6 months (180 days); a negative
SARS-CoV-2 test is accepted for 72 hours. PC-Covid (30 Sept 2021) showed green / yellow / red on the
COVID card from these records; red for an active case (F0), an F1 in quarantine, or declared symptoms not
yet cleared by the commune health station; grey when the platform holds no record.
"""

import datetime as dt

from pccovid.rules.services import RuleDefault

CARD_RULES = RuleDefault(
    domain="status.card",
    version="2021.10",
    effective_from=dt.date(2021, 10, 11),
    source="Resolution 128/NQ-CP (11 Oct 2021) Part II; Decision 4800/QĐ-BYT (12 Oct 2021); "
    "PC-Covid COVID card (30 Sept 2021)",
    values={
        "full_series_wait_days": 14,
        "full_series_valid_days": 365,
        "one_dose_wait_days": 14,
        "recovered_valid_days": 180,
        "negative_test_valid_hours": 72,
    },
)

CHECKPOINT_RULES = RuleDefault(
    domain="status.checkpoint",
    version="2021.10",
    effective_from=dt.date(2021, 10, 11),
    source="pccovid policy: a code shown at a checkpoint lets its unit read the card for one shift",
    values={"read_grant_hours": 12},
)

RULESETS = [CARD_RULES, CHECKPOINT_RULES]
