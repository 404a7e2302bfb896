"""Reads of the qr app: the published key set, and a personal code's fields for display (masked by
default: the first 6 characters of the ID document and the day and month of birth)."""

import datetime as dt

from django.utils import timezone

from pccovid.core import clock, keys
from pccovid.qr import formats

KEY_PURPOSE = "personal-qr"  # the keystore purpose of personal QR signing keys
MASK = "*"


def public_key_set() -> dict:
    """JWKS-like: every key that still verifies, with its status ("active" or "retired")."""
    return keys.key_set(KEY_PURPOSE)


def mask_document(number: str) -> str:
    return MASK * min(6, len(number)) + number[6:]


def personal_qr_display(*, text: str, masked: bool = True) -> dict[str, str]:
    """What the citizen's screen shows beside their code (from the code itself, so the two agree)."""
    fields = formats.parse_scanned(text, public_keys=None, now=clock.now()).fields
    birth = dt.date.fromisoformat(fields["birth_date"])
    expires = fields.get("expires_at")
    return {
        "document_number": mask_document(fields["document_number"]) if masked else fields["document_number"],
        "full_name": fields["full_name"],
        "birth_date": f"{MASK * 2}/{MASK * 2}/{birth:%Y}" if masked else f"{birth:%d/%m/%Y}",
        "qid": fields["qid"],
        "expires_at": (
            f"{timezone.localtime(dt.datetime.fromisoformat(expires)):%d/%m/%Y %H:%M}" if expires else ""
        ),
    }
