"""EU Digital COVID Certificate codec and verifier: no database, no keystore (offline verifiers use it).

The chain, outward: the DCC payload (JSON per the DCC schema) -> CBOR Web Token (iss 1, exp 4, iat 6,
hcert -260: {1: payload}) -> COSE_Sign1 (ES256, or PS256 when verifying) with the key id (first 8 bytes of
SHA-256 of the signer certificate's DER) in the protected header -> zlib -> base45 -> "HC1:".

Every step has its own function raising `DccError(reason, message)`, so the conformance run can test each
step alone and the verifier can say exactly which step failed.
"""

import datetime as dt
import functools
import hashlib
import json
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import base45
import cbor2
import jsonschema
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

PREFIX = "HC1:"
ES256 = -7
PS256 = -37
COSE_ALG = 1
COSE_KID = 4
CWT_ISS = 1
CWT_EXP = 4
CWT_IAT = 6
CWT_HCERT = -260
COSE_SIGN1_TAG = 18
CWT_TAG = 61

# Extended key usage OIDs a document signer certificate may list (eHealth Network, hcert spec §5.4.1).
# The first test vectors used OIDs with an extra ".0" under the IANA arc (1.3.6.1.4.1.0.1847...):
# both are read.
EKU_TEST = "1.3.6.1.4.1.1847.2021.1.1"
EKU_VACCINATION = "1.3.6.1.4.1.1847.2021.1.2"
EKU_RECOVERY = "1.3.6.1.4.1.1847.2021.1.3"
_EKU_KIND = {
    EKU_TEST: "t",
    EKU_VACCINATION: "v",
    EKU_RECOVERY: "r",
    "1.3.6.1.4.1.0.1847.2021.1.1": "t",
    "1.3.6.1.4.1.0.1847.2021.1.2": "v",
    "1.3.6.1.4.1.0.1847.2021.1.3": "r",
}
KIND_EKU = {"t": EKU_TEST, "v": EKU_VACCINATION, "r": EKU_RECOVERY}

SCHEMA_PATH = Path(__file__).with_name("data") / "DCC.combined-schema.json"

# Reasons, stable for clients; each has a message for people.
REASONS = {
    "picture": "No QR code could be read from the picture.",
    "prefix": "The text does not start with the context identifier HC1:.",
    "base45": "The text after HC1: is not valid base45.",
    "zlib": "The data is not a valid zlib stream.",
    "cose": "The data is not a COSE_Sign1 structure.",
    "cwt": "The signed payload is not a CBOR Web Token with a health certificate (claim -260).",
    "algorithm": "The signature algorithm is not ES256 or PS256.",
    "unknown_kid": "No document signer certificate in the trust list has this key id.",
    "bad_signature": "The signature does not verify with the document signer's key.",
    "expired": "The certificate has expired.",
    "not_yet_valid": "The certificate is not valid yet (issued in the future).",
    "signer_expired": "The document signer certificate was not valid when the certificate was issued.",
    "schema": "The certificate content does not follow the DCC schema.",
    "key_usage": "The document signer is not allowed to sign this type of certificate.",
    "revoked": "The certificate has been revoked by its issuer.",
}


class DccError(ValueError):
    def __init__(self, reason: str, detail: str = ""):
        self.reason = reason
        self.detail = detail
        super().__init__(REASONS[reason] + (f" ({detail})" if detail else ""))


# --- the steps, one by one -------------------------------------------------------------------------


def unprefix(text: str) -> str:
    """The base45 text after the context identifier."""
    if not text.startswith(PREFIX):
        raise DccError("prefix")
    return text[len(PREFIX) :]


def b45decode(text: str) -> bytes:
    try:
        return base45.b45decode(text)
    except (ValueError, TypeError) as error:
        raise DccError("base45", str(error)) from error


def b45encode(data: bytes) -> str:
    encoded = base45.b45encode(data)
    return encoded.decode("ascii") if isinstance(encoded, bytes) else encoded


MAX_INFLATED = 64 * 1024  # a certificate is a few hundred bytes; a QR code holds under 3 kB


def decompress(data: bytes) -> bytes:
    """zlib inflate. The specification makes compression mandatory; data that is not zlib is refused,
    and so is a stream that inflates past MAX_INFLATED (a zip bomb in a QR code)."""
    inflater = zlib.decompressobj()
    try:
        inflated = inflater.decompress(data, MAX_INFLATED)
        if inflater.unconsumed_tail:
            raise DccError("zlib", f"inflates past {MAX_INFLATED} bytes")
        inflated += inflater.flush()
    except zlib.error as error:
        raise DccError("zlib", str(error)) from error
    if not inflater.eof:
        raise DccError("zlib", "incomplete or truncated stream")
    return inflated


