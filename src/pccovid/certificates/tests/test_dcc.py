"""The DCC codec and verifier: round trip, every failure with its reason, PS256, kid placement."""

import datetime as dt
import zlib

import base45
import cbor2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from pccovid.certificates import dcc
from pccovid.certificates.tests.factories import NOW, sign, signer, vaccination_payload


@pytest.fixture(scope="module")
def dsc():
    return signer()


@pytest.fixture
def trust(dsc):
    _key, certificate = dsc
    return {dcc.certificate_kid(certificate): certificate}


def test_round_trip(dsc, trust):
    key, certificate = dsc
    text = sign(vaccination_payload(), key, certificate)
    assert text.startswith("HC1:")
    verdict = dcc.verify(text, trust_list=trust, now=NOW)
    assert verdict.valid, verdict.messages
    assert verdict.payload == vaccination_payload()
    assert verdict.decoded.issuer == "VN"
    assert verdict.kid == dcc.certificate_kid(certificate).hex()


def test_kid_is_in_the_protected_header(dsc):
    key, certificate = dsc
    decoded = dcc.decode(sign(vaccination_payload(), key, certificate))
    assert decoded.cose.protected == {1: dcc.ES256, 4: dcc.certificate_kid(certificate)}
    assert decoded.cose.unprotected == {}


def _rewrap(text: str, change) -> str:
    cose = cbor2.loads(zlib.decompress(base45.b45decode(text[4:])))
    items = list(cose.value)
    change(items)
    data = cbor2.dumps(cbor2.CBORTag(18, items))
    encoded = base45.b45encode(zlib.compress(data))
    return "HC1:" + (encoded.decode() if isinstance(encoded, bytes) else encoded)


def test_tampered_payload_is_a_bad_signature(dsc, trust):
    key, certificate = dsc
    text = sign(vaccination_payload(), key, certificate)

    def change(items):
        claims = cbor2.loads(items[2])
        claims[-260][1]["dob"] = "1991-05-17"
        items[2] = cbor2.dumps(claims)

    verdict = dcc.verify(_rewrap(text, change), trust_list=trust, now=NOW)
    assert not verdict.valid and verdict.reasons == ["bad_signature"]


def test_kid_in_the_unprotected_header_is_accepted(dsc, trust):
    key, certificate = dsc
    kid = dcc.certificate_kid(certificate)
    protected = cbor2.dumps({1: dcc.ES256})
    body = cbor2.dumps(
        {
            1: "VN",
            6: int(NOW.timestamp()) - 10,
            4: int(NOW.timestamp()) + 10,
            -260: {1: vaccination_payload()},
        }
    )
    cose = dcc.CoseSign1(protected, {1: dcc.ES256}, {}, body, b"")
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    r, s = decode_dss_signature(key.sign(cose.to_be_signed(), ec.ECDSA(hashes.SHA256())))
    data = cbor2.dumps(
        cbor2.CBORTag(18, [protected, {4: kid}, body, r.to_bytes(32, "big") + s.to_bytes(32, "big")])
    )
    text = "HC1:" + dcc.b45encode(zlib.compress(data))
    verdict = dcc.verify(text, trust_list=trust, now=NOW)
    assert verdict.valid, verdict.messages


def test_ps256_verifies():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    protected = cbor2.dumps({1: dcc.PS256, 4: b"12345678"})
    header = {1: dcc.PS256, 4: b"12345678"}
    cose = dcc.CoseSign1(protected, header, {}, cbor2.dumps({1: "X"}), b"")
    signature = key.sign(
        cose.to_be_signed(), padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256()
    )
    dcc.cose_verify(dcc.CoseSign1(protected, header, {}, cose.payload, signature), key.public_key())
    with pytest.raises(dcc.DccError) as error:
        dcc.cose_verify(
            dcc.CoseSign1(protected, header, {}, cbor2.dumps({1: "Y"}), signature), key.public_key()
        )
    assert error.value.reason == "bad_signature"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("HC2:6BF", "prefix"),
        ("HC1:abc~", "base45"),
        ("HC1:" + dcc.b45encode(b"not zlib"), "zlib"),
        ("HC1:" + dcc.b45encode(zlib.compress(b"\xff\xff")), "cose"),
        ("HC1:" + dcc.b45encode(zlib.compress(cbor2.dumps([1, 2]))), "cose"),
        (
            "HC1:"
            + dcc.b45encode(
                zlib.compress(cbor2.dumps(cbor2.CBORTag(18, [b"", {}, cbor2.dumps({1: "X"}), b""])))
            ),
            "cwt",
        ),
    ],
)
def test_malformed_texts_say_which_step_failed(text, reason, trust):
    verdict = dcc.verify(text, trust_list=trust, now=NOW)
    assert not verdict.valid and verdict.reasons == [reason]
    assert verdict.messages[0].startswith(dcc.REASONS[reason])


