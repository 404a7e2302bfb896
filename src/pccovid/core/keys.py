"""The one keystore: ES256 (ECDSA P-256 with SHA-256) signing keys per purpose, outside the database.

Layout, under `settings.PCCOVID_KEY_DIR` (mode 0700):

    <purpose>/keys.json       [{"kid", "created_at", "retired_at", "grace_until"}, ...] oldest first
    <purpose>/<kid>.pem       the private key, PKCS#8 PEM, unencrypted, mode 0600

A purpose ("personal-qr", later "release-certificate") gets its first key on first use. Rotation adds a
new active key and retires the previous one; a retired key still verifies until `grace_until`, then it
is no longer published. Private keys are never written to the database or to logs; back the directory up
on its own (a database dump does not contain it).

Key id (kid): the first 8 bytes of SHA-256 over the DER SubjectPublicKeyInfo of the public key,
base64url without padding (11 characters). Anyone holding the public key can recompute it.
"""

import base64
import contextlib
import datetime as dt
import fcntl
import functools
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings

from pccovid.core import clock

_PURPOSE = re.compile(r"[a-z][a-z0-9-]{1,40}")
_METADATA = "keys.json"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: ec.EllipticCurvePrivateKey


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict base64url without padding: anything else raises ValueError."""
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id(public_key: ec.EllipticCurvePublicKey) -> str:
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return b64url(hashlib.sha256(der).digest()[:8])


@functools.lru_cache(maxsize=64)
def _directory_in(root: str, purpose: str) -> Path:
    if not _PURPOSE.fullmatch(purpose):
        raise ValueError(f"Not a key purpose: {purpose!r}")
    return Path(root) / purpose


def _directory(purpose: str) -> Path:
    return _directory_in(str(settings.PCCOVID_KEY_DIR), purpose)


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """One writer at a time per purpose (two workers starting together must not both create a key)."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(directory / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


# Parsed metadata and keys, by file: a verifier checks thousands of codes a minute and must not re-read
# and re-parse files each time. The metadata is re-read when its file changes (another process rotated).
Stamp = tuple[int, int, int]
_metadata_cache: dict[str, tuple[Stamp, list[dict]]] = {}
_verifier_cache: dict[str, tuple[Stamp, list["_Verifier"]]] = {}
_private_cache: dict[Path, ec.EllipticCurvePrivateKey] = {}
_public_cache: dict[Path, ec.EllipticCurvePublicKey] = {}


@dataclass(frozen=True)
class _Verifier:
    kid: str
    grace_until: dt.datetime | None  # None while the key is active
    public_key: ec.EllipticCurvePublicKey


def _stamp(path: str) -> Stamp | None:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def _read_metadata(directory: Path) -> list[dict]:
    """The key entries (a fresh copy: callers may change it)."""
    path = os.path.join(directory, _METADATA)
    stamp = _stamp(path)
    if stamp is None:
        return []
    cached = _metadata_cache.get(path)
    if cached is None or cached[0] != stamp:
        cached = (stamp, json.loads(Path(path).read_text(encoding="utf-8")))
        _metadata_cache[path] = cached
    return [dict(entry) for entry in cached[1]]


def _write_metadata(directory: Path, entries: list[dict]) -> None:
    temporary = directory / f".{_METADATA}.tmp"
    temporary.write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, directory / _METADATA)


