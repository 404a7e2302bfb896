"""Linkage policy: when a probabilistic match links a legacy record by itself, when a person decides.

There is no Ministry text for this; the values are pccovid policy, chosen on the generator's truth (see
`docs/linkage.md`, "Thresholds"): at a match probability of 0.99 or more the links measured there were
right more than 999 times in 1,000, so they are linked automatically; from 0.80 the pair goes to a data
engineer's clerical review (Fellegi and Sunter's "possible link"); below, no link. A record whose
second-best candidate also reaches the review threshold is reviewed whatever its best score: two people
who both fit is exactly what a machine should not settle (twins, a parent and child sharing a phone).
"""

import datetime as dt

from pccovid.rules.services import RuleDefault

LINKAGE_RULES = RuleDefault(
    domain="linkage",
    version="2021.1",
    effective_from=dt.date(2021, 9, 1),
    source=(
        "pccovid policy (no Ministry text): Fellegi-Sunter thresholds chosen on generated data with known "
        "truth, docs/linkage.md"
    ),
    values={"link_probability": 0.99, "review_probability": 0.80, "match_share": 0.9},
)

RULESETS = [LINKAGE_RULES]
