"""EU Digital COVID Certificates over HTTP: the public trust and revocation lists (so anyone verifies
offline), verification, the citizen's own certificates, and revocation by officials."""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from pccovid.accounts import selectors as account_selectors
from pccovid.certificates import selectors, services
from pccovid.core.api_fields import AssignmentQuery
from pccovid.core.errors import NotFound
from pccovid.identity import selectors as identity_selectors

router = Router(tags=["certificates"])


class TrustSignerOut(Schema):
    kid: str = Field(description="Key id, base64 (first 8 bytes of SHA-256 of the certificate DER).")
    kid_hex: str
    certificate: str = Field(description="The document signer certificate, base64 DER.")
    not_after: str
    active: bool


class TrustListOut(Schema):
    country: str
    csca: str = Field(description="The country signing CA certificate, base64 DER.")
    signers: list[TrustSignerOut]


class RevocationListOut(Schema):
    hash_type: Literal["UCI-SHA256"]
    hashes: list[str] = Field(description="SHA-256 (hex) of each revoked UVCI.")


class CertificateVerifyIn(Schema):
    text: str = Field(min_length=1, max_length=8000, description="The HC1: text of the QR code.")


class CertificateVerifyOut(Schema):
    valid: bool
    reasons: list[str]
    messages: list[str]
    kid: str | None
    issuer: str | None
    issued_at: dt.datetime | None
    expires_at: dt.datetime | None
    payload: dict[str, Any] | None


class CertificateOut(Schema):
    uvci: str
    kind: Literal["v", "t", "r"]
    issued_at: dt.datetime
    expires_at: dt.datetime
    kid: str
    text: str
    payload: dict[str, Any]
    revoked_at: dt.datetime | None
    revocation_reason: str


class CertificateRevokeIn(Schema):
    uvci: str = Field(min_length=10, max_length=80)
    reason: str = Field(min_length=1, max_length=200)


@router.get("/trust-list", response=TrustListOut, auth=None)
def trust_list(request: HttpRequest):
    """The CSCA and every document signer certificate that still verifies, with their key ids (public)."""
    return selectors.trust_list()


@router.get("/revocations", response=RevocationListOut, auth=None)
def revocation_list(request: HttpRequest):
    """The revoked certificates, as SHA-256 hashes of their UVCIs (public)."""
    return selectors.revocation_list()


@router.post("/verify", response=CertificateVerifyOut, auth=None)
def certificate_verify(request: HttpRequest, payload: CertificateVerifyIn):
    """Decode and verify an HC1 text against the trust and revocation lists: the verdict and every reason."""
    verdict = selectors.certificate_verify(text=payload.text)
    decoded = verdict.decoded
    return {
        "valid": verdict.valid,
        "reasons": verdict.reasons,
        "messages": verdict.messages,
        "kid": verdict.kid,
        "issuer": decoded.issuer if decoded else None,
        "issued_at": decoded.issued_at if decoded else None,
        "expires_at": decoded.expires_at if decoded else None,
        "payload": verdict.payload,
    }


def _own_person(request: HttpRequest):
    person = identity_selectors.person_own(user=request.user)
    if person is None:
        raise NotFound(_("Your account is not linked to a person yet."))
    return person


@router.get("/mine", response=list[CertificateOut])
def my_certificates(request: HttpRequest):
    """The signed-in citizen's certificates, newest first."""
    return list(selectors.certificates_own(person=_own_person(request)))


@router.post("/mine/vaccination", response={201: CertificateOut, 200: CertificateOut})
def my_vaccination_certificate(request: HttpRequest):
    """Issue the citizen's vaccination certificate from their recorded doses (the existing one when it
    already covers the latest dose)."""
    person = _own_person(request)
    before = selectors.certificates_own(person=person).count()
    certificate = services.my_vaccination_certificate(person=person)
    created = selectors.certificates_own(person=person).count() > before
    return Status(201 if created else 200, certificate)


@router.post("/revoke", response=CertificateOut)
def certificate_revoke(request: HttpRequest, payload: CertificateRevokeIn, query: Query[AssignmentQuery]):
    """Commune and province health officials: revoke a certificate of a person in your jurisdiction."""
    assignment = account_selectors.acting_assignment(user=request.user, assignment_id=query.assignment)
    return services.certificate_revoke(assignment=assignment, uvci=payload.uvci, reason=payload.reason)
