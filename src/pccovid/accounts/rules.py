"""Sign-in policy and the role matrix.

One-time codes follow NIST SP 800-63B §5.1.3 (out-of-band authenticators) and §5.2.2 (rate limiting):
a short-lived random secret, a bounded number of tries, throttled re-sends. PC-Covid's most common
complaint in its first weeks was codes that did not arrive, so a re-send is allowed after one minute.
"""

import datetime as dt

from pccovid.rules.services import RuleDefault

OTP_RULES = RuleDefault(
    domain="accounts.otp",
    version="2021.1",
    effective_from=dt.date(2021, 9, 1),
    source="NIST SP 800-63B §5.1.3.1, §5.2.2 (pccovid security policy)",
    values={
        "digits": 6,
        "valid_seconds": 300,
        "max_attempts": 5,
        "resend_after_seconds": 60,
        "max_codes_per_hour": 5,
    },
)

RULESETS = [OTP_RULES]

# Which actions each official role may take on personal data inside its jurisdiction.
# Checkpoint officers read a person's card only through a code the person presents; system
# administrators manage accounts, never personal data.
# "person.status" is reading a person's COVID card after scanning the code they present.
# "case.view" / "case.manage": read / open and trace cases (F0) and their contacts; "quarantine.manage":
# order, follow and release quarantine and isolation.
# "risk.view": epidemic levels and the map of the jurisdiction (aggregates); "risk.households": households
# and their members on the map (personal data); "risk.capacity": enter the unit's treatment capacity;
# "risk.adjust": a province's adjustment of the level thresholds (Resolution 128/NQ-CP allows it).
# "report.view" / "report.submit": the Ministry of Health's report forms; "operations.view" /
# "operations.export": the city dashboard and the exports to the national level; "feedback.handle":
# the commune's queue of citizen reports.
_OFFICIAL = frozenset({"person.search", "person.view", "person.status", "case.view", "quarantine.manage"})
_RISK_READ = frozenset({"risk.view", "report.view", "operations.view"})
_UNIT_HEALTH = (
    _OFFICIAL
    | _RISK_READ
    | {
        "case.manage",
        "risk.households",
        "risk.capacity",
        "report.submit",
        "feedback.handle",
    }
)
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "health_worker": _OFFICIAL | {"risk.view"},
    "tracer": _OFFICIAL | {"case.manage", "risk.view", "risk.households"},
    "commune_official": frozenset(_UNIT_HEALTH),
    "province_official": _UNIT_HEALTH | {"risk.adjust", "operations.export"},
    "checkpoint_officer": frozenset({"person.status"}),
    "data_engineer": frozenset(
        {
            "person.search",
            "person.view",
            "legacy.import",
            "legacy.review",
            "operations.view",
            "operations.export",
        }
    ),
    "system_admin": frozenset(),
}
