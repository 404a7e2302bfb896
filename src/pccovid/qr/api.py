"""Personal QR over HTTP: the public key set (so anyone can verify offline), the citizen's own code, and
recognition of a scanned text. Looking up the person a code names is the checkpoint page's job."""

from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from pccovid.core.errors import NotFound
from pccovid.identity import selectors as identity_selectors
from pccovid.qr import selectors, services

router = Router(tags=["qr"])


class QrKeyOut(Schema):
    kid: str
    kty: Literal["EC"]
    crv: Literal["P-256"]
    x: str
    y: str
    alg: Literal["ES256"]
    use: Literal["sig"]
    status: Literal["active", "retired"]
    created_at: str
    retired_at: str | None
    grace_until: str | None


class QrKeysOut(Schema):
    keys: list[QrKeyOut]


class QrMeOut(Schema):
    text: str = Field(description="The signed code, exactly as the QR carries it.")
    masked: dict[str, str] = Field(description="The fields to show beside the code, masked.")


class QrVerifyIn(Schema):
    text: str = Field(min_length=1, max_length=4000)


class QrVerifyOut(Schema):
    kind: Literal["personal", "cccd_card", "health_insurance", "venue", "unknown"]
    signature: Literal["valid", "unsigned", "invalid", "not_applicable"]
    reason: Literal["bad_signature", "unknown_key", "expired", "malformed"] | None
    message: str
    fields: dict[str, Any]


@router.get("/keys", response=QrKeysOut, auth=None)
def key_set(request: HttpRequest):
    """The public keys that verify personal QR signatures (active and retired within their grace)."""
    return selectors.public_key_set()


@router.get("/me", response=QrMeOut)
def my_qr(request: HttpRequest):
    """The signed-in citizen's personal QR code, freshly signed."""
    person = identity_selectors.person_own(user=request.user)
    if person is None:
        raise NotFound(_("Your account is not linked to a person yet."))
    text = services.personal_qr_text(person=person)
    return {"text": text, "masked": selectors.personal_qr_display(text=text)}


@router.post("/verify", response=QrVerifyOut)
def verify(request: HttpRequest, payload: QrVerifyIn):
    """Which kind of code a scanned text is, and for a personal code whether its signature holds."""
    code = services.qr_verify(text=payload.text)
    return {
        "kind": code.kind,
        "signature": code.signature,
        "reason": code.reason,
        "message": code.message,
        "fields": code.fields,
    }
