"""Issue and verify personal QR codes. Keys come from the one keystore (`core.keys`, purpose
"personal-qr"); the format lives in `formats`."""

import datetime as dt

from django.utils.translation import gettext as _

from pccovid.core import clock, keys
from pccovid.core.errors import ApplicationError
from pccovid.identity import selectors as identity_selectors
from pccovid.identity.models import IdentifierKind
from pccovid.qr import formats
from pccovid.qr.selectors import KEY_PURPOSE
from pccovid.rules import services as rules_services

# Which identifier becomes SoGiayTo, best first (identity.models.IdentifierKind values).
DOCUMENT_KINDS = ("cccd", "cmnd", "passport")


class QrError(ApplicationError):
    code = "qr_error"


def _first_identifiers(person) -> dict[str, str]:
    """The oldest identifier of each kind (works on a prefetched `identifiers` relation)."""
    found: dict[str, str] = {}
    for identifier in sorted(person.identifiers.all(), key=lambda i: i.pk):
        found.setdefault(identifier.kind, identifier.value)
    return found


def personal_qr_text(*, person, declared_by=None) -> str:
    """The signed national-format code of `person`; `declared_by` is the household member who holds it
    for them (LoaiDinhDanh 1 and their QID in EXT). Valid for the `qr.personal` rule's `valid_days`."""
    identifiers = _first_identifiers(person)
    document = next((identifiers[k] for k in DOCUMENT_KINDS if k in identifiers), None)
    if document is None:
        raise QrError(
            _("A personal QR code needs an ID document (CCCD, CMND or passport) on the record."),
            code="no_document",
        )
    fields = formats.PersonalFields(
        document_number=document,
        full_name=person.full_name,
        birth_date=person.birth_date,
        qid=person.qid,
        proxy_qid=declared_by.qid if declared_by is not None and declared_by.pk != person.pk else "",
        sex=formats.SEX_CODES.get(person.sex, ""),
        health_insurance=identifiers.get("health_insurance", ""),
        phone=identifiers.get("phone", ""),
    )
    now = clock.now()
    valid_days = rules_services.current("qr.personal", at=now.date()).values["valid_days"]
    return formats.personal_sign(
        formats.personal_unsigned_text(fields),
        key=keys.signing_key(KEY_PURPOSE),
        expires_at=now + dt.timedelta(days=valid_days),
    )


def qr_verify(*, text: str) -> formats.ScannedCode:
    """Recognise any scanned text and check a personal code's signature against our published keys."""
    return formats.parse_scanned(text, public_keys=keys.public_keys(KEY_PURPOSE), now=clock.now())


# Which identifier each field of a scanned code may name (personal code, chip ID card, insurance card).
_IDENTIFIER_FIELDS = [
    (IdentifierKind.CCCD, "document_number"), (IdentifierKind.CMND, "document_number"),
    (IdentifierKind.PASSPORT, "document_number"), (IdentifierKind.CCCD, "cccd"),
    (IdentifierKind.CMND, "cmnd"), (IdentifierKind.HEALTH_INSURANCE, "card_number"),
    # A renewed card (another beneficiary group or province) keeps the holder's social insurance number.
    (IdentifierKind.SOCIAL_INSURANCE, "social_insurance_number"),
]  # fmt: skip


def person_for_code(*, scan: formats.ScannedCode):
    """The platform's person a scanned code names: our qid first, then the ID or insurance number it carries.

    Internal matching only: callers restrict to the official's reach and audit before showing anything.
    """
    fields = scan.fields
    if scan.kind == "personal" and (person := identity_selectors.person_by_qid(qid=fields.get("qid", ""))):
        return person
    for kind, key in _IDENTIFIER_FIELDS:
        value = fields.get(key)
        if value and (person := identity_selectors.person_by_identifier(kind=kind, value=value)):
            return person
    return None
