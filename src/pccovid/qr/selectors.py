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
    public = keys.public_keys(KEY_PURPOSE)
    return {
        "keys": [
            {
                "kid": entry["kid"],
                **keys.public_jwk(public[entry["kid"]]),
                "alg": "ES256",
                "use": "sig",
                "status": "active" if entry["retired_at"] is None else "retired",
                "created_at": entry["created_at"],
                "retired_at": entry["retired_at"],
                "grace_until": entry["grace_until"],
            }
            for entry in keys.key_entries(KEY_PURPOSE)
            if entry["kid"] in public
        ]
    }


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