def _new_key(directory: Path) -> dict:
    private_key = ec.generate_private_key(ec.SECP256R1())
    kid = key_id(private_key.public_key())
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    descriptor = os.open(directory / f"{kid}.pem", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    return {"kid": kid, "created_at": clock.now().isoformat(), "retired_at": None, "grace_until": None}


def _has_active(entries: list[dict]) -> bool:
    return any(entry["retired_at"] is None for entry in entries)


def _metadata(purpose: str) -> tuple[Path, list[dict]]:
    """The purpose's key entries, creating an active key when there is none (first use)."""
    directory = _directory(purpose)
    entries = _read_metadata(directory)
    if _has_active(entries):
        return directory, entries
    with _locked(directory):
        entries = _read_metadata(directory)
        if not _has_active(entries):
            entries = [*entries, _new_key(directory)]
            _write_metadata(directory, entries)
    return directory, entries


def _load_private(path: Path) -> ec.EllipticCurvePrivateKey:
    if path not in _private_cache:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{path} is not an EC private key")
        _private_cache[path] = key
    return _private_cache[path]


def _load_public(path: Path) -> ec.EllipticCurvePublicKey:
    if path not in _public_cache:
        _public_cache[path] = _load_private(path).public_key()
    return _public_cache[path]


def signing_key(purpose: str) -> SigningKey:
    """The active key of `purpose` (created on first use)."""
    directory, entries = _metadata(purpose)
    active = next(e for e in reversed(entries) if e["retired_at"] is None)
    return SigningKey(active["kid"], _load_private(directory / f"{active['kid']}.pem"))


def _in_grace(entry: dict, now: dt.datetime) -> bool:
    return entry["retired_at"] is None or dt.datetime.fromisoformat(entry["grace_until"]) > now


def key_entries(purpose: str) -> list[dict]:
    """Metadata of the keys that still verify (active, and retired ones inside their grace period)."""
    now = clock.now()
    return [e for e in _metadata(purpose)[1] if _in_grace(e, now)]


def _verifiers(purpose: str) -> list[_Verifier]:
    directory = _directory(purpose)
    path = os.path.join(directory, _METADATA)
    stamp = _stamp(path)
    cached = _verifier_cache.get(path)
    if cached is None or cached[0] != stamp:
        if stamp is None:
            _metadata(purpose)
            stamp = _stamp(path)
        # Read after taking the stamp: a file changed in between is only re-read on the next call.
        verifiers = [
            _Verifier(
                e["kid"],
                dt.datetime.fromisoformat(e["grace_until"]) if e["retired_at"] else None,
                _load_public(directory / f"{e['kid']}.pem"),
            )
            for e in _read_metadata(directory)
        ]
        cached = (stamp, verifiers)
        _verifier_cache[path] = cached
    return cached[1]


def public_keys(purpose: str) -> dict[str, ec.EllipticCurvePublicKey]:
    """kid -> public key of every key that still verifies (active, or retired inside its grace period)."""
    now = clock.now()
    return {v.kid: v.public_key for v in _verifiers(purpose) if v.grace_until is None or v.grace_until > now}


def key_set(purpose: str) -> dict:
    """JWKS-like, for publication: every key of `purpose` that still verifies, with its status ("active"
    or "retired") and dates."""
    public = public_keys(purpose)
    return {
        "keys": [
            {
                "kid": entry["kid"],
                **public_jwk(public[entry["kid"]]),
                "alg": "ES256",
                "use": "sig",
                "status": "active" if entry["retired_at"] is None else "retired",
                "created_at": entry["created_at"],
                "retired_at": entry["retired_at"],
                "grace_until": entry["grace_until"],
            }
            for entry in key_entries(purpose)
            if entry["kid"] in public
        ]
    }


def key_rotate(purpose: str, *, grace_days: int = 30) -> str:
    """Add a new active key and retire the current one, which verifies for `grace_days` more.

    Returns the new kid."""
    directory, _entries = _metadata(purpose)
    now = clock.now()
    with _locked(directory):
        entries = _read_metadata(directory)
        for entry in entries:
            if entry["retired_at"] is None:
                entry["retired_at"] = now.isoformat()
                entry["grace_until"] = (now + dt.timedelta(days=grace_days)).isoformat()
        new = _new_key(directory)
        _write_metadata(directory, [*entries, new])
    return new["kid"]


def public_jwk(public_key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    """RFC 7518 §6.2.1 public EC key: x and y are the 32-byte big-endian coordinates, base64url."""
    numbers = public_key.public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url(numbers.x.to_bytes(32, "big")),
        "y": b64url(numbers.y.to_bytes(32, "big")),
    }


def public_keys_from_jwks(data: dict, *, now: dt.datetime) -> dict[str, ec.EllipticCurvePublicKey]:
    """The verifying keys of a published key set (`GET /api/v1/qr/keys`): retired keys past their grace
    period are left out, and a kid that does not match its key is refused (ValueError)."""
    found: dict[str, ec.EllipticCurvePublicKey] = {}
    for jwk in data["keys"]:
        if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
            raise ValueError(f"Key {jwk.get('kid')!r} is not an EC P-256 key")
        grace_until = jwk.get("grace_until")
        if grace_until and dt.datetime.fromisoformat(grace_until) <= now:
            continue
        public_key = ec.EllipticCurvePublicNumbers(
            int.from_bytes(b64url_decode(jwk["x"]), "big"),
            int.from_bytes(b64url_decode(jwk["y"]), "big"),
            ec.SECP256R1(),
        ).public_key()
        if key_id(public_key) != jwk["kid"]:
            raise ValueError(f"Key id {jwk['kid']!r} does not match its public key")
        found[jwk["kid"]] = public_key
    return found


# --- X.509 key material for the EU Digital COVID Certificate ---------------------------------------------
#
# Layout, under `settings.PCCOVID_KEY_DIR/dcc/` (mode 0700, created on first use):
#
#     csca.pem, csca.der        the country signing CA: P-256 private key (PKCS#8 PEM, 0600), self-signed cert
#     signers.json              [{"kid" (hex), "created_at", "retired_at"}, ...] oldest first
#     dsc-<kid>.pem, .der       each document signer: private key (0600) and certificate signed by the CSCA
#
# A document signer (DSC) carries the extended key usages of the three DCC types and is valid
# DCC_SIGNER_VALID_DAYS; it signs for DCC_SIGNER_USE_DAYS, then `dcc_signer_rotate` adds a new one. A retired
# DSC stays in the trust list until its certificate's own expiry, so what it signed still verifies.
# Its key id is the DCC one: the first 8 bytes of SHA-256 over the certificate's DER.

from cryptography import x509  # noqa: E402  (appended section: the DCC's X.509 material)
from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

DCC_DIRECTORY = "dcc"
DCC_COUNTRY = "VN"
DCC_ORGANISATION = "Ministry of Health of Viet Nam"
DCC_CSCA_VALID_DAYS = 365 * 4
DCC_SIGNER_VALID_DAYS = 365 * 2
DCC_SIGNER_EKU = ("1.3.6.1.4.1.1847.2021.1.1", "1.3.6.1.4.1.1847.2021.1.2", "1.3.6.1.4.1.1847.2021.1.3")


@dataclass(frozen=True)
class DccSigner:
    kid: bytes
    private_key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate


def _dcc_name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, DCC_COUNTRY),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, DCC_ORGANISATION),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _write_private(path: Path, private_key: ec.EllipticCurvePrivateKey) -> None:
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)


