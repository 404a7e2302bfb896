"""Check-in retention.

21 days = the 14-day incubation period + 7 days for an investigation to reach the venue (pccovid
policy). For comparison: Singapore's SafeEntry kept check-ins 25 days, Germany's Corona-Warn-App 16 days.
Older check-ins are deleted by `pccovid purge_expired`, except those held for a case.
"""

import datetime as dt

from pccovid.rules.services import RuleDefault

RETENTION_RULES = RuleDefault(
    domain="checkins.retention",
    version="2021.1",
    effective_from=dt.date(2021, 9, 1),
    source=(
        "pccovid policy: 14-day incubation + 7 days for tracing. "
        "Compare Singapore SafeEntry 25 days, Germany Corona-Warn-App 16 days."
    ),
    values={"days": 21},
)

RULESETS = [RETENTION_RULES]

# Counts shown outside the officials' console (a venue operator's page) hide 1-4 visits: a small number
# on a quiet day could single a visitor out (design.md, "Who may read whom").
SMALL_COUNT = 5
