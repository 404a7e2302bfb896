"""`pccovid verify-qr` (offline, with a downloaded key set) and `pccovid keys_rotate`."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pccovid.core import keys
from pccovid.qr import render, selectors


@pytest.fixture
def key_set_file(tmp_path, an_code):
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(selectors.public_key_set()), encoding="utf-8")
    return path


def _verify(capsys, *args) -> tuple[int, str]:
    try:
        call_command("verify_qr", *args)
    except SystemExit as exit_:
        return exit_.code, capsys.readouterr().out
    return 0, capsys.readouterr().out


def test_valid_code_with_a_downloaded_key_set(capsys, an_code, key_set_file):
    status, out = _verify(capsys, an_code, "--keys", str(key_set_file))
    assert status == 0
    assert "kind: personal" in out and "signature: valid" in out and "reason: -" in out
    assert "full_name: NGUYEN VAN AN" in out


def test_tampered_code_exits_1(capsys, an_code, key_set_file):
    status, out = _verify(capsys, an_code.replace("1990-05-17", "1990-05-18"), "--keys", str(key_set_file))
    assert status == 1 and "reason: bad_signature" in out


def test_a_key_set_without_the_signing_key_is_unknown_key(capsys, an_code, tmp_path):
    other = keys.signing_key("release-certificate")
    path = tmp_path / "other.json"
    path.write_text(
        json.dumps({"keys": [{"kid": other.kid, **keys.public_jwk(other.private_key.public_key())}]})
    )
    status, out = _verify(capsys, an_code, "--keys", str(path))
    assert status == 1 and "reason: unknown_key" in out


def test_image_path_and_json_output(capsys, an_code, key_set_file, tmp_path):
    image = tmp_path / "code.png"
    image.write_bytes(render.qr_png(an_code))
    status, out = _verify(capsys, str(image), "--keys", str(key_set_file), "--json")
    assert status == 0
    assert json.loads(out)["signature"] == "valid"


def test_an_image_with_no_code_and_garbage_text_exit_1(capsys, blank_png, tmp_path, key_set_file):
    image = tmp_path / "blank.png"
    image.write_bytes(blank_png)
    assert _verify(capsys, str(image), "--keys", str(key_set_file))[0] == 1
    status, out = _verify(capsys, "garbage", "--keys", str(key_set_file))
    assert status == 1 and "kind: unknown" in out and "reason: malformed" in out


def test_unsigned_code_and_the_local_keystore_exit_0(capsys, an_code):
    assert _verify(capsys, an_code)[0] == 0
    assert _verify(capsys, "079090001234|NGUYEN VAN AN|1990-05-17|0|QID|")[0] == 0


def test_usage_errors_exit_2(an_code, tmp_path):
    with pytest.raises(CommandError) as error:
        call_command("verify_qr", an_code, "--keys", str(tmp_path / "missing.json"))
    assert error.value.returncode == 2
    (tmp_path / "bad.json").write_text('{"keys": [{"kty": "RSA"}]}')
    with pytest.raises(CommandError) as error:
        call_command("verify_qr", an_code, "--keys", str(tmp_path / "bad.json"))
    assert error.value.returncode == 2
    with pytest.raises(CommandError) as error:
        call_command("verify_qr", str(tmp_path / "missing.png"))
    assert error.value.returncode == 2


def test_keys_rotate_prints_the_new_kid(capsys):
    old = keys.signing_key(selectors.KEY_PURPOSE).kid
    call_command("keys_rotate", "--purpose", "personal-qr")
    new = capsys.readouterr().out.strip()
    assert new == keys.signing_key(selectors.KEY_PURPOSE).kid != old
    with pytest.raises(CommandError):
        call_command("keys_rotate", "--purpose", "../x")
