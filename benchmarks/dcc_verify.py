"""EU DCC verifications per second: `certificates.dcc.verify` (base45, zlib, COSE_Sign1, kid lookup in the
trust list, ES256 signature, expiry, DCC schema 1.3.x, key usage, revocation) against the baseline of raw
`cryptography` ECDSA verification of the same signatures over the same bytes, prepared beforehand (the
Sig_structure encoded, DER signatures, the public key in hand).

`run()` needs no database and no keystore (a throwaway document signer). Alone:
`.venv/bin/python benchmarks/dcc_verify.py`.
"""

import datetime as dt
import os
import random
import statistics
import sys
import time
from collections.abc import Callable

NOW = dt.datetime(2022, 3, 1, 3, 0, tzinfo=dt.UTC)


def _signer():
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from pccovid.certificates import dcc

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(NOW - dt.timedelta(days=365))
        .not_valid_after(NOW + dt.timedelta(days=365))
        .add_extension(
            x509.ExtendedKeyUsage([x509.ObjectIdentifier(oid) for oid in dcc.KIND_EKU.values()]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def _texts(count: int, seed: int, key, certificate) -> list[str]:
    from pccovid.certificates import dcc, services

    rng = random.Random(seed)
    texts = []
    for number in range(count):
        name = rng.choice(["Nguyễn Văn An", "Trần Thị Bình", "Lê Minh Chi", "Phạm Thị Dung"])
        dn = rng.choice([1, 2, 3])
        payload = {
            "ver": "1.3.0",
            "nam": services.name_fields(name),
            "dob": (dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(30_000))).isoformat(),
            "v": [
                {
                    "tg": "840539006",
                    "vp": "1119349007",
                    "mp": "EU/1/20/1528",
                    "ma": "ORG-100030215",
                    "dn": dn,
                    "sd": max(2, dn),
                    "dt": (dt.date(2021, 6, 1) + dt.timedelta(days=rng.randrange(200))).isoformat(),
                    "co": "VN",
                    "is": "Ministry of Health of Viet Nam",
                    "ci": f"URN:UVCI:01:VN:BENCH{number:021d}",
                }
            ],
        }
        texts.append(
            dcc.encode(
                payload,
                private_key=key,
                kid=dcc.certificate_kid(certificate),
                issuer="VN",
                issued_at=NOW - dt.timedelta(days=1),
                expires_at=NOW + dt.timedelta(days=364),
            )
        )
    return texts


def _raw_inputs(texts: list[str]) -> list[tuple[bytes, bytes]]:
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    from pccovid.certificates import dcc

    inputs = []
    for text in texts:
        cose = dcc.decode(text).cose
        signature = cose.signature
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        inputs.append((cose.to_be_signed(), der))
    return inputs


def _rate(work: Callable[[], None], count: int, repeat: int) -> float:
    work()  # warm caches (schema validator)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return count / statistics.median(samples)


def run(*, certificates: int = 300, repeat: int = 5, seed: int = 5772) -> list[str]:
    """Markdown lines: a table header and two rows (the whole verifier, and decode + signature only)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    from pccovid.certificates import dcc

    key, certificate = _signer()
    texts = _texts(certificates, seed, key, certificate)
    inputs = _raw_inputs(texts)
    trust = {dcc.certificate_kid(certificate): certificate}
    revoked = {dcc.revocation_hash("URN:UVCI:01:VN:REVOKED")}
    public_key = certificate.public_key()
    algorithm = ec.ECDSA(hashes.SHA256())

    def ours() -> None:
        for text in texts:
            if not dcc.verify(text, trust_list=trust, now=NOW, revoked=revoked).valid:
                raise AssertionError(f"not valid: {text}")

    def ours_signature_only() -> None:
        for text in texts:
            dcc.cose_verify(dcc.decode(text).cose, public_key)

    def baseline() -> None:
        for message, der in inputs:
            public_key.verify(der, message, algorithm)

    full = _rate(ours, certificates, repeat)
    signature_only = _rate(ours_signature_only, certificates, repeat)
    base = _rate(baseline, certificates, repeat)
    note = "raw `cryptography` ECDSA verify, same signatures"
    return [
        "| operation | pccovid | baseline | pccovid / baseline | baseline is |",
        "|---|---|---|---|---|",
        f"| verify an EU DCC (`dcc.verify`: decode, signature, expiry, schema, key usage, revocation) "
        f"| {full:,.0f}/s | {base:,.0f}/s | {full / base:.2f}x | {note} |",
        f"| decode an EU DCC and check its signature only (`dcc.decode` + `dcc.cose_verify`) "
        f"| {signature_only:,.0f}/s | {base:,.0f}/s | {signature_only / base:.2f}x | {note} |",
    ]


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pccovid.settings")
    import django

    django.setup()
    print("\n".join(run()))
