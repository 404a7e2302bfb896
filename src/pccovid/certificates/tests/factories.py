"""Test signers: a throwaway CSCA-less document signer certificate (EC P-256 or RSA) and a payload."""

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from pccovid.certificates import dcc

NOW = dt.datetime(2022, 6, 1, 8, 0, tzinfo=dt.UTC)


def signer(*, kinds: tuple[str, ...] = ("v", "t", "r"), not_before=None, not_after=None):
    """(private key, certificate) of a self-signed document signer with the EKUs of `kinds`."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "Test DSC"), x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or NOW - dt.timedelta(days=365))
        .not_valid_after(not_after or NOW + dt.timedelta(days=365))
    )
    if kinds:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([x509.ObjectIdentifier(dcc.KIND_EKU[k]) for k in kinds]), critical=False
        )
    return key, builder.sign(key, hashes.SHA256())


def vaccination_payload(**changes) -> dict:
    entry = {
        "tg": "840539006",
        "vp": "1119349007",
        "mp": "EU/1/20/1528",
        "ma": "ORG-100030215",
        "dn": 2,
        "sd": 2,
        "dt": "2021-10-01",
        "co": "VN",
        "is": "Ministry of Health of Viet Nam",
        "ci": "URN:UVCI:01:VN:ABCDEF1234567890#K",
    }
    entry.update(changes)
    return {
        "ver": "1.3.0",
        "nam": {"fn": "Nguyễn", "fnt": "NGUYEN", "gn": "Văn An", "gnt": "VAN<AN"},
        "dob": "1990-05-17",
        "v": [entry],
    }


def sign(payload: dict, key, certificate, *, issued_at=None, expires_at=None) -> str:
    return dcc.encode(
        payload,
        private_key=key,
        kid=dcc.certificate_kid(certificate),
        issuer="VN",
        issued_at=issued_at or NOW - dt.timedelta(days=1),
        expires_at=expires_at or NOW + dt.timedelta(days=364),
    )
