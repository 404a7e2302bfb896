"""Reads: the published trust and revocation lists, a citizen's own certificates, verification."""

import base64

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.db.models import QuerySet

from pccovid.certificates import dcc
from pccovid.certificates.models import Certificate
from pccovid.core import clock, keys


def _b64(certificate: x509.Certificate) -> str:
    return base64.b64encode(certificate.public_bytes(Encoding.DER)).decode("ascii")


def trust_list() -> dict:
    """What `GET /api/v1/certificates/trust-list` publishes: the CSCA and every document signer that
    still verifies (kid, base64 of SHA-256 kid as the EU gateway writes it, and the DER certificate)."""
    signers = keys.dcc_signer_certificates()
    active = keys.dcc_signer().kid
    return {
        "country": keys.DCC_COUNTRY,
        "csca": _b64(keys.dcc_csca_certificate()),
        "signers": [
            {
                "kid": base64.b64encode(kid).decode("ascii"),
                "kid_hex": kid.hex(),
                "certificate": _b64(certificate),
                "not_after": certificate.not_valid_after_utc.isoformat(),
                "active": kid == active,
            }
            for kid, certificate in signers.items()
        ],
    }


def trust_list_certificates(data: dict) -> dict[bytes, x509.Certificate]:
    """kid -> certificate from a published trust list (each kid recomputed from its certificate; a
    mismatch is refused with ValueError)."""
    found = {}
    for entry in data["signers"]:
        certificate = x509.load_der_x509_certificate(base64.b64decode(entry["certificate"]))
        kid = dcc.certificate_kid(certificate)
        if base64.b64decode(entry["kid"]) != kid:
            raise ValueError(f"Key id {entry['kid']} does not match its certificate")
        found[kid] = certificate
    return found


def revoked_hashes() -> set[str]:
    return set(Certificate.objects.filter(revoked_at__isnull=False).values_list("uvci_hash", flat=True))


def revocation_list() -> dict:
    """What `GET /api/v1/certificates/revocations` publishes: SHA-256 (hex) of each revoked UVCI, as the
    EU's revocation lists do (the UVCI itself is not published)."""
    return {"hash_type": "UCI-SHA256", "hashes": sorted(revoked_hashes())}


def certificate_verify(
    *, text: str, trust: dict | None = None, revoked: set[str] | None = None
) -> dcc.Verdict:
    """Verify with this installation's trust list and revocation list (or the ones given)."""
    return dcc.verify(
        text,
        trust_list=keys.dcc_signer_certificates() if trust is None else trust,
        now=clock.now(),
        revoked=revoked_hashes() if revoked is None else revoked,
    )


def certificates_own(*, person) -> QuerySet[Certificate]:
    """The citizen's own certificates (reading themself: no audit), newest first."""
    return Certificate.objects.filter(person=person)


def certificate_facts(*, certificate: Certificate) -> list[tuple[str, str]]:
    """The fields to show beside the QR code, in words (labels translated by the caller's language)."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from pccovid.certificates.services import vaccine_products

    payload = certificate.payload
    name = payload["nam"]
    facts = [
        (_("Name"), " ".join(p for p in (name.get("fn"), name.get("gn")) if p)),
        (_("Name (ICAO)"), " ".join(p for p in (name.get("fnt"), name.get("gnt")) if p)),
        (_("Date of birth"), payload["dob"]),
    ]
    entry = payload[certificate.kind][0]
    if certificate.kind == "v":
        facts += [
            (_("Vaccine"), vaccine_products().get(entry["mp"], entry["mp"])),
            (_("Dose"), f"{entry['dn']}/{entry['sd']}"),
            (_("Date of vaccination"), entry["dt"]),
        ]
    elif certificate.kind == "t":
        facts += [(_("Test type"), entry.get("tt", "")), (_("Sample taken"), entry.get("sc", ""))]
    else:
        facts += [(_("First positive test"), entry["fr"]), (_("Valid"), f"{entry['df']} - {entry['du']}")]
    local = timezone.localtime
    facts += [
        (_("Issuer"), entry["is"]),
        (_("Certificate identifier"), entry["ci"]),
        (_("Valid until"), f"{local(certificate.expires_at):%d/%m/%Y %H:%M}"),
    ]
    return facts
