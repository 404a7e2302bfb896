"""The acceptance test: the EU's DCC test vectors, through `pccovid conformance dcc DIR`."""

import base64
import json
import re
import zlib
from pathlib import Path

import base45
import cbor2
import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.management import call_command

from pccovid.certificates import conformance
from pccovid.certificates.tests.factories import NOW, sign, signer, vaccination_payload
from pccovid.qr import render

REPO = Path(__file__).resolve().parents[4]
VECTORS = REPO / ".." / "shared" / "conformance" / "dcc"
DOC = REPO / "docs" / "interoperability.md"

FILES, CHECKS, AGREE = 318, 2995, 2964


def _run(capsys, *args) -> tuple[int, str]:
    try:
        call_command("conformance", *args)
    except SystemExit as exit_:
        return exit_.code, capsys.readouterr().out
    return 0, capsys.readouterr().out


@pytest.fixture(scope="module")
def vectors() -> Path:
    if not VECTORS.is_dir():
        pytest.skip(f"The EU test vectors are not at {VECTORS.resolve()} (../shared/conformance/dcc).")
    return VECTORS


def _documented() -> set[tuple[str, str, bool, bool]]:
    rows = re.findall(
        r"^\| `([^`]+)` \| (EXPECTED\w+) \| (true|false) \| (true|false) \|", DOC.read_text("utf-8"), re.M
    )
    return {(f, c, e == "true", a == "true") for f, c, e, a in rows}


def test_conformance_json(capsys, vectors):
    status, out = _run(capsys, "dcc", str(vectors), "--json")
    report = json.loads(out)
    assert (report["files"], report["checks"], report["agree"]) == (FILES, CHECKS, AGREE)
    assert len(report["disagree"]) == CHECKS - AGREE
    assert status == 1
    found = {(d["file"], d["check"], d["expected"], d["actual"]) for d in report["disagree"]}
    assert found == _documented(), (
        "every disagreement, and only those, is explained in docs/interoperability.md"
    )
    assert all(d["reason"] for d in report["disagree"])
    assert {n["check"] for n in report["not_tested"]} == {"EXPECTEDPICTUREDECODE"}


def test_conformance_text_output(capsys, vectors):
    status, out = _run(capsys, "dcc", str(vectors))
    lines = out.strip().splitlines()
    assert status == 1
    assert lines[-1] == f"{AGREE} passed, {CHECKS - AGREE} failed"
    assert sum(" expected " in line for line in lines) == CHECKS - AGREE


def test_a_folder_of_agreeing_vectors_exits_0(capsys, vectors, tmp_path):
    for name in ("AT/1.json", "common/CO20.json", "common/CO22.json"):
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((vectors / name).read_bytes())
    status, out = _run(capsys, "dcc", str(tmp_path))
    assert status == 0
    assert out.strip().splitlines()[-1].endswith("passed, 0 failed")


def test_unknown_keys_are_not_tested(capsys, vectors, tmp_path):
    data = json.loads((vectors / "AT" / "1.json").read_text("utf-8"))
    data["EXPECTEDRESULTS"] = {"EXPTECTEDEXPIRED": False, "EXPECTEDVERIFY": True}
    (tmp_path / "x.json").write_text(json.dumps(data), encoding="utf-8")
    status, out = _run(capsys, "dcc", str(tmp_path), "--json")
    report = json.loads(out)
    assert status == 0 and report["checks"] == 1 and report["agree"] == 1
    assert report["not_tested"] == [
        {"file": "x.json", "check": "EXPTECTEDEXPIRED", "reason": "unknown check"}
    ]


def test_missing_directory_is_a_usage_error(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No such directory"):
        call_command("conformance", "dcc", str(tmp_path / "absent"))


def test_our_own_certificate_as_a_vector_passes_every_check(capsys, tmp_path):
    """A certificate pccovid signs, written in the vectors' layout, agrees on all twelve checks."""
    key, certificate = signer(kinds=("v",))
    text = sign(vaccination_payload(), key, certificate)
    compressed = base45.b45decode(text[4:])
    cose = zlib.decompress(compressed)
    vector = {
        "JSON": vaccination_payload(),
        "CBOR": cbor2.dumps(vaccination_payload()).hex(),
        "COSE": cose.hex(),
        "COMPRESSED": compressed.hex(),
        "BASE45": text[4:],
        "PREFIX": text,
        "2DCODE": base64.b64encode(render.qr_png(text)).decode(),
        "TESTCTX": {
            "VERSION": 1,
            "SCHEMA": "1.3.0",
            "CERTIFICATE": base64.b64encode(certificate.public_bytes(Encoding.DER)).decode(),
            "VALIDATIONCLOCK": NOW.isoformat(),
            "DESCRIPTION": "VALID: VN vaccination, issued by pccovid",
        },
        "EXPECTEDRESULTS": dict.fromkeys(conformance.CHECKS, True),
    }
    (tmp_path / "VN").mkdir()
    (tmp_path / "VN" / "1.json").write_text(json.dumps(vector, ensure_ascii=False), encoding="utf-8")
    status, out = _run(capsys, "dcc", str(tmp_path), "--json")
    report = json.loads(out)
    assert (status, report["checks"], report["agree"], report["disagree"]) == (0, 12, 12, [])