def _dcc_csca(directory: Path) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """(private key, certificate) of the CSCA, created on first use (caller holds the lock)."""
    key_path, cert_path = directory / "csca.pem", directory / "csca.der"
    if cert_path.exists():
        return _load_private(key_path), x509.load_der_x509_certificate(cert_path.read_bytes())
    private_key = ec.generate_private_key(ec.SECP256R1())
    now = clock.now()
    name = _dcc_name(f"{DCC_COUNTRY} DCC CSCA")
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=DCC_CSCA_VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(private_key.public_key()), critical=False)
        .sign(private_key, hashes.SHA256())
    )
    _write_private(key_path, private_key)
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.DER))
    return private_key, certificate


def _dcc_new_signer(directory: Path) -> dict:
    csca_key, csca = _dcc_csca(directory)
    private_key = ec.generate_private_key(ec.SECP256R1())
    now = clock.now()
    not_after = min(now + dt.timedelta(days=DCC_SIGNER_VALID_DAYS), csca.not_valid_after_utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_dcc_name(f"{DCC_COUNTRY} DCC DSC {now:%Y%m%d%H%M%S}"))
        .issuer_name(csca.subject)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(not_after)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True
        )
        .add_extension(
            x509.ExtendedKeyUsage([x509.ObjectIdentifier(oid) for oid in DCC_SIGNER_EKU]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(csca_key.public_key()), critical=False
        )
        .sign(csca_key, hashes.SHA256())
    )
    der = certificate.public_bytes(serialization.Encoding.DER)
    kid = hashlib.sha256(der).digest()[:8].hex()
    _write_private(directory / f"dsc-{kid}.pem", private_key)
    (directory / f"dsc-{kid}.der").write_bytes(der)
    return {"kid": kid, "created_at": now.isoformat(), "retired_at": None}