@dataclass(frozen=True)
class CoseSign1:
    protected_bytes: bytes
    protected: dict
    unprotected: dict
    payload: bytes
    signature: bytes

    @property
    def alg(self) -> Any:
        return self.protected.get(COSE_ALG, self.unprotected.get(COSE_ALG))

    @property
    def kid(self) -> bytes | None:
        """The key id: protected header first, else unprotected (some issuers put it there)."""
        kid = self.protected.get(COSE_KID)
        if kid is None:
            kid = self.unprotected.get(COSE_KID)
        return bytes(kid) if isinstance(kid, bytes | bytearray) else None

    def to_be_signed(self) -> bytes:
        return cbor2.dumps(["Signature1", self.protected_bytes, b"", self.payload])


def cose_parse(data: bytes) -> CoseSign1:
    """COSE_Sign1, tagged 18 (possibly inside the CWT tag 61) or untagged."""
    try:
        item = cbor2.loads(data)
    except Exception as error:  # cbor2 raises several types for malformed input
        raise DccError("cose", f"not CBOR: {error}") from error
    if isinstance(item, cbor2.CBORTag) and item.tag == CWT_TAG:
        item = item.value
    if isinstance(item, cbor2.CBORTag):
        if item.tag != COSE_SIGN1_TAG:
            raise DccError("cose", f"CBOR tag {item.tag}, not 18")
        item = item.value
    if not isinstance(item, list | tuple) or len(item) != 4:
        raise DccError("cose", "not an array of four")
    protected_bytes, unprotected, payload, signature = item
    if (
        not isinstance(protected_bytes, bytes)
        or not isinstance(payload, bytes)
        or not isinstance(signature, bytes)
    ):
        raise DccError("cose", "protected header, payload and signature must be byte strings")
    if not isinstance(unprotected, Mapping):
        raise DccError("cose", "the unprotected header is not a map")
    try:
        protected = cbor2.loads(protected_bytes) if protected_bytes else {}
    except Exception as error:
        raise DccError("cose", f"protected header: {error}") from error
    if not isinstance(protected, Mapping):
        raise DccError("cose", "the protected header is not a map")
    return CoseSign1(protected_bytes, dict(protected), dict(unprotected), payload, signature)


def cose_verify(cose: CoseSign1, public_key: Any) -> None:
    """Check the signature with an EC P-256 (ES256) or RSA (PS256) public key; DccError when it fails."""
    data = cose.to_be_signed()
    try:
        if cose.alg == ES256:
            if not isinstance(public_key, ec.EllipticCurvePublicKey):
                raise DccError("bad_signature", "ES256 needs an EC key")
            if len(cose.signature) != 64:
                raise DccError("bad_signature", "an ES256 signature is 64 bytes (r || s)")
            r = int.from_bytes(cose.signature[:32], "big")
            s = int.from_bytes(cose.signature[32:], "big")
            public_key.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
        elif cose.alg == PS256:
            if not isinstance(public_key, rsa.RSAPublicKey):
                raise DccError("bad_signature", "PS256 needs an RSA key")
            public_key.verify(
                cose.signature,
                data,
                padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
                hashes.SHA256(),
            )
        else:
            raise DccError("algorithm", repr(cose.alg))
    except InvalidSignature as error:
        raise DccError("bad_signature") from error


def cwt_claims(cose: CoseSign1) -> dict:
    try:
        claims = cbor2.loads(cose.payload)
    except Exception as error:
        raise DccError("cwt", f"payload not CBOR: {error}") from error
    if not isinstance(claims, Mapping):
        raise DccError("cwt", "the payload is not a map")
    return dict(claims)


def hcert_payload(claims: Mapping) -> dict:
    hcert = claims.get(CWT_HCERT)
    if not isinstance(hcert, Mapping) or not isinstance(hcert.get(1), Mapping):
        raise DccError("cwt", "claim -260 with key 1 missing")
    return dict(hcert[1])


def _instant(value: Any) -> dt.datetime | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return dt.datetime.fromtimestamp(value, dt.UTC)
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return None


