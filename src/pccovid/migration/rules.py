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
# The register covers every citizen: a legacy record that is nobody's is a foreigner's or a made-up one.
# Measured at the identifier step on the generated city of 1,000,000 people, every one of 686,411 records
# with a valid CCCD or CMND found its person; 0.9 had made "nobody" a rival worth a tenth of all candidates,
# which sent 4,162 right pairs to review (a moved person, named and dated exactly: 0.95).
LINKAGE_RULES_2021_2 = RuleDefault(
    domain="linkage",
    version="2021.2",
    effective_from=dt.date(2021, 9, 2),
    source=LINKAGE_RULES.source + "; match_share from the identifier step's hit rate",
    values={"link_probability": 0.99, "review_probability": 0.80, "match_share": 0.99},
)

RULESETS = [LINKAGE_RULES, LINKAGE_RULES_2021_2]
