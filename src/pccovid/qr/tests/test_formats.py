"""The texts a scanner meets: the national personal format (signed and unsigned), the CCCD card, the
health insurance card and the venue code; and garbage, which is "unknown"/"malformed", never an error."""

import datetime as dt
import random

import pytest

from pccovid.core import clock, keys
from pccovid.qr import formats

NOW = dt.datetime(2021, 10, 1, 8, 0, tzinfo=dt.UTC)
FIELDS = formats.PersonalFields(
    document_number="079090001234",
    full_name="Nguyễn  Văn An",
    birth_date=dt.date(1990, 5, 17),
    qid="7K3M9Q2WXH4T",
    sex="1",
    health_insurance="HS4790123456789",
    phone="+84903123456",
)


@pytest.fixture
def key() -> keys.SigningKey:
    return keys.signing_key("personal-qr")


def _signed(key: keys.SigningKey, fields: formats.PersonalFields = FIELDS, days: int = 30) -> str:
    text = formats.personal_unsigned_text(fields)
    return formats.personal_sign(text, key=key, expires_at=NOW + dt.timedelta(days=days))


def _parse(text: str, key: keys.SigningKey | None = None, now: dt.datetime = NOW) -> formats.ScannedCode:
    public = {key.kid: key.private_key.public_key()} if key else None
    return formats.parse_scanned(text, public_keys=public, now=now)


def test_national_format_fields_in_order(key):
    text = _signed(key)
    national, ext = text.split("|")[:5], text.split("|")[5].split("<")
    assert national == ["079090001234", "NGUYEN VAN AN", "1990-05-17", "0", "7K3M9Q2WXH4T"]
    assert ext[:4] == ["", "1", "HS4790123456789", "+84903123456"]
    signature = ext[4].split(".")
    assert signature[:3] == ["S1", key.kid, str(int((NOW + dt.timedelta(days=30)).timestamp()))]
    assert len(keys.b64url_decode(signature[3])) == 64


def test_names_are_upper_case_without_diacritics_and_separators():
    assert formats.national_name("  Đặng thị  Ánh ") == "DANG THI ANH"
    assert formats.national_name("H'Hen Niê") == "H'HEN NIE"
    assert formats.national_name("A|B<C") == "A B C"


def test_signed_personal_code_is_valid_with_its_key(key):
    code = _parse(_signed(key), key)
    assert (code.kind, code.signature, code.reason) == ("personal", "valid", None)
    assert code.fields["full_name"] == "NGUYEN VAN AN" and code.fields["birth_date"] == "1990-05-17"
    assert code.fields["qid"] == "7K3M9Q2WXH4T" and code.fields["declared_on_behalf"] is False
    assert code.fields["health_insurance"] == "HS4790123456789" and code.fields["kid"] == key.kid
    assert code.accepted


def test_proxy_declaration_sets_loaidinhdanh_1(key):
    text = _signed(key, formats.PersonalFields(**{**FIELDS.__dict__, "proxy_qid": "PROXY0000001"}))
    assert text.split("|")[3] == "1"
    assert _parse(text, key).fields["proxy_qid"] == "PROXY0000001"


@pytest.mark.parametrize(
    "text",
    [
        "079090001234|NGUYEN VAN AN|1990-05-17|0|7K3M9Q2WXH4T|",
        "079090001234|NGUYEN VAN AN|1990-05-17|0|7K3M9Q2WXH4T",
        "B1234567|NGUYEN VAN AN|1990-05-17|1|OTHERAPP-QID|PROXY1<1<<0903123456",
    ],
)
def test_codes_without_a_signature_parse_as_unsigned(text):
    code = _parse(text)
    assert (code.kind, code.signature, code.reason) == ("personal", "unsigned", None)
    assert code.fields["document_number"] == text.split("|")[0]


def test_tampered_field_is_a_bad_signature(key):
    forged = _signed(key).replace("1990-05-17", "1991-05-17")
    code = _parse(forged, key)
    assert (code.kind, code.signature, code.reason) == ("personal", "invalid", "bad_signature")


def test_moving_the_expiry_is_a_bad_signature(key):
    text = _signed(key, days=1)
    expiry = text.split(".")[2]
    code = _parse(text.replace(f".{expiry}.", f".{int(expiry) + 86400 * 365}."), key)
    assert code.reason == "bad_signature"


def test_signature_from_another_key_under_a_known_kid_is_bad(key):
    other = keys.SigningKey(key.kid, keys.signing_key("release-certificate").private_key)
    assert _parse(_signed(other), key).reason == "bad_signature"


def test_unknown_kid_and_missing_key_set_are_unknown_key(key):
    text = _signed(keys.signing_key("release-certificate"))
    assert _parse(text, key).reason == "unknown_key"
    assert _parse(_signed(key), None).reason == "unknown_key"


