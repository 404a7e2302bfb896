import datetime as dt

import pytest

from pccovid.core import keys
from pccovid.quarantine import certificate

NOW = dt.datetime(2022, 1, 2, 3, 0, tzinfo=dt.UTC)
FIELDS = certificate.ReleaseFields(
    qid="0123456789AB",
    full_name="Nguyễn Thị Ánh | Đào",
    birth_date=dt.date(1990, 5, 17),
    kind="quarantine",
    starts_on=dt.date(2021, 12, 20),
    ends_on=dt.date(2022, 1, 2),
    released_at=NOW,
    rules="quarantine.contact@2021.12",
)


@pytest.fixture
def signed(key_dir):
    return certificate.release_sign(FIELDS, key=keys.signing_key(certificate.KEY_PURPOSE))


def _verify(text: str, now: dt.datetime = NOW):
    return certificate.release_verify(text, keys.public_keys(certificate.KEY_PURPOSE), now)


def test_a_signed_certificate_verifies_with_its_contents(signed):
    verdict = _verify(signed)
    assert verdict.status == "valid"
    assert verdict.fields["full_name"] == "NGUYEN THI ANH DAO"
    assert (verdict.fields["kind"], verdict.fields["starts_on"], verdict.fields["ends_on"]) == (
        "quarantine",
        "2021-12-20",
        "2022-01-02",
    )
    assert verdict.fields["released_at"] == NOW.isoformat()


@pytest.mark.parametrize(
    ("old", "new"),
    [("|Q|", "|I|"), ("2022-01-02", "2022-01-09"), ("NGUYEN", "NGUYEM"), ("0123456789AB", "0123456789AC")],
)
def test_a_tampered_certificate_fails(signed, old, new):
    assert _verify(signed.replace(old, new, 1)).status == "invalid_signature"


def test_a_signature_flip_fails_and_an_unknown_key_is_named(signed):
    body, signature = signed.rsplit(".", 1)
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    assert _verify(f"{body}.{flipped}").status in {"invalid_signature", "malformed"}
    assert certificate.release_verify(signed, {}, NOW).status == "unknown_key"


BAD_DATE = (
    "PCQR1|0123456789AB|A|1990-02-30|Q|2021-12-20|2022-01-02|1|quarantine.contact@2021.12|S1.AAAAAAAAAAA."
    + "A" * 86
)


@pytest.mark.parametrize(
    "text", ["", "garbage", "PCQR1|", "PCQR1|" + "A|" * 20, "x" * 5000, BAD_DATE, "\x00\ud800"]
)
def test_garbage_is_malformed_and_never_raises(key_dir, text):
    assert _verify(text).status == "malformed"


def test_every_single_character_mutation_is_refused(signed):
    for position in range(0, len(signed), 7):
        char = signed[position]
        mutated = signed[:position] + ("B" if char != "B" else "C") + signed[position + 1 :]
        assert _verify(mutated).status != "valid", position
