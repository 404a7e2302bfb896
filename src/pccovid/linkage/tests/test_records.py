"""The cleaning a CSV row gets before Splink compares it."""

import pytest

from pccovid.linkage.records import birth_date_parse, id_number_key, phone_key, record_standardise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1990-03-04", ("1990-03-04", "1990-04-03", 1990)),
        ("04/03/1990", ("1990-03-04", "1990-04-03", 1990)),  # day first
        ("4.3.1990", ("1990-03-04", "1990-04-03", 1990)),
        ("25/03/1990", ("1990-03-25", None, 1990)),  # no swapped reading exists
        ("03/25/1990", ("1990-03-25", None, 1990)),  # only the month-first reading exists
        ("05/05/1990", ("1990-05-05", None, 1990)),  # swapping changes nothing
        ("1990", (None, None, 1990)),
        ("31/02/1990", (None, None, None)),  # an impossible date is no evidence of its year either
        ("19900304", ("1990-03-04", "1990-04-03", 1990)),  # yyyymmdd (FEBRL, database exports)
        ("1990-03-04 00:00:00", ("1990-03-04", "1990-04-03", 1990)),
        ("01/01/2999", (None, None, None)),  # in the future
        ("not a date", (None, None, None)),
        ("", (None, None, None)),
    ],
)
def test_birth_dates(raw, expected):
    assert birth_date_parse(raw) == expected


def test_phones_to_e164_and_foreign_numbers_to_digits():
    assert phone_key("0168 123 4567") == "+84381234567"  # 2018 renumbering
    assert phone_key("+44 20 7946 0958") == "442079460958"
    assert phone_key("") is None
    assert phone_key("0903 123 456 / 0912 345 678") == "+84903123456"  # the first of several


def test_names_fold_and_keep_family_name_first():
    columns = {"id": "i", "full_name": "n", "sex": "s"}
    record = record_standardise({"i": "7", "n": "  đặng  thị ÁNH ", "s": "Nữ"}, columns)
    assert record["name"] == "Đặng Thị Ánh"
    assert (record["name_fold"], record["surname"], record["given"]) == ("dang thi anh", "dang", "anh")
    assert record["name_sorted"] == "anh dang thi"
    assert record["sex"] == "f"


def test_names_typed_without_the_input_method_are_repaired():
    record = record_standardise({"i": "1", "n": "Nguyeenx Vawn An"}, {"id": "i", "full_name": "n"})
    assert (record["name"], record["name_fold"]) == ("Nguyễn Văn An", "nguyen van an")


def test_separate_name_columns_build_a_family_first_name():
    columns = {"id": "i", "first_name": "g", "last_name": "f"}
    record = record_standardise({"i": "1", "g": "Văn An", "f": "Nguyễn"}, columns)
    assert (record["name"], record["surname"], record["given"]) == ("Nguyễn Văn An", "nguyen", "van an")
    assert record["dob"] is None and record["phone"] is None and record["unit"] is None


def test_identifiers_keep_letters_and_digits_and_an_address_joins_its_columns():
    assert id_number_key(" 012 345-678 ") == "012345678"
    assert id_number_key("dn 4791234567") == "DN4791234567"
    assert id_number_key("") is None
    columns = {"id": "i", "id_number": "n", "address": ("no", "street")}
    record = record_standardise({"i": "1", "n": "0123", "no": "12", "street": " Ngõ Huế "}, columns)
    assert (record["id_number"], record["address"]) == ("0123", "12 ngo hue")
    assert record_standardise({"i": "2", "no": "", "street": ""}, columns)["address"] is None