def test_expired_code(key):
    text = _signed(key, days=30)
    assert _parse(text, key, now=NOW + dt.timedelta(days=29, hours=23)).reason is None
    code = _parse(text, key, now=NOW + dt.timedelta(days=30))
    assert (code.signature, code.reason) == ("invalid", "expired")
    assert "2021-10-31" in code.message


def test_damaged_signature_field_is_malformed_personal(key):
    text = _signed(key)
    code = _parse(text[:-5], key)
    assert (code.kind, code.signature, code.reason) == ("personal", "invalid", "malformed")


def test_cccd_card():
    text = "079090001234|023456789|Nguyễn Văn An|17051990|Nam|12 Lê Lợi, Bến Thành, TP. Hồ Chí Minh|10072021"
    code = _parse(text)
    assert (code.kind, code.signature, code.reason) == ("cccd_card", "not_applicable", None)
    assert code.fields == {
        "cccd": "079090001234",
        "cmnd": "023456789",
        "full_name": "Nguyễn Văn An",
        "birth_date": "1990-05-17",
        "sex": "M",
        "address": "12 Lê Lợi, Bến Thành, TP. Hồ Chí Minh",
        "issue_date": "2021-07-10",
    }
    assert _parse("001301009999||Lê Minh Chi|09092001|Nữ|Hoàn Kiếm, Hà Nội|01052021").fields["cmnd"] is None


def test_health_insurance_card():
    name, address = "Nguyễn Văn An".encode().hex(), "12 Lê Lợi, Bến Thành".encode().hex()
    text = f"HS4790123456789|{name}|17/05/1990|1|{address}|79 - 001|01/01/2021|-|15/12/2020|79HS|-|4|$"
    code = _parse(text)
    assert (code.kind, code.signature, code.reason) == ("health_insurance", "not_applicable", None)
    assert code.fields["card_number"] == "HS4790123456789"
    assert code.fields["beneficiary_code"] == "HS" and code.fields["benefit_level"] == "4"
    assert code.fields["province_code"] == "79" and code.fields["social_insurance_number"] == "0123456789"
    assert code.fields["full_name"] == "Nguyễn Văn An" and code.fields["address"] == "12 Lê Lợi, Bến Thành"
    assert code.fields["birth_date"] == "1990-05-17" and code.fields["sex"] == "M"
    assert code.fields["primary_care_facility"] == "79 - 001" and code.fields["valid_from"] == "2021-01-01"


def test_health_insurance_card_with_only_the_social_insurance_number():
    code = _parse("7912345678|4c65|1985|2|-|$")
    assert code.kind == "health_insurance"
    assert code.fields["social_insurance_number"] == "7912345678" and code.fields["beneficiary_code"] is None
    assert (
        code.fields["birth_date"] == "1985" and code.fields["sex"] == "F" and code.fields["address"] is None
    )


def test_venue_code():
    text = formats.venue_qr_text(venue_code="BT0001", token="t" * 22)
    code = _parse(text)
    assert (code.kind, code.signature, code.reason) == ("venue", "not_applicable", None)
    assert code.fields == {"venue_code": "BT0001", "token": "t" * 22}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "hello",
        "|||||",
        "a|b|c|d|e|f",
        "PCV|VENUE|bad",
        "079090001234|NGUYEN VAN AN|1990-02-30|0|QID|",
        "079090001234|NGUYEN VAN AN|1990-05-17|2|QID|",
        "079090001234||Nguyễn Văn An|17051990|Nam|addr|",
        "https://example.org/?q=1",
        "x" * 5000,
        "\x00\x01|\ud800",
        "079090001234|NGUYEN \ud800|1990-05-17|0|QID|<<<<S1.AAAAAAAAAAA.1." + "A" * 86,
    ],
)
def test_garbage_is_unknown_and_malformed(text):
    code = _parse(text)
    assert (code.kind, code.signature, code.reason) == ("unknown", "not_applicable", "malformed")
    assert code.message and not code.accepted


def test_mutated_codes_never_raise(key):
    """Every byte-level damage of real codes gives a verdict, never an exception."""
    seeds = [
        _signed(key),
        "079090001234||Nguyễn Văn An|17051990|Nam|addr|10072021",
        "PCV|VENUE|BT0001|" + "t" * 20,
    ]
    alphabet = "|<.-_0123456789AZaz/$ Ữ\x00"
    rng = random.Random(1405)
    for _ in range(3000):
        text = list(rng.choice(seeds))
        for _ in range(rng.randint(1, 4)):
            position = rng.randrange(len(text))
            match rng.randint(0, 2):
                case 0:
                    text[position] = rng.choice(alphabet)
                case 1:
                    del text[position]
                case 2:
                    text.insert(position, rng.choice(alphabet))
        code = _parse("".join(text), key, now=clock.now())
        assert code.kind in {"personal", "cccd_card", "health_insurance", "venue", "unknown"}