def test_unknown_kid(dsc):
    key, certificate = dsc
    verdict = dcc.verify(sign(vaccination_payload(), key, certificate), trust_list={}, now=NOW)
    assert verdict.reasons == ["unknown_kid"]


def test_expired_and_not_yet_valid(dsc, trust):
    key, certificate = dsc
    text = sign(vaccination_payload(), key, certificate, issued_at=NOW, expires_at=NOW + dt.timedelta(days=1))
    assert dcc.verify(text, trust_list=trust, now=NOW + dt.timedelta(days=2)).reasons == ["expired"]
    assert dcc.verify(text, trust_list=trust, now=NOW - dt.timedelta(hours=1)).reasons == ["not_yet_valid"]
    assert dcc.verify(text, trust_list=trust, now=NOW + dt.timedelta(hours=1)).valid


def test_schema_invalid_payload(dsc, trust):
    key, certificate = dsc
    payload = vaccination_payload(dn=0)
    payload["nam"]["fnt"] = "nguyen"
    verdict = dcc.verify(sign(payload, key, certificate), trust_list=trust, now=NOW)
    assert verdict.reasons == ["schema"]
    errors = dcc.schema_errors(payload)
    assert any(e.startswith("nam/fnt") for e in errors) and any(e.startswith("v/0/dn") for e in errors)


def test_schema_accepts_earlier_versions_with_several_entries():
    payload = vaccination_payload()
    payload["v"].append(dict(payload["v"][0], dn=1))
    assert dcc.schema_errors(payload)  # 1.3.0: one entry only
    payload["ver"] = "1.0.0"
    assert dcc.schema_errors(payload) == []


def test_key_usage(trust):
    key, test_only = signer(kinds=("t",))
    verdict = dcc.verify(
        sign(vaccination_payload(), key, test_only),
        trust_list={dcc.certificate_kid(test_only): test_only},
        now=NOW,
    )
    assert verdict.reasons == ["key_usage"]
    key, no_eku = signer(kinds=())
    assert dcc.allowed_kinds(no_eku) == {"v", "t", "r"}
    assert dcc.extended_key_usage(no_eku) is None


def test_revoked(dsc, trust):
    key, certificate = dsc
    text = sign(vaccination_payload(), key, certificate)
    revoked = {dcc.revocation_hash("URN:UVCI:01:VN:ABCDEF1234567890#K")}
    assert dcc.verify(text, trust_list=trust, now=NOW, revoked=revoked).reasons == ["revoked"]


def test_signer_certificate_expired_at_issue():
    key, certificate = signer(not_before=NOW - dt.timedelta(days=30), not_after=NOW - dt.timedelta(days=10))
    text = sign(vaccination_payload(), key, certificate)
    verdict = dcc.verify(text, trust_list={dcc.certificate_kid(certificate): certificate}, now=NOW)
    assert verdict.reasons == ["signer_expired"]


def test_certificate_kid_is_sha256_of_der(dsc):
    import hashlib

    from cryptography.hazmat.primitives.serialization import Encoding

    _key, certificate = dsc
    assert (
        dcc.certificate_kid(certificate)
        == hashlib.sha256(certificate.public_bytes(Encoding.DER)).digest()[:8]
    )
    country = certificate.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0]
    assert isinstance(country, x509.NameAttribute)


def test_an_independent_cose_library_verifies_our_certificates(dsc):
    """pycose (not our code) reads the COSE_Sign1 we write and checks its ES256 signature."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    from pycose.keys import EC2Key
    from pycose.messages import Sign1Message

    key, certificate = dsc
    text = sign(vaccination_payload(), key, certificate)
    tagged = cbor2.loads(zlib.decompress(base45.b45decode(text[4:])))
    assert tagged.tag == 18
    # pycose 1.1's own decode() expects cbor2 < 6 (arrays as lists, maps as dicts): hand it the array.
    protected, unprotected, payload, signature = tagged.value
    message = Sign1Message.from_cose_obj([protected, dict(unprotected), payload, signature], True)
    pem = certificate.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    message.key = EC2Key.from_pem_public_key(pem.decode("ascii"))
    assert message.verify_signature()
    assert cbor2.loads(message.payload)[-260][1] == vaccination_payload()


def test_a_zip_bomb_is_refused():
    with pytest.raises(dcc.DccError, match="inflates past"):
        dcc.decompress(zlib.compress(b"\0" * (dcc.MAX_INFLATED + 1)))
    with pytest.raises(dcc.DccError) as error:
        dcc.decompress(zlib.compress(b"certificate")[:-3])
    assert error.value.reason == "zlib"
