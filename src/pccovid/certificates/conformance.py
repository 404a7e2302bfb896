"""The EU DCC conformance run: every check a test vector names, against our codec and verifier.

Vector layout and check meanings: eu-digital-green-certificates/dgc-testdata (README), summarised in
docs/interoperability.md. Each check yields our verdict (True: the step succeeds) and a reason; a check
whose inputs the vector lacks (no picture for EXPECTEDPICTUREDECODE) is "not tested", like unknown keys.
"""

import base64
import binascii
import datetime as dt
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cbor2
import zxingcpp
from cryptography import x509
from PIL import Image, UnidentifiedImageError

from pccovid.certificates import dcc

CHECKS = (
    "EXPECTEDPICTUREDECODE",
    "EXPECTEDUNPREFIX",
    "EXPECTEDB45DECODE",
    "EXPECTEDCOMPRESSION",
    "EXPECTEDVERIFY",
    "EXPECTEDDECODE",
    "EXPECTEDVALIDJSON",
    "EXPECTEDSCHEMAVALIDATION",
    "EXPECTEDEXPIRATIONCHECK",
    "EXPECTEDKEYUSAGE",
    "EXPECTEDVALIDOBJECT",
    "EXPECTEDENCODE",
)


class NotTested(Exception):
    """The vector lacks what the check needs."""


@dataclass
class Outcome:
    file: str
    check: str
    expected: Any
    actual: bool | None  # None: not tested
    reason: str

    @property
    def agrees(self) -> bool:
        return self.actual is not None and self.actual == self.expected


@dataclass
class Report:
    files: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    not_tested: list[Outcome] = field(default_factory=list)

    @property
    def checks(self) -> int:
        return len(self.outcomes)

    @property
    def agree(self) -> int:
        return sum(o.agrees for o in self.outcomes)

    @property
    def disagree(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.agrees]

    def as_json(self) -> dict:
        return {
            "files": self.files,
            "checks": self.checks,
            "agree": self.agree,
            "disagree": [
                {
                    "file": o.file,
                    "check": o.check,
                    "expected": o.expected,
                    "actual": o.actual,
                    "reason": o.reason,
                }
                for o in self.disagree
            ],
            "not_tested": [{"file": o.file, "check": o.check, "reason": o.reason} for o in self.not_tested],
        }


def _hex(value: Any) -> bytes:
    if not isinstance(value, str) or not value:
        raise NotTested("missing")
    try:
        return bytes.fromhex(value)
    except ValueError as error:
        raise dcc.DccError("cose", f"the vector's hex is not hex: {error}") from error


def _clock(context: dict) -> dt.datetime:
    text = context.get("VALIDATIONCLOCK")
    if not text:
        raise NotTested("the vector has no VALIDATIONCLOCK")
    clock = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return clock if clock.tzinfo else clock.replace(tzinfo=dt.UTC)


def _signer(context: dict) -> x509.Certificate:
    text = context.get("CERTIFICATE")
    if not text:
        raise NotTested("the vector has no signer certificate")
    return x509.load_der_x509_certificate(base64.b64decode(text))


def qr_texts(data: bytes) -> list[str]:
    """Every QR text zxing-cpp finds in a picture; DccError when the bytes are not an image."""
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise dcc.DccError("picture", f"not an image: {error}") from error
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    return [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode) if r.text]


def _same(a: Any, b: Any) -> bool:
    return dcc.to_json(a) == dcc.to_json(b)


