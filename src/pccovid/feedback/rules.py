"""Citizen reports (phản ánh) policy.

- Daily limit: at most 10 reports per citizen per local day (`max_reports_per_day`). No legal text caps
  how often a citizen may report; the limit is pccovid policy, so that one account cannot flood a
  commune's queue and bury the reports of everyone else (a queue a commune can still read is the point
  of PC-Covid's "phản ánh" feature). Reaching it is a 429 with the reason.
- Lengths: a description of at most 2,000 characters, a place of at most 200, a note to the citizen of
  at most 1,000 (pccovid policy: a screen of text on a phone).
- Photos: JPEG, PNG or WebP only, at most 5 MB as sent, re-encoded at most 1,600 px on the long side.
  Re-encoding drops every metadata block (EXIF, GPS position, camera serial): the place a photo was taken
  and the device that took it are personal data (Decree 13/2023/NĐ-CP, Art. 2), which the report does
  not need; the citizen says where in the "place" field.
"""

import datetime as dt

from pccovid.rules.services import RuleDefault

FEEDBACK_RULES = RuleDefault(
    domain="feedback",
    version="2021.1",
    effective_from=dt.date(2021, 9, 1),
    source=(
        "PC-Covid's citizen reports (phản ánh, 2021); daily limit, lengths and photo size: pccovid policy; "
        "metadata stripped: Decree 13/2023/NĐ-CP Art. 2 (location data is personal data)"
    ),
    values={
        "max_reports_per_day": 10,
        "description_max_chars": 2000,
        "place_max_chars": 200,
        "note_max_chars": 1000,
        "photo_max_bytes": 5 * 1024 * 1024,
        "photo_max_side_px": 1600,
    },
)

RULESETS = [FEEDBACK_RULES]

# Pillow format names accepted, with the content type the photo is served as.
PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}

# Which status a report may move to from each status. Resolved and rejected are final (a citizen with
# more to say sends a new report); "in progress" may be repeated to send the citizen another note.
TRANSITIONS: dict[str, frozenset[str]] = {
    "received": frozenset({"in_progress", "resolved", "rejected"}),
    "in_progress": frozenset({"in_progress", "resolved", "rejected"}),
    "resolved": frozenset(),
    "rejected": frozenset(),
}
# Closing a report tells the citizen why: a note is required for these.
NOTE_REQUIRED = frozenset({"resolved", "rejected"})