def validity(claims: Mapping) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(issued at, expires at) of the CWT."""
    return _instant(claims.get(CWT_IAT)), _instant(claims.get(CWT_EXP))


def check_time(claims: Mapping, *, now: dt.datetime) -> None:
    """DccError("expired") past `exp`, DccError("not_yet_valid") before `iat`."""
    issued_at, expires_at = validity(claims)
    if expires_at is None:
        raise DccError("cwt", "no expiry (claim 4)")
    if now > expires_at:
        raise DccError("expired", f"expired {expires_at.isoformat()}")
    if issued_at is not None and now < issued_at:
        raise DccError("not_yet_valid", f"issued {issued_at.isoformat()}")


# --- JSON view and schema --------------------------------------------------------------------------


def to_json(value: Any) -> Any:
    """The payload as JSON data: CBOR dates and times (tags 0, 1, 1004) become ISO 8601 strings."""
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None and value.utcoffset() == dt.timedelta(0):
            return value.strftime("%Y-%m-%dT%H:%M:%SZ") if not value.microsecond else value.isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    return "T" in value.upper() and parsed.tzinfo is not None


@functools.cache
def _schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@functools.cache
def _validator(version: tuple[int, ...], formats: bool) -> jsonschema.protocols.Validator:
    """The 1.3.x schema, adjusted for payloads of earlier versions: before 1.3.0 a certificate could
    hold several entries of its type (1.3.0 added `maxItems: 1` to v, t and r)."""
    schema = json.loads(json.dumps(_schema()))
    if version < (1, 3, 0):
        for kind in ("v", "t", "r"):
            schema["properties"][kind].pop("maxItems", None)
    checker = None
    if formats:
        checker = jsonschema.FormatChecker(formats=())
        checker.checks("date", raises=ValueError)(_is_date)
        checker.checks("date-time", raises=ValueError)(_is_date_time)
    return jsonschema.Draft202012Validator(schema, format_checker=checker)


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _version(payload: Any) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in str(payload.get("ver", "")).split(".")[:3])
    except (AttributeError, ValueError):
        return (1, 3, 0)


FORMATS = False


def schema_errors(payload: Any) -> list[str]:
    """Why the payload breaks the DCC schema 1.3.3 (the last of 1.3.x; empty when it is valid).

    One schema for every version, adjusted for payloads before 1.3.0 (several entries allowed); `format`
    is an annotation, as JSON Schema 2020-12 defines it (see docs/interoperability.md)."""
    data = to_json(payload)
    validator = _validator(_version(data) if isinstance(data, dict) else (1, 3, 0), FORMATS)
    if validator.is_valid(data):
        return []
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    ]


def kinds(payload: Mapping) -> set[str]:
    """The certificate types ("v", "t", "r") a payload carries."""
    return {kind for kind in ("v", "t", "r") if payload.get(kind)}


# --- signer certificates ---------------------------------------------------------------------------


def certificate_kid(certificate: x509.Certificate | bytes) -> bytes:
    """First 8 bytes of SHA-256 over the certificate's DER."""
    der = certificate if isinstance(certificate, bytes) else certificate.public_bytes(_der())
    return hashlib.sha256(der).digest()[:8]


def _der():
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


