"""The keystore: keys on disk (never in the database), key ids, rotation with a grace period."""

import datetime as dt
import hashlib
import json
import stat

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from pccovid.core import clock, keys

PURPOSE = "personal-qr"


def test_first_use_creates_one_private_key_file_readable_by_the_owner_only(key_dir):
    key = keys.signing_key(PURPOSE)
    pem = key_dir / PURPOSE / f"{key.kid}.pem"
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    assert stat.S_IMODE((key_dir / PURPOSE).stat().st_mode) == 0o700
    assert pem.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    metadata = json.loads((key_dir / PURPOSE / "keys.json").read_text())
    assert [entry["kid"] for entry in metadata] == [key.kid]
    assert keys.signing_key(PURPOSE).kid == key.kid  # created once


def test_kid_is_the_first_8_bytes_of_sha256_of_the_der_public_key():
    key = keys.signing_key(PURPOSE)
    der = key.private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert key.kid == keys.b64url(hashlib.sha256(der).digest()[:8])
    assert len(key.kid) == 11


def test_purposes_are_separate_and_names_are_checked():
    assert keys.signing_key(PURPOSE).kid != keys.signing_key("release-certificate").kid
    with pytest.raises(ValueError):
        keys.signing_key("../etc")


def test_rotation_keeps_the_retired_key_verifying_during_its_grace_period():
    old = keys.signing_key(PURPOSE)
    new_kid = keys.key_rotate(PURPOSE, grace_days=30)
    assert keys.signing_key(PURPOSE).kid == new_kid != old.kid
    assert set(keys.public_keys(PURPOSE)) == {old.kid, new_kid}
    with clock.frozen(clock.now() + dt.timedelta(days=31)):
        assert set(keys.public_keys(PURPOSE)) == {new_kid}


def test_published_jwks_round_trips_and_a_wrong_kid_is_refused():
    key = keys.signing_key(PURPOSE)
    jwk = {"kid": key.kid, **keys.public_jwk(key.private_key.public_key())}
    found = keys.public_keys_from_jwks({"keys": [jwk]}, now=clock.now())
    signature = key.private_key.sign(b"message", ec.ECDSA(hashes.SHA256()))
    found[key.kid].verify(signature, b"message", ec.ECDSA(hashes.SHA256()))
    with pytest.raises(ValueError, match="does not match"):
        keys.public_keys_from_jwks({"keys": [{**jwk, "kid": "AAAAAAAAAAA"}]}, now=clock.now())


def test_a_rotation_by_another_process_is_seen(key_dir):
    kid = keys.signing_key(PURPOSE).kid
    metadata = key_dir / PURPOSE / "keys.json"
    entries = json.loads(metadata.read_text())
    entries[0]["retired_at"] = clock.now().isoformat()
    entries[0]["grace_until"] = (clock.now() - dt.timedelta(seconds=1)).isoformat()
    metadata.write_text(json.dumps(entries) + "\n" * 3)  # another size: a new stamp even on coarse clocks
    assert kid not in keys.public_keys(PURPOSE)
