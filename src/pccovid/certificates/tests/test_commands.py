"""`pccovid verify-dcc` offline with a saved trust list, from text and from a picture."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pccovid.certificates import dcc, selectors, services
from pccovid.certificates.tests.conftest import NOW
from pccovid.core import clock
from pccovid.qr import render


@pytest.fixture(autouse=True)
def frozen():
    with clock.frozen(NOW):
        yield


def _verify(capsys, *args) -> tuple[int, str]:
    try:
        call_command("verify_dcc", *args)
    except SystemExit as exit_:
        return exit_.code, capsys.readouterr().out
    return 0, capsys.readouterr().out


@pytest.fixture
def certificate(an_vaccinated):
    return services.my_vaccination_certificate(person=an_vaccinated)


@pytest.fixture
def trust_file(tmp_path, certificate):
    path = tmp_path / "trust.json"
    path.write_text(json.dumps(selectors.trust_list()), encoding="utf-8")
    return path


def test_valid_with_a_saved_trust_list(capsys, certificate, trust_file):
    status, out = _verify(capsys, certificate.text, "--trust-list", str(trust_file))
    assert status == 0 and "verdict: valid" in out and certificate.uvci in out


def test_revoked_with_a_saved_revocation_list(capsys, certificate, trust_file, tmp_path):
    revocations = tmp_path / "revocations.json"
    revocations.write_text(json.dumps({"hashes": [dcc.revocation_hash(certificate.uvci)]}), encoding="utf-8")
    status, out = _verify(
        capsys, certificate.text, "--trust-list", str(trust_file), "--revocations", str(revocations), "--json"
    )
    assert status == 1 and json.loads(out)["reasons"] == ["revoked"]


def test_from_a_picture_with_the_keystore(capsys, certificate, tmp_path):
    path = tmp_path / "code.png"
    path.write_bytes(render.qr_png(certificate.text))
    status, out = _verify(capsys, str(path))
    assert status == 0 and "verdict: valid" in out


def test_tampered_text_exits_1(capsys, certificate, trust_file):
    status, out = _verify(capsys, certificate.text[:-4] + "0000", "--trust-list", str(trust_file))
    assert status == 1 and "verdict: not valid" in out and "reason:" in out


def test_unreadable_trust_list_is_a_usage_error(certificate, tmp_path):
    with pytest.raises(CommandError, match="Cannot read the trust list"):
        call_command("verify_dcc", certificate.text, "--trust-list", str(tmp_path / "absent.json"))


def test_at_checks_validity_at_another_instant(capsys, certificate, trust_file):
    status, out = _verify(
        capsys, certificate.text, "--trust-list", str(trust_file), "--at", "2030-01-01T00:00:00Z"
    )
    assert status == 1 and "reason: expired" in out
