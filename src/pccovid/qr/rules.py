"""Personal QR policy.

The field layout comes from MIC Decision 1405/QĐ-BTTTT (11 Sept 2021); that decision publishes no
signature and no expiry. The signature field and its validity are pccovid's own policy: a signed code
expires so that a stolen screenshot or a stale printout (a name corrected, a CMND replaced by a CCCD)
stops being accepted. 30 days matches the default grace period of a rotated signing key
(`core.keys.key_rotate(grace_days=30)`), so a code signed just before a rotation still verifies until it
expires. The app re-issues the code every time it is shown; a printed card shows its expiry date.
"""

import datetime as dt

from pccovid.rules.services import RuleDefault

PERSONAL_QR_RULES = RuleDefault(
    domain="qr.personal",
    version="2021.1",
    effective_from=dt.date(2021, 9, 11),
    source="pccovid security policy (Decision 1405/QĐ-BTTTT of 11 Sept 2021 defines the fields but no "
    "signature or expiry)",
    values={"valid_days": 30},
)

RULESETS = [PERSONAL_QR_RULES]
