import datetime as dt

import pytest

from pccovid.identity.validators import (
    IdentityError,
    check_cccd,
    check_cmnd,
    check_passport,
    check_social_insurance,
    normalise_phone,
    social_insurance_of_card,
)


@pytest.mark.parametrize(
    ("cccd", "sex", "born"),
    [
        ("079090001234", "M", dt.date(1990, 5, 17)),  # 0 = male, 1900s
        ("001185004321", "F", dt.date(1985, 2, 1)),  # 1 = female, 1900s
        ("048205000001", "M", dt.date(2005, 1, 1)),  # 2 = male, 2000s
        ("096321000009", "F", dt.date(2021, 12, 31)),  # 3 = female, 2000s
        ("079 090 001 234", "M", dt.date(1990, 1, 1)),  # spaces are fine
    ],
)
def test_cccd_that_agrees_with_sex_and_birth_year_is_accepted(cccd, sex, born):
    assert check_cccd(cccd, sex=sex, birth_date=born) == cccd.replace(" ", "")


@pytest.mark.parametrize(
    ("cccd", "sex", "born", "says"),
    [
        ("07909000123", "M", dt.date(1990, 1, 1), "exactly 12 digits"),
        ("07909000123A", "M", dt.date(1990, 1, 1), "exactly 12 digits"),
        ("003090001234", "M", dt.date(1990, 1, 1), "003 is not one"),  # 003 is no province code
        ("079190001234", "M", dt.date(1990, 1, 1), "stated sex is male"),  # digit 4 says female
        ("079090001234", "M", dt.date(1991, 1, 1), "stated birth year is 1991"),
        ("079290001234", "M", dt.date(1990, 1, 1), "in the 2000s"),  # 2 = born 2000-2099
    ],
)
def test_cccd_that_contradicts_the_person_is_rejected_saying_which_part(cccd, sex, born, says):
    with pytest.raises(IdentityError) as error:
        check_cccd(cccd, sex=sex, birth_date=born)
    assert says in error.value.message
    assert error.value.field == "national_id"


def test_cmnd_has_nine_digits():
    assert check_cmnd("025 123 456") == "025123456"
    for bad in ("02512345", "0251234567", "02512345x", ""):
        with pytest.raises(IdentityError, match="9 digits"):
            check_cmnd(bad)


def test_social_insurance_number_has_ten_digits():
    assert check_social_insurance(" 0123 456 789 ") == "0123456789"
    for bad in ("012345678", "01234567890", "", "HS4790123456789"):
        with pytest.raises(IdentityError, match="exactly 10 digits"):
            check_social_insurance(bad)


@pytest.mark.parametrize(
    ("card", "number"),
    [("HS4790123456789", "0123456789"), (" gd4010123456789 ", "0123456789"), ("HS6790123456789", None),
     ("HS479012345678", None), ("0123456789", None), ("", None)],
)  # fmt: skip
def test_a_health_insurance_card_ends_with_its_holders_social_insurance_number(card, number):
    assert social_insurance_of_card(card) == number


def test_passport_letters_and_digits():
    assert check_passport("c1234567") == "C1234567"
    with pytest.raises(IdentityError):
        check_passport("C-12")


@pytest.mark.parametrize(
    "raw",
    [
        "0903123456",
        "0903 123 456",
        "090.312.3456",
        "+84 903 123 456",
        "84903123456",
        "0084903123456",
        "(+84) 903-123-456",
    ],
)
def test_every_common_form_of_a_mobile_number_normalises_to_one_e164(raw):
    assert normalise_phone(raw) == "+84903123456"


def test_old_eleven_digit_mobile_prefix_is_renumbered():
    assert normalise_phone("01683123456") == "+84383123456"
    assert normalise_phone("+84 168 312 3456") == "+84383123456"


def test_landline_is_a_phone_but_not_a_mobile():
    assert normalise_phone("028 3829 1234") == "+842838291234"
    with pytest.raises(IdentityError, match="mobile"):
        normalise_phone("028 3829 1234", mobile_only=True)


@pytest.mark.parametrize("bad", ["", "12345", "0903abc456", "+1 415 555 0100", "09031234567", "0103123456"])
def test_bad_phones_are_rejected(bad):
    with pytest.raises(IdentityError):
        normalise_phone(bad)