def _der_items(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(tag, content) of each DER element in `data`, in order (definite lengths only)."""
    position = 0
    while position < len(data):
        if position + 2 > len(data):
            raise ValueError("truncated DER")
        tag = data[position]
        length = data[position + 1]
        position += 2
        if length & 0x80:
            size = length & 0x7F
            if size == 0 or size > 4:
                raise ValueError("unsupported DER length")
            length = int.from_bytes(data[position : position + size], "big")
            position += size
        if position + length > len(data):
            raise ValueError("truncated DER")
        yield tag, data[position : position + length]
        position += length


def _oid(content: bytes) -> str:
    parts: list[int] = []
    value = 0
    for byte in content:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    if not parts:
        raise ValueError("empty OID")
    first = min(parts[0] // 40, 2)
    return ".".join(str(p) for p in [first, parts[0] - 40 * first, *parts[1:]])


_EKU_OID = "2.5.29.37"


def extended_key_usage(certificate: x509.Certificate) -> list[str] | None:
    """The certificate's extended key usage OIDs, None without the extension.

    Read from the DER by hand: issuers' certificates often carry extensions that `cryptography` refuses
    to parse (a BasicConstraints with an encoded default, an empty EKU sequence), and one bad extension
    must not hide the key usage."""
    tbs = certificate.tbs_certificate_bytes
    (_tag, body), *_rest = _der_items(tbs)
    for tag, content in _der_items(body):
        if tag != 0xA3:  # [3] extensions
            continue
        (_tag, extensions), *_rest = _der_items(content)
        for _tag, extension in _der_items(extensions):
            parts = list(_der_items(extension))
            if parts and parts[0][0] == 0x06 and _oid(parts[0][1]) == _EKU_OID:
                value = next(c for t, c in parts[1:] if t == 0x04)
                oids: list[str] = []
                for _t, sequence in _der_items(value):
                    oids.extend(_oid(c) for t, c in _der_items(sequence) if t == 0x06)
                return oids
    return None


def allowed_kinds(certificate: x509.Certificate) -> set[str]:
    """Types the signer may sign by its extended key usage: none of the DCC OIDs listed means all."""
    usage = extended_key_usage(certificate)
    found = {_EKU_KIND[oid] for oid in usage or [] if oid in _EKU_KIND}
    return found or {"v", "t", "r"}


def check_key_usage(certificate: x509.Certificate, payload: Mapping) -> None:
    refused = kinds(payload) - allowed_kinds(certificate)
    if refused:
        raise DccError("key_usage", f"type {', '.join(sorted(refused))} not in the signer's key usage")


# --- the whole chain -------------------------------------------------------------------------------


@dataclass
class Decoded:
    cose: CoseSign1
    claims: dict
    payload: dict

    @property
    def kid(self) -> bytes | None:
        return self.cose.kid

    @property
    def issuer(self) -> str | None:
        return self.claims.get(CWT_ISS)

    @property
    def issued_at(self) -> dt.datetime | None:
        return validity(self.claims)[0]

    @property
    def expires_at(self) -> dt.datetime | None:
        return validity(self.claims)[1]


def decode(text: str) -> Decoded:
    """Unwrap without verifying: prefix, base45, zlib, COSE, CWT, hcert."""
    cose = cose_parse(decompress(b45decode(unprefix(text))))
    claims = cwt_claims(cose)
    return Decoded(cose, claims, hcert_payload(claims))


@dataclass
class Verdict:
    valid: bool
    reasons: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    decoded: Decoded | None = None
    kid: str | None = None

    @property
    def payload(self) -> dict | None:
        return self.decoded.payload if self.decoded else None


def uvcis(payload: Mapping) -> list[str]:
    return [entry["ci"] for kind in ("v", "t", "r") for entry in payload.get(kind) or [] if entry.get("ci")]


def revocation_hash(uvci: str) -> str:
    """SHA-256 of the UVCI, hex: what the revocation list publishes (the EU's UCI hash)."""
    return hashlib.sha256(uvci.encode("utf-8")).hexdigest()


def verify(
    text: str,
    *,
    trust_list: Mapping[bytes, x509.Certificate],
    now: dt.datetime,
    revoked: frozenset[str] | set[str] = frozenset(),
) -> Verdict:
    """Decode, find the signer by kid in the trust list, check signature, validity, schema, key usage and
    revocation (`revoked`: SHA-256 hex hashes of revoked UVCIs). Every failed check is a reason."""
    try:
        decoded = decode(text.strip())
    except DccError as error:
        return Verdict(False, [error.reason], [str(error)])
    verdict = Verdict(True, decoded=decoded, kid=decoded.kid.hex() if decoded.kid else None)

    def fail(error: DccError) -> None:
        verdict.valid = False
        verdict.reasons.append(error.reason)
        verdict.messages.append(str(error))

    signer = trust_list.get(decoded.kid) if decoded.kid else None
    if signer is None:
        fail(DccError("unknown_kid", verdict.kid or "no kid"))
    else:
        try:
            cose_verify(decoded.cose, signer.public_key())
        except DccError as error:
            fail(error)
        try:
            check_key_usage(signer, decoded.payload)
        except DccError as error:
            fail(error)
        issued_at = decoded.issued_at
        if issued_at and not (signer.not_valid_before_utc <= issued_at <= signer.not_valid_after_utc):
            fail(DccError("signer_expired"))
    try:
        check_time(decoded.claims, now=now)
    except DccError as error:
        fail(error)
    errors = schema_errors(decoded.payload)
    if errors:
        fail(DccError("schema", "; ".join(errors[:3])))
    if revoked and any(revocation_hash(uvci) in revoked for uvci in uvcis(decoded.payload)):
        fail(DccError("revoked"))
    return verdict


# --- encoding --------------------------------------------------------------------------------------


def encode(
    payload: Mapping,
    *,
    private_key: ec.EllipticCurvePrivateKey,
    kid: bytes,
    issuer: str,
    issued_at: dt.datetime,
    expires_at: dt.datetime,
) -> str:
    """The HC1 text of a payload, signed ES256 with the kid in the protected header."""
    claims = {
        CWT_ISS: issuer,
        CWT_IAT: int(issued_at.timestamp()),
        CWT_EXP: int(expires_at.timestamp()),
        CWT_HCERT: {1: dict(payload)},
    }
    protected_bytes = cbor2.dumps({COSE_ALG: ES256, COSE_KID: kid})
    body = cbor2.dumps(claims)
    to_be_signed = cbor2.dumps(["Signature1", protected_bytes, b"", body])
    r, s = decode_dss_signature(private_key.sign(to_be_signed, ec.ECDSA(hashes.SHA256())))
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    cose = cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected_bytes, {}, body, signature]))
    return PREFIX + b45encode(zlib.compress(cose, 9))