class Vector:
    """One test vector and the steps of its chain (each computed once)."""

    def __init__(self, data: dict):
        self.data = data
        self.context = data.get("TESTCTX") or {}

    def base45_text(self) -> str:
        if "BASE45" in self.data:
            return self.data["BASE45"]
        return dcc.unprefix(self.data["PREFIX"])

    def compressed(self) -> bytes:
        if self.data.get("COMPRESSED"):
            return _hex(self.data["COMPRESSED"])
        return dcc.b45decode(self.base45_text())

    def cose_bytes(self) -> bytes:
        if self.data.get("COSE"):
            return _hex(self.data["COSE"])
        return dcc.decompress(self.compressed())

    def cose(self) -> dcc.CoseSign1:
        return dcc.cose_parse(self.cose_bytes())

    def claims(self) -> dict:
        return dcc.cwt_claims(self.cose())

    def payload(self) -> dict:
        return dcc.hcert_payload(self.claims())

    # --- the checks: True when the step succeeds; DccError or a False return = the step fails ----------

    def picture_decode(self) -> bool:
        picture = self.data.get("2DCODE")
        if not picture:
            raise NotTested("the vector has no picture (2DCODE)")
        texts = qr_texts(base64.b64decode(picture))
        if not texts:
            raise dcc.DccError("prefix", "no QR code found in the picture")
        return self.data["PREFIX"] in texts

    def unprefix(self) -> bool:
        rest = dcc.unprefix(self.data["PREFIX"])
        return "BASE45" not in self.data or rest == self.data["BASE45"]

    def b45decode(self) -> bool:
        decoded = dcc.b45decode(self.base45_text())
        return not self.data.get("COMPRESSED") or decoded == _hex(self.data["COMPRESSED"])

    def compression(self) -> bool:
        inflated = dcc.decompress(self.compressed())
        return not self.data.get("COSE") or inflated == _hex(self.data["COSE"])

    def verify(self) -> bool:
        """The kid the message names (protected header first) is the signer's, and the signature holds."""
        signer = _signer(self.context)
        cose = self.cose()
        if cose.kid is not None and cose.kid != dcc.certificate_kid(signer):
            raise dcc.DccError("unknown_kid", f"kid {cose.kid.hex()} is not the signer certificate's")
        dcc.cose_verify(cose, signer.public_key())
        return True

    def decode(self) -> bool:
        claims = self.claims()
        payload = dcc.hcert_payload(claims)
        if not self.data.get("CBOR"):
            return bool(payload)  # nothing to compare with: decoding is the check
        expected = cbor2.loads(_hex(self.data["CBOR"]))
        return _same(payload, expected) or _same(claims, expected)

    def valid_json(self) -> bool:
        if "JSON" not in self.data:
            raise NotTested("the vector has no JSON")
        text = self.data["PREFIX"]
        cose = dcc.cose_parse(dcc.decompress(dcc.b45decode(dcc.unprefix(text))))
        return _same(dcc.hcert_payload(dcc.cwt_claims(cose)), self.data["JSON"])

    def schema(self) -> bool:
        errors = dcc.schema_errors(self._payload_or_json())
        if errors:
            raise dcc.DccError("schema", "; ".join(errors[:3]))
        return True

    def expiration(self) -> bool:
        dcc.check_time(self.claims(), now=_clock(self.context))
        return True

    def key_usage(self) -> bool:
        dcc.check_key_usage(_signer(self.context), self._payload_or_json())
        return True

    def valid_object(self) -> bool:
        if "JSON" not in self.data:
            raise NotTested("the vector has no JSON")
        value = self.data["JSON"]
        json.dumps(value)
        return isinstance(value, dict) and bool(value)

    def encode(self) -> bool:
        if "JSON" not in self.data:
            raise NotTested("the vector has no JSON")
        expected = cbor2.loads(_hex(self.data["CBOR"])) if self.data.get("CBOR") else self.payload()
        encoded = cbor2.loads(cbor2.dumps(self.data["JSON"]))
        if isinstance(expected, dict) and dcc.CWT_HCERT in expected:
            expected = dcc.hcert_payload(expected)
        return _same(encoded, expected)

    def _payload_or_json(self) -> dict:
        try:
            return self.payload()
        except (dcc.DccError, NotTested):
            if isinstance(self.data.get("JSON"), dict):
                return self.data["JSON"]
            raise


_RUNNERS: dict[str, Callable[[Vector], bool]] = {
    "EXPECTEDPICTUREDECODE": Vector.picture_decode,
    "EXPECTEDUNPREFIX": Vector.unprefix,
    "EXPECTEDB45DECODE": Vector.b45decode,
    "EXPECTEDCOMPRESSION": Vector.compression,
    "EXPECTEDVERIFY": Vector.verify,
    "EXPECTEDDECODE": Vector.decode,
    "EXPECTEDVALIDJSON": Vector.valid_json,
    "EXPECTEDSCHEMAVALIDATION": Vector.schema,
    "EXPECTEDEXPIRATIONCHECK": Vector.expiration,
    "EXPECTEDKEYUSAGE": Vector.key_usage,
    "EXPECTEDVALIDOBJECT": Vector.valid_object,
    "EXPECTEDENCODE": Vector.encode,
}


def run_check(vector: Vector, check: str) -> tuple[bool | None, str]:
    """(our verdict, why); verdict None when the vector cannot be tested for this check."""
    try:
        ok = _RUNNERS[check](vector)
    except NotTested as error:
        return None, str(error)
    except dcc.DccError as error:
        return False, f"{error.reason}: {error}"
    except (KeyError, TypeError, ValueError, binascii.Error, cbor2.CBORError) as error:
        return False, f"{type(error).__name__}: {error}"
    return ok, "succeeds" if ok else "the result differs from the vector's"


def vector_files(directory: Path) -> Iterator[Path]:
    yield from sorted(p for p in directory.rglob("*.json") if p.is_file())


def run(directory: Path) -> Report:
    report = Report()
    for path in vector_files(directory):
        name = path.relative_to(directory).as_posix()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            report.outcomes.append(Outcome(name, "(file)", True, False, f"not a JSON file: {error}"))
            continue
        if not isinstance(data, dict) or not isinstance(data.get("EXPECTEDRESULTS"), dict):
            continue
        report.files += 1
        vector = Vector(data)
        for check, expected in data["EXPECTEDRESULTS"].items():
            if check not in _RUNNERS:
                report.not_tested.append(Outcome(name, check, expected, None, "unknown check"))
                continue
            actual, reason = run_check(vector, check)
            outcome = Outcome(name, check, expected, actual, reason)
            (report.outcomes if actual is not None else report.not_tested).append(outcome)
    return report
