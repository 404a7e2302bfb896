"""The release certificate: a compact signed text a QR code carries, checked offline with the published
keys (`GET /api/v1/quarantine/keys`), like the personal QR. No database and no keystore here: signing
takes a key, verifying takes the public keys.

    PCQR1|<qid>|<NAME>|<birth date>|<kind>|<day 1>|<last day>|<released at>|<rules>|S1.<kid>.<signature>

- qid: the person's platform id; NAME: the full name in capitals without diacritics (as on the personal
  QR); dates ISO 8601 (YYYY-MM-DD); kind `I` (isolation, F0) or `Q` (quarantine, F1); released at: Unix
  seconds; rules: `<domain>@<version>` of the rule set that computed the dates.
- signature: ES256 over the UTF-8 bytes of the whole text before the last `.` (so the kid is signed
  too), base64url of r||s (64 bytes, 86 characters).
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from django.utils.translation import gettext as _

from pccovid.core.keys import SigningKey, b64url, b64url_decode
from pccovid.core.text import fold

KEY_PURPOSE = "release-certificate"
PREFIX = "PCQR1"
KINDS = {"isolation": "I", "quarantine": "Q"}
MAX_LENGTH = 600
_ES256 = ec.ECDSA(hashes.SHA256())
_DATE = r"\d{4}-\d{2}-\d{2}"
_FORMAT = re.compile(
    rf"PCQR1\|(?P<qid>[0-9A-Za-z]{{6,32}})\|(?P<name>[A-Z0-9 .'-]{{1,120}})\|(?P<birth>{_DATE})"
    rf"\|(?P<kind>[IQ])\|(?P<start>{_DATE})\|(?P<end>{_DATE})\|(?P<released>\d{{1,10}})"
    r"\|(?P<rules>[a-z][a-z.]{0,39}@[0-9A-Za-z.]{1,30})\|S1\.(?P<kid>[A-Za-z0-9_-]{11})"
    r"\.(?P<sig>[A-Za-z0-9_-]{86})"
)


@dataclass(frozen=True)
class ReleaseFields:
    qid: str
    full_name: str
    birth_date: dt.date
    kind: str  # "isolation" or "quarantine"
    starts_on: dt.date
    ends_on: dt.date
    released_at: dt.datetime
    rules: str  # "<domain>@<version>"


@dataclass(frozen=True)
class Verdict:
    status: str  # valid, invalid_signature, unknown_key, malformed
    message: str
    fields: dict = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return self.status == "valid"


def certificate_name(full_name: str) -> str:
    """Capitals without diacritics, letters, digits, spaces and . ' - only."""
    return re.sub(r"\s+", " ", re.sub(r"[^A-Z0-9 .'-]", " ", fold(full_name).upper())).strip()[:120] or "-"


def release_sign(fields: ReleaseFields, *, key: SigningKey) -> str:
    """The signed certificate text of `fields`."""
    released = int(fields.released_at.timestamp())
    body = "|".join(
        [
            PREFIX,
            fields.qid,
            certificate_name(fields.full_name),
            fields.birth_date.isoformat(),
            KINDS[fields.kind],
            fields.starts_on.isoformat(),
            fields.ends_on.isoformat(),
            str(released),
            fields.rules,
        ]
    )
    signed = f"{body}|S1.{key.kid}"
    r, s = decode_dss_signature(key.private_key.sign(signed.encode(), _ES256))
    text = f"{signed}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"
    if not _FORMAT.fullmatch(text):
        raise ValueError(f"Cannot make a release certificate of {fields!r}")
    return text


def _malformed() -> Verdict:
    return Verdict("malformed", _("This is not a pccovid release certificate, or it is damaged."))


def _parse(match: re.Match, now: dt.datetime) -> dict | None:
    try:
        birth, start, end = (dt.date.fromisoformat(match[name]) for name in ("birth", "start", "end"))
        released = dt.datetime.fromtimestamp(int(match["released"]), tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        return None
    if start > end or released > now + dt.timedelta(minutes=5):
        return None
    kind = "isolation" if match["kind"] == "I" else "quarantine"
    return {
        "qid": match["qid"],
        "full_name": match["name"],
        "birth_date": birth.isoformat(),
        "kind": kind,
        "starts_on": start.isoformat(),
        "ends_on": end.isoformat(),
        "released_at": released.isoformat(),
        "rules": match["rules"],
        "kid": match["kid"],
    }


def release_verify(text: str, public_keys: dict[str, ec.EllipticCurvePublicKey], now: dt.datetime) -> Verdict:
    """Whether `text` is a release certificate signed by one of `public_keys`. Never raises."""
    text = (text or "").strip()
    match = _FORMAT.fullmatch(text) if len(text) <= MAX_LENGTH else None
    if match is None:
        return _malformed()
    found = _parse(match, now)
    if found is None:
        return _malformed()
    key = public_keys.get(match["kid"])
    if key is None:
        return Verdict(
            "unknown_key",
            _("Signed with a key we do not know (%(kid)s): forged, or the key set is out of date.")
            % {"kid": match["kid"]},
            found,
        )
    raw = b64url_decode(match["sig"])
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        key.verify(der, text.rsplit(".", 1)[0].encode(), _ES256)
    except (InvalidSignature, ValueError):
        return Verdict(
            "invalid_signature", _("The signature does not match the content: altered or forged."), found
        )
    return Verdict("valid", _("Released from quarantine or isolation: signed by pccovid, valid."), found)