def _dcc_entries() -> tuple[Path, list[dict]]:
    directory = _directory(DCC_DIRECTORY)
    path = directory / "signers.json"
    entries = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    if _has_active(entries):
        return directory, entries
    with _locked(directory):
        entries = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
        if not _has_active(entries):
            entries = [*entries, _dcc_new_signer(directory)]
            _dcc_write(directory, entries)
    return directory, entries


def _dcc_write(directory: Path, entries: list[dict]) -> None:
    temporary = directory / ".signers.json.tmp"
    temporary.write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, directory / "signers.json")


_dcc_certificates: dict[Path, tuple[Stamp | None, x509.Certificate]] = {}


def _dcc_certificate(path: Path) -> x509.Certificate:
    stamp = _stamp(str(path))
    cached = _dcc_certificates.get(path)
    if cached is None or cached[0] != stamp:
        cached = (stamp, x509.load_der_x509_certificate(path.read_bytes()))
        _dcc_certificates[path] = cached
    return cached[1]


def dcc_signer() -> DccSigner:
    """The active document signer (the CSCA and a first DSC are created on first use)."""
    directory, entries = _dcc_entries()
    active = next(e for e in reversed(entries) if e["retired_at"] is None)
    return DccSigner(
        bytes.fromhex(active["kid"]),
        _load_private(directory / f"dsc-{active['kid']}.pem"),
        _dcc_certificate(directory / f"dsc-{active['kid']}.der"),
    )


def dcc_csca_certificate() -> x509.Certificate:
    """The country signing CA's certificate (created on first use)."""
    directory, _entries = _dcc_entries()
    return _dcc_certificate(directory / "csca.der")


def dcc_signer_certificates() -> dict[bytes, x509.Certificate]:
    """kid -> certificate of every document signer still inside its certificate's validity (active and
    retired alike): the trust list this installation publishes."""
    directory, entries = _dcc_entries()
    now = clock.now()
    found = {}
    for entry in entries:
        certificate = _dcc_certificate(directory / f"dsc-{entry['kid']}.der")
        if certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
            found[bytes.fromhex(entry["kid"])] = certificate
    return found


def dcc_signer_entries() -> list[dict]:
    """Metadata of every document signer, oldest first (kid hex, created_at, retired_at)."""
    return _dcc_entries()[1]


def dcc_signer_rotate() -> bytes:
    """A new active document signer; the previous one is retired (it signs no more, still verifies).
    Returns the new kid."""
    directory, _entries = _dcc_entries()
    with _locked(directory):
        path = directory / "signers.json"
        entries = json.loads(path.read_text(encoding="utf-8"))
        now = clock.now().isoformat()
        for entry in entries:
            if entry["retired_at"] is None:
                entry["retired_at"] = now
        new = _dcc_new_signer(directory)
        _dcc_write(directory, [*entries, new])
    return bytes.fromhex(new["kid"])
