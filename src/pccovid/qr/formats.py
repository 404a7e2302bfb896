"""Text formats carried by QR codes. This module only formats and parses: no database, no keys.

Venue QR (pccovid's own): `PCV|VENUE|<venue code>|<token>`. The token is a random secret the venue's
operator re-issues when a poster must stop working (revocation is "token no longer current").
"""

import re
from dataclasses import dataclass

VENUE_PREFIX = "PCV|VENUE|"
_VENUE = re.compile(r"PCV\|VENUE\|(?P<code>[A-Z0-9]{6,12})\|(?P<token>[A-Za-z0-9_-]{16,64})")


@dataclass(frozen=True)
class VenueCode:
    venue_code: str
    token: str


def venue_qr_text(*, venue_code: str, token: str) -> str:
    text = f"{VENUE_PREFIX}{venue_code}|{token}"
    if not _VENUE.fullmatch(text):
        raise ValueError(f"Not a valid venue code or token: {venue_code!r}, {token!r}")
    return text


def parse_venue(text: str) -> VenueCode | None:
    """The venue code and token of a venue QR text, or None when the text is not one."""
    match = _VENUE.fullmatch(text.strip())
    return VenueCode(match["code"], match["token"]) if match else None
