"""Health declaration policy: the windows, what flags a declaration, how long declarations are kept.

- Exposure window, 14 days: the incubation period the Ministry of Health used in 2021 for every
  "within the last 14 days" question of the domestic and entry forms (travel, contact, abroad).
- Retention, 21 days: pccovid policy, 14 days of incubation plus 7 days to trace contacts. For
  comparison, Singapore's SafeEntry kept check-in data 25 days and Germany's Corona-Warn-App 16 days.
  Declarations attached to a case investigation (`held_for_case`) are kept beyond it.
- Flagging: any symptom of the MoH form or any "yes" to an exposure question flags the declaration for
  the commune health official of the place of stay.
"""

import datetime as dt

from babel import Locale

from pccovid.rules.services import RuleDefault

SYMPTOMS = ["fever", "cough", "breathlessness", "sore_throat", "loss_of_taste_smell", "fatigue"]
EXPOSURES = ["contact_with_case", "visited_case_place", "returned_from_abroad"]

DECLARATION_RULES = RuleDefault(
    domain="declarations",
    version="2021.1",
    effective_from=dt.date(2020, 3, 1),
    source=(
        "pccovid policy: 14-day incubation period (Ministry of Health, 2021 domestic and entry health "
        "declaration forms) + 7 days to trace; compare Singapore SafeEntry 25 days, Germany's "
        "Corona-Warn-App 16 days"
    ),
    values={
        "exposure_window_days": 14,
        "retention_days": 21,
        "future_days_allowed": 1,
        "flag_answers": [*SYMPTOMS, *EXPOSURES],
    },
)

RULESETS = [DECLARATION_RULES]

# Roles that may mark a flagged declaration followed up (the commune health station and the province
# above it); other roles that can read declarations (tracers, health workers) only read them.
FOLLOW_UP_ROLES = frozenset({"commune_official", "province_official"})

# ISO 3166-1 alpha-2: the 249 officially assigned codes. Taken from CLDR (through Babel, pinned), minus
# the codes CLDR carries that ISO only reserves or never assigned (EU, UN, Kosovo's XK, Canary Islands...).
_NOT_ISO_3166 = {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ"}
COUNTRY_CODES = frozenset(
    code
    for code in Locale("en").territories
    if len(code) == 2 and code.isalpha() and code not in _NOT_ISO_3166
)
