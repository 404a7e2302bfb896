"""Text formats carried by QR codes. This module only formats, signs with a key it is given, and parses:
no database and no keystore, so an offline verifier can use it with a downloaded key set.
Every byte of the formats is described in docs/data-formats.md.

Venue QR (pccovid's own): `PCV|VENUE|<venue code>|<token>`. The token is a random secret the venue's
operator re-issues when a poster must stop working (revocation is "token no longer current").

Personal QR (MIC Decision 1405/QĐ-BTTTT, 11 Sept 2021): `SoGiayTo|HoTen|NgaySinh|LoaiDinhDanh|QID|EXT`,
EXT = `proxy QID<sex<health insurance number<phone`, and, last, pccovid's signature field
`S1.<kid>.<expiry, Unix seconds>.<base64url(r||s)>`: ES256 over the UTF-8 bytes of the whole text before
the last `.` (so the kid and the expiry are signed too).

A scanner also meets the QR of the chip citizen ID card (CCCD) and of the health insurance card; both
are read here (`parse_scanned` recognises all four kinds and never raises).
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from django.utils.translation import gettext as _

from pccovid.core.keys import SigningKey, b64url, b64url_decode
from pccovid.core.text import fold

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


# --- Personal QR (Decision 1405/QĐ-BTTTT) -------------------------------------------------------------

SIGNATURE_PREFIX = "S1."
SEX_CODES = {"M": "1", "F": "2", "O": "0"}  # pccovid's reading of 1405's 0/1/2, see docs/data-formats.md
_DOCUMENT = re.compile(r"[A-Z0-9]{5,20}")
_QID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ES256 = ec.ECDSA(hashes.SHA256())
_SIGNATURE = re.compile(r"S1\.(?P<kid>[A-Za-z0-9_-]{11})\.(?P<exp>\d{1,10})\.(?P<sig>[A-Za-z0-9_-]{86})")


@dataclass(frozen=True)
class PersonalFields:
    document_number: str
    full_name: str
    birth_date: dt.date
    qid: str
    proxy_qid: str = ""
    sex: str = ""
    health_insurance: str = ""
    phone: str = ""


def national_name(full_name: str) -> str:
    """Upper case, no diacritics, single spaces; the two separators of the format are removed."""
    return re.sub(r"\s+", " ", fold(full_name).upper().replace("|", " ").replace("<", " ")).strip()


def personal_unsigned_text(fields: PersonalFields) -> str:
    """The six fields of 1405; LoaiDinhDanh is 1 when a proxy declared the code, else 0."""
    ext = "<".join([fields.proxy_qid, fields.sex, fields.health_insurance, fields.phone])
    kind = "1" if fields.proxy_qid else "0"
    name = national_name(fields.full_name)
    return "|".join([fields.document_number, name, fields.birth_date.isoformat(), kind, fields.qid, ext])


def personal_sign(text: str, *, key: SigningKey, expires_at: dt.datetime) -> str:
    """Append the signature field to an unsigned personal code."""
    signed = f"{text}<{SIGNATURE_PREFIX}{key.kid}.{int(expires_at.timestamp())}"
    r, s = decode_dss_signature(key.private_key.sign(signed.encode(), _ES256))
    return f"{signed}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


# --- What a scan found --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScannedCode:
    kind: str  # personal, cccd_card, health_insurance, venue, unknown
    fields: dict = field(default_factory=dict)
    signature: str = "not_applicable"  # valid, unsigned, invalid, not_applicable
    reason: str | None = None  # bad_signature, unknown_key, expired, malformed
    message: str = ""

    @property
    def accepted(self) -> bool:
        return self.reason is None


def _date(text: str, pattern: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text, pattern).date()
    except ValueError:
        return None


def _iso_date(text: str) -> dt.date | None:
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _unknown() -> ScannedCode:
    return ScannedCode(
        "unknown",
        signature="not_applicable",
        reason="malformed",
        message=_(
            "This is not a QR code the scanner knows: not a personal, ID card, insurance or venue code."
        ),
    )


def _verdict(
    message: bytes,
    match: re.Match,
    expires_at: dt.datetime,
    public_keys: dict[str, ec.EllipticCurvePublicKey],
    now: dt.datetime,
) -> tuple[str, str | None, str]:
    kid = match["kid"]
    key = public_keys.get(kid)
    if key is None:
        return (
            "invalid",
            "unknown_key",
            _("Signed with a key we do not know (%(kid)s): forged, or the key set is out of date.")
            % {"kid": kid},
        )
    raw = b64url_decode(match["sig"])
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        key.verify(der, message, _ES256)
    except InvalidSignature:
        return "invalid", "bad_signature", _("The signature does not match the content: altered or forged.")
    if now >= expires_at:
        return (
            "invalid",
            "expired",
            _("This code expired on %(date)s: ask the person to open a fresh one.")
            % {"date": f"{expires_at:%Y-%m-%d %H:%M} UTC"},
        )
    return "valid", None, _("Signed by pccovid (key %(kid)s), valid.") % {"kid": kid}


def _personal(text: str, public_keys: dict, now: dt.datetime) -> ScannedCode | None:
    parts = text.split("|")
    if len(parts) not in (5, 6):
        return None
    document, name, birth, kind, qid = parts[:5]
    birth_date = _iso_date(birth)
    if not (_DOCUMENT.fullmatch(document) and name.strip() and birth_date and _QID.fullmatch(qid)):
        return None
    if kind not in ("0", "1"):
        return None
    ext = parts[5].split("<") if len(parts) == 6 else []
    signature_field = ext.pop() if ext and ext[-1].startswith(SIGNATURE_PREFIX) else None
    ext += [""] * (4 - len(ext))
    fields = {
        "document_number": document,
        "full_name": name,
        "birth_date": birth_date.isoformat(),
        "declared_on_behalf": kind == "1",
        "qid": qid,
        "proxy_qid": ext[0] or None,
        "sex": ext[1] or None,
        "health_insurance": ext[2] or None,
        "phone": ext[3] or None,
    }
    if signature_field is None:
        return ScannedCode(
            "personal",
            fields,
            "unsigned",
            None,
            _("A personal QR code in the national format, unsigned: its content cannot be checked."),
        )
    match = _SIGNATURE.fullmatch(signature_field)
    if match is None:
        return ScannedCode(
            "personal", fields, "invalid", "malformed", _("The signature field of this code is damaged.")
        )
    expires_at = dt.datetime.fromtimestamp(int(match["exp"]), tz=dt.UTC)
    fields["kid"] = match["kid"]
    fields["expires_at"] = expires_at.isoformat()
    message = text[: text.rindex(".")].encode()
    signature, reason, sentence = _verdict(message, match, expires_at, public_keys, now)
    return ScannedCode("personal", fields, signature, reason, sentence)


# --- Chip citizen ID card (CCCD) ----------------------------------------------------------------------
# `CCCD|CMND|Họ tên|ddmmyyyy birth|Nam/Nữ|address|ddmmyyyy issue date` (the CMND field is empty for people
# who never had one). Printed on the back of chip cards since 2021.


def _cccd_card(text: str) -> ScannedCode | None:
    parts = unicodedata.normalize("NFC", text).split("|")
    if len(parts) < 7 or not re.fullmatch(r"\d{12}", parts[0]) or not re.fullmatch(r"(\d{9})?", parts[1]):
        return None
    birth = _date(parts[3], "%d%m%Y") if re.fullmatch(r"\d{8}", parts[3]) else None
    issued = _date(parts[6], "%d%m%Y") if re.fullmatch(r"\d{8}", parts[6]) else None
    sex = {"Nam": "M", "Nữ": "F"}.get(parts[4].strip())
    if not (birth and issued and sex and parts[2].strip()):
        return None
    fields = {
        "cccd": parts[0],
        "cmnd": parts[1] or None,
        "full_name": parts[2].strip(),
        "birth_date": birth.isoformat(),
        "sex": sex,
        "address": parts[5].strip(),
        "issue_date": issued.isoformat(),
    }
    return ScannedCode(
        "cccd_card",
        fields,
        message=_("The QR code of a chip citizen ID card (CCCD): it carries no signature."),
    )


# --- Health insurance card (BHYT) ---------------------------------------------------------------------
# No published specification; layout as read by hospital software from printed cards and VssID:
# `card number|name as hex of UTF-8|dd/mm/yyyy (or yyyy)|sex 1 male, 2 female|address as hex or "-"|
#  primary care facility "79 - 001"|valid from dd/mm/yyyy|...|$`. Only those fields are read.

_HI_CARD = re.compile(r"(?P<object>[A-Z]{2})(?P<level>\d)(?P<province>\d{2})(?P<si>\d{10})")


def _hex_text(value: str) -> str | None:
    if not re.fullmatch(r"(?:[0-9a-fA-F]{2})+", value):
        return None
    try:
        return bytes.fromhex(value).decode("utf-8")
    except UnicodeDecodeError:
        return None


def _health_insurance(text: str) -> ScannedCode | None:
    parts = text.split("|")
    if parts[-1] == "$":
        parts.pop()
    if len(parts) < 4 or parts[3] not in ("1", "2"):
        return None
    card = _HI_CARD.fullmatch(parts[0])
    if card is None and not re.fullmatch(r"\d{10}", parts[0]):
        return None
    birth = _date(parts[2], "%d/%m/%Y")
    if birth is None and not re.fullmatch(r"(19|20)\d{2}", parts[2]):
        return None
    valid_from = _date(parts[6], "%d/%m/%Y") if len(parts) > 6 else None
    fields = {
        "card_number": parts[0],
        "social_insurance_number": card["si"] if card else parts[0],
        "beneficiary_code": card["object"] if card else None,
        "benefit_level": card["level"] if card else None,
        "province_code": card["province"] if card else None,
        "full_name": _hex_text(parts[1]),
        "birth_date": birth.isoformat() if birth else parts[2],
        "sex": "M" if parts[3] == "1" else "F",
        "address": _hex_text(parts[4]) if len(parts) > 4 else None,
        "primary_care_facility": (parts[5].strip() or None) if len(parts) > 5 else None,
        "valid_from": valid_from.isoformat() if valid_from else None,
    }
    return ScannedCode(
        "health_insurance",
        fields,
        message=_("The QR code of a health insurance card: it carries no signature."),
    )


def _venue(text: str) -> ScannedCode | None:
    venue = parse_venue(text)
    if venue is None:
        return None
    return ScannedCode(
        "venue",
        {"venue_code": venue.venue_code, "token": venue.token},
        message=_("A venue QR code: check in there."),
    )


def _utf8(text: str) -> bool:
    """False for text no QR code can carry (lone surrogates, e.g. from a JSON body)."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def parse_scanned(
    text: str, *, public_keys: dict[str, ec.EllipticCurvePublicKey] | None, now: dt.datetime
) -> ScannedCode:
    """Recognise a scanned text. Never raises: what is not recognised is kind "unknown", "malformed".

    `public_keys` (kid -> key) verify personal codes; None means no key set, so any signed code is
    "unknown_key".
    """
    text = text.strip()
    if not text or len(text) > 2000 or not _utf8(text):
        return _unknown()
    # The four layouts exclude each other (field counts and date forms differ); the most common is first.
    found = (
        _personal(text, public_keys or {}, now) or _venue(text) or _cccd_card(text) or _health_insurance(text)
    )
    return found or _unknown()
