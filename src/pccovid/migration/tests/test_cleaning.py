"""Cleaning rules: each with good and bad inputs, including the faults the legacy sources really had."""

import datetime as dt
import unicodedata

import pytest

from pccovid.core import clock
from pccovid.geography import services as geo_services
from pccovid.geography.models import AdminUnit, Edition, Level, UnitSuccession
from pccovid.migration.cleaning import (
    AddressIndex,
    clean_address,
    clean_birth_date,
    clean_id,
    clean_name,
    clean_phone,
    street_key,
)
from pccovid.testkit import make_unit

# ---------------------------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("Nguyeenx Vaawn An", "Nguyễn Văn An"),
        ("Truwowngf Thij Huwowng", "Trường Thị Hương"),
        ("DDinh Quang Huy", "Đinh Quang Huy"),
        ("DDuwcs", "Đức"),
        ("Phamj Thuyr", "Phạm Thủy"),
        ("Lee Tuaans", "Lê Tuấn"),
        ("le thi hoaf", "Le Thi Hòa"),
        ("Nguye^~n Va(n An", "Nguyễn Văn An"),
        ("Nguye^n Thi. Ho^`ng", "Nguyên Thi. Hồng"),
        ("Nguye6n4 Va8n An", "Nguyễn Văn An"),
        ("Tra62n Quo61c Toa3n", "Trần Quốc Toản"),
        ("d9a85ng", "Đặng"),
    ],
)
def test_typing_leftovers_are_repaired_and_flagged(raw, value):
    cleaned = clean_name(raw)
    assert cleaned.value == value
    assert "telex_repaired" in cleaned.flags


@pytest.mark.parametrize(
    "raw",
    ["Nguyen Van An", "Ross Taylor", "Thuy", "Giang Thi Hoa", "Quang", "Nguyễn Văn An", "Ngô Bảo Châu"],
)
def test_words_without_typing_leftovers_are_left_alone(raw):
    cleaned = clean_name(raw)
    assert "telex_repaired" not in cleaned.flags
    assert cleaned.value == raw


def test_upper_case_leftovers_and_the_known_false_positive_is_never_silent():
    assert clean_name("NGUYEENX VAWN AN").value == "Nguyễn Văn An"
    assert clean_name("O'Brien").value == "O'brien"
    max_ = clean_name("Max")  # a foreign name that decodes to a syllable: repaired, and flagged
    assert (max_.value, max_.flags) == ("Mã", ("telex_repaired",))


def test_spaces_case_and_the_match_keys():
    cleaned = clean_name("  nguyễn   văn AN ")
    assert cleaned.value == "Nguyễn Văn An"
    assert cleaned.match_key == "nguyen van an"
    assert cleaned.sorted_key == clean_name("An Nguyễn Văn").sorted_key == "an nguyen van"
    assert cleaned.flags == ()


def test_decomposed_unicode_is_composed_and_flagged():
    raw = unicodedata.normalize("NFD", "Đặng Thị Ánh")
    cleaned = clean_name(raw)
    assert cleaned.value == unicodedata.normalize("NFC", "Đặng Thị Ánh") != raw
    assert cleaned.flags == ("decomposed",)
    assert cleaned.match_key == "dang thi anh"


@pytest.mark.parametrize(
    ("raw", "flags"),
    [
        ("Nguyen Van An", ("no_diacritics",)),
        ("Nguyễn Văn An", ()),
        ("", ()),
        ("Tran Thij B", ("telex_repaired",)),
    ],
)
def test_no_diacritics_flag(raw, flags):
    assert clean_name(raw).flags == flags


def test_a_repaired_name_matches_the_clean_one():
    assert clean_name("Nguyeenx Vaawn An").match_key == clean_name("Nguyễn Văn An").match_key


# ---------------------------------------------------------------------------------------------- dates


@pytest.fixture
def today_2026():
    with clock.frozen(dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)):
        yield


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("17/05/1990", dt.date(1990, 5, 17)),
        ("17.5.1990", dt.date(1990, 5, 17)),
        ("1990-05-17", dt.date(1990, 5, 17)),
        ("1990-5-7", dt.date(1990, 5, 7)),
        ("6/6/2001", dt.date(2001, 6, 6)),
        ("31-12-85", dt.date(1985, 12, 31)),
        ("19900517", dt.date(1990, 5, 17)),  # yyyymmdd
        ("1990-05-17 00:00:00", dt.date(1990, 5, 17)),  # a database export's time is ignored
    ],
)
def test_unambiguous_dates(today_2026, raw, value):
    cleaned = clean_birth_date(raw)
    assert (cleaned.value, cleaned.precision, cleaned.ambiguous, cleaned.reason) == (value, "day", False, "")
    assert cleaned.year == value.year


@pytest.mark.parametrize(
    ("raw", "value", "alternative"),
    [
        ("05/06/1990", dt.date(1990, 6, 5), dt.date(1990, 5, 6)),
        ("1-2-03", dt.date(2003, 2, 1), dt.date(2003, 1, 2)),
        ("12.11.1970", dt.date(1970, 11, 12), dt.date(1970, 12, 11)),
    ],
)
def test_day_month_ambiguity_is_flagged_with_both_readings(today_2026, raw, value, alternative):
    cleaned = clean_birth_date(raw)
    assert (cleaned.value, cleaned.ambiguous, cleaned.alternative) == (value, True, alternative)


@pytest.mark.parametrize(
    ("raw", "value"),
    [("05/17/1990", dt.date(1990, 5, 17)), ("02/06/2026", dt.date(2026, 2, 6))],  # month 17; 2 June is ahead
)
def test_a_date_read_the_only_way_it_can_be_is_flagged_as_swapped(today_2026, raw, value):
    cleaned = clean_birth_date(raw)
    assert (cleaned.value, cleaned.ambiguous, cleaned.flags) == (value, False, ("day_month_swapped",))


@pytest.mark.parametrize(("raw", "year"), [("27", 1927), ("26", 2026), ("05", 2005)])
def test_two_digit_years_never_land_in_the_future(today_2026, raw, year):
    cleaned = clean_birth_date(f"13/01/{raw}")
    assert cleaned.year == year
    assert "two_digit_year" in cleaned.flags


def test_today_can_be_given_once_for_many_dates():
    cleaned = clean_birth_date("17/05/2030", today=dt.date(2031, 1, 1))
    assert cleaned.value == dt.date(2030, 5, 17)


def test_year_only(today_2026):
    cleaned = clean_birth_date(" 1962 ")
    assert (cleaned.value, cleaned.year, cleaned.precision, cleaned.ambiguous) == (None, 1962, "year", False)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("không rõ", "unreadable"),
        ("17/05", "unreadable"),
        ("31/02/1990", "invalid_date"),
        ("1990-13-40", "invalid_date"),
        ("13/13/1990", "invalid_date"),
        ("1850", "out_of_range"),
        ("2027", "out_of_range"),
        ("15/07/2026", "out_of_range"),
    ],
)
def test_unusable_dates_say_why(today_2026, raw, reason):
    cleaned = clean_birth_date(raw)
    assert (cleaned.value, cleaned.year, cleaned.reason) == (None, None, reason)


# --------------------------------------------------------------------------------------------- phones


@pytest.mark.parametrize(
    ("raw", "value", "flags"),
    [
        ("0903123456", "+84903123456", ()),
        ("+84 903 123 456", "+84903123456", ()),
        ("84903123456", "+84903123456", ()),
        ("0903.123.456", "+84903123456", ()),
        ("01689123456", "+84389123456", ("renumbered_2018",)),
        ("0084 168 912 3456", "+84389123456", ("renumbered_2018",)),
        ("+84 1228 123 456", "+84778123456", ("renumbered_2018",)),
        ("028 3829 1234", "+842838291234", ("landline",)),
        ("0903123456 / 0912000111", "+84903123456", ("several_numbers",)),
    ],
)
def test_phones_to_e164(raw, value, flags):
    cleaned = clean_phone(raw)
    assert (cleaned.value, cleaned.flags, cleaned.reason) == (value, flags, "")


@pytest.mark.parametrize(
    ("raw", "reason"), [("", "empty"), (" ", "empty"), ("12345", "invalid"), ("abc", "invalid")]
)
def test_rejected_phones_say_why(raw, reason):
    cleaned = clean_phone(raw)
    assert (cleaned.value, cleaned.reason) == (None, reason)
    assert bool(cleaned.message) == (reason == "invalid")


# ------------------------------------------------------------------------------------------------ IDs


@pytest.mark.parametrize(
    ("raw", "kwargs", "kind", "flags"),
    [
        ("079090001234", {"sex": "M", "birth_year": 1990}, "cccd", ()),
        ("079 090 001 234", {"sex": "M", "birth_year": 1990}, "cccd", ()),
        ("079190001234", {"sex": "F", "birth_year": 1990}, "cccd", ()),
        ("001301009999", {"sex": "F", "birth_year": 2001}, "cccd", ()),
        ("079090001234", {"sex": "F", "birth_year": 1990}, "cccd", ("sex_mismatch",)),
        ("079090001234", {"sex": "M", "birth_year": 1991}, "cccd", ("birth_year_mismatch",)),
        ("079090001234", {"sex": "M", "birth_year": 2090}, "cccd", ("birth_year_mismatch",)),
        (
            "079090001234",
            {"sex": None, "birth_year": None, "province_code": "001"},
            "cccd",
            ("province_mismatch",),
        ),
        ("079090001234", {"sex": "M", "birth_year": 1990, "column": "cmnd"}, "cccd", ("wrong_column",)),
        ("79090001234", {"sex": "M", "birth_year": 1990}, "cccd", ("leading_zero_restored",)),
        ("023456789", {"sex": "M", "birth_year": 1990}, "cmnd", ()),
        ("023456789", {"sex": "M", "birth_year": 1990, "column": "cmnd"}, "cmnd", ()),
        ("23456789", {"sex": None, "birth_year": None}, "cmnd", ("leading_zero_restored",)),
        ("023456789", {"sex": None, "birth_year": None, "column": "cccd"}, "cmnd", ("wrong_column",)),
    ],
)
def test_ids_are_classified_and_mismatches_flagged_not_dropped(raw, kwargs, kind, flags):
    cleaned = clean_id(raw, **kwargs)
    assert (cleaned.kind, cleaned.flags, cleaned.reason) == (kind, flags, "")
    assert cleaned.value is not None and cleaned.value.isdigit() and len(cleaned.value) in (9, 12)


@pytest.mark.parametrize(
    ("raw", "kind", "reason"),
    [
        ("", "empty", "empty"),
        ("12345", "invalid", "length"),
        ("0790900012345", "invalid", "length"),
        ("07909000123A", "invalid", "length"),
        ("999090001234", "invalid", "unknown_province"),
    ],
)
def test_unusable_ids_say_why(raw, kind, reason):
    cleaned = clean_id(raw, sex="M", birth_year=1990)
    assert (cleaned.kind, cleaned.reason) == (kind, reason)


# -------------------------------------------------------------------------------------------- address


@pytest.fixture
def old_and_new(db) -> dict[str, AdminUnit]:
    """A slice of the 2021 map (HCMC: District 1 with two wards, Củ Chi with An Phú; Hanoi: Hoàn Kiếm with
    a ward 'Phường Bến Thành' of its own) and the 2025 map they were merged into."""

    def old(code: str, name: str, level: str, parent: AdminUnit | None = None) -> AdminUnit:
        return make_unit(code, name, level, parent, edition=Edition.PRE_2025)

    units = {"hcmc": old("79", "Thành phố Hồ Chí Minh", Level.PROVINCE)}
    units["q1"] = old("760", "Quận 1", Level.DISTRICT, units["hcmc"])
    units["ben_thanh"] = old("26743", "Phường Bến Thành", Level.COMMUNE, units["q1"])
    units["pham_ngu_lao"] = old("26758", "Phường Phạm Ngũ Lão", Level.COMMUNE, units["q1"])
    units["q3"] = old("770", "Quận 3", Level.DISTRICT, units["hcmc"])
    units["p1_q3"] = old("27154", "Phường 1", Level.COMMUNE, units["q3"])
    units["cu_chi"] = old("783", "Huyện Củ Chi", Level.DISTRICT, units["hcmc"])
    units["an_phu"] = old("27502", "Xã An Phú", Level.COMMUNE, units["cu_chi"])
    units["hanoi"] = old("01", "Thành phố Hà Nội", Level.PROVINCE)
    units["hoan_kiem"] = old("002", "Quận Hoàn Kiếm", Level.DISTRICT, units["hanoi"])
    units["hn_ben_thanh"] = old("00031", "Phường Bến Thành", Level.COMMUNE, units["hoan_kiem"])
    units["ag"] = old("89", "Tỉnh An Giang", Level.PROVINCE)
    units["huyen_an_phu"] = old("886", "Huyện An Phú", Level.DISTRICT, units["ag"])

    new_hcmc = make_unit("79", "Thành phố Hồ Chí Minh", Level.PROVINCE)
    units["new_ben_thanh"] = make_unit("26743", "Phường Bến Thành", Level.COMMUNE, new_hcmc)
    units["new_an_phu"] = make_unit("27496", "Xã An Nhơn Tây", Level.COMMUNE, new_hcmc)
    units["new_hcmc"] = new_hcmc
    for old_key, new_key in [
        ("ben_thanh", "new_ben_thanh"),
        ("pham_ngu_lao", "new_ben_thanh"),
        ("hcmc", "new_hcmc"),
    ]:
        UnitSuccession.objects.create(
            old_unit=units[old_key], new_unit=units[new_key], method=UnitSuccession.Method.OFFICIAL
        )
    UnitSuccession.objects.create(
        old_unit=units["an_phu"], new_unit=units["new_an_phu"], method=UnitSuccession.Method.OFFICIAL
    )
    return units


@pytest.mark.parametrize(
    "raw",
    [
        "Phường Bến Thành, Quận 1, TP.HCM",
        "P. Ben Thanh Q1 HCM",
        "p.ben thanh, q.1, tp hcm",
        "12 Lê Lợi, P.Bến Thành, Q.1, Thành phố Hồ Chí Minh",
        "PHUONG BEN THANH QUAN 1 TPHCM",
        unicodedata.normalize("NFD", "Phường Bến Thành, Quận 1, Hồ Chí Minh"),
    ],
)
def test_a_ward_named_with_its_district_resolves_to_its_2025_successor(old_and_new, raw):
    cleaned = clean_address(raw)
    assert cleaned.unit_2021 == old_and_new["ben_thanh"]
    assert cleaned.unit_2025 == old_and_new["new_ben_thanh"]
    assert (cleaned.confidence, cleaned.reasons) == ("high", ())


def test_a_merged_ward_lands_in_the_ward_that_took_it_over(old_and_new):
    cleaned = clean_address("P. Phạm Ngũ Lão, Q1, Sài Gòn")
    assert (cleaned.unit_2021, cleaned.unit_2025) == (
        old_and_new["pham_ngu_lao"],
        old_and_new["new_ben_thanh"],
    )


def test_a_district_without_its_province_and_a_type_word_that_disambiguates(old_and_new):
    cleaned = clean_address("xã An Phú, huyện Củ Chi")
    assert (cleaned.unit_2021, cleaned.unit_2025) == (old_and_new["an_phu"], old_and_new["new_an_phu"])
    assert cleaned.confidence == "high"
    # 'An Phú' alone is also a district of An Giang: the type word 'xã' keeps it a commune.
    assert clean_address("Huyện An Phú, An Giang").unit_2021 == old_and_new["huyen_an_phu"]


def test_numbered_wards_and_districts_need_their_type_word(old_and_new):
    assert clean_address("Phường 1, Quận 3, TP. Hồ Chí Minh").unit_2021 == old_and_new["p1_q3"]
    assert clean_address("P1 Q3 HCM").unit_2021 == old_and_new["p1_q3"]
    bare = clean_address("1, 3, HCM")
    assert (bare.unit_2021, bare.confidence) == (old_and_new["hcmc"], "low")


def test_a_ward_named_with_its_province_only(old_and_new):
    cleaned = clean_address("Phường Bến Thành, Hà Nội")
    assert (cleaned.unit_2021, cleaned.confidence) == (old_and_new["hn_ben_thanh"], "medium")


def test_a_ward_name_shared_inside_one_province_is_ambiguous_not_guessed(old_and_new):
    ba_dinh = make_unit("001", "Quận Ba Đình", Level.DISTRICT, old_and_new["hanoi"], edition=Edition.PRE_2025)
    make_unit("00001", "Phường Bến Thành", Level.COMMUNE, ba_dinh, edition=Edition.PRE_2025)
    cleaned = clean_address("Phường Bến Thành, Hà Nội")  # and no 2025 map of Hanoi to read it on
    assert cleaned.unit_2021 == old_and_new["hanoi"]
    assert cleaned.reasons == ("ambiguous_commune", "commune_not_found", "no_successor")
    assert cleaned.confidence == "low"


def test_todays_names_are_read_on_the_2025_map(old_and_new):
    make_unit("26999", "Phường Bến Thành", Level.COMMUNE, old_and_new["q3"], edition=Edition.PRE_2025)
    shared = clean_address("Phường Bến Thành, TP HCM")  # two 2021 wards, one 2025 ward of that name
    assert (shared.unit_2021, shared.unit_2025) == (None, old_and_new["new_ben_thanh"])
    assert (shared.confidence, shared.reasons) == ("medium", ("current_units",))
    only_new = clean_address("12 Lê Lợi, Xã An Nhơn Tây, Thành phố Hồ Chí Minh")
    assert (only_new.unit_2021, only_new.unit_2025) == (None, old_and_new["new_an_phu"])
    with_district = clean_address("Phường Phạm Ngũ Lão, Quận 1, TP HCM")  # 2021 names win when complete
    assert with_district.reasons == () and with_district.unit_2021 == old_and_new["pham_ngu_lao"]


def test_coarser_answers_say_why(old_and_new):
    unknown_ward = clean_address("Phường Không Có, Quận 1, HCM")
    assert (unknown_ward.unit_2021, unknown_ward.confidence) == (old_and_new["q1"], "low")
    assert unknown_ward.reasons == ("commune_not_found",)
    assert unknown_ward.unit_2025 == old_and_new["new_hcmc"]  # 2025 has no districts: the province
    no_successor = clean_address("Phường Bến Thành, Quận Hoàn Kiếm, Hà Nội")
    assert (no_successor.unit_2021, no_successor.unit_2025) == (old_and_new["hn_ben_thanh"], None)
    assert no_successor.reasons == ("no_successor",)


@pytest.mark.parametrize(
    ("raw", "reason"), [("", "empty"), ("   ", "empty"), ("Số 5 đường Láng", "not_found")]
)
def test_unreadable_addresses(old_and_new, raw, reason):
    cleaned = clean_address(raw)
    assert (cleaned.unit_2021, cleaned.unit_2025, cleaned.confidence, cleaned.reasons) == (
        None,
        None,
        "none",
        (reason,),
    )


def test_a_ward_merged_under_a_new_name_falls_back_to_the_province_and_says_so(old_and_new):
    old_and_new["pham_ngu_lao"].succession.delete()
    cleaned = clean_address("Phường Phạm Ngũ Lão, Quận 1, HCM")
    assert (cleaned.unit_2021, cleaned.unit_2025) == (old_and_new["pham_ngu_lao"], old_and_new["new_hcmc"])
    assert cleaned.reasons == ("coarse_successor",)


def test_the_index_loads_each_province_once(old_and_new, django_assert_num_queries):
    index = AddressIndex()
    clean_address("Phường Bến Thành, Quận 1, HCM", index=index)
    with django_assert_num_queries(0):
        for _ in range(3):
            assert clean_address("P. Ben Thanh Q1 HCM", index=index).unit_2025 == old_and_new["new_ben_thanh"]
    with django_assert_num_queries(1):  # Hanoi's wards (the map's successions were read with the first)
        clean_address("Phường Bến Thành, Quận Hoàn Kiếm, Hà Nội", index=index)


@pytest.fixture
def real_maps(db) -> None:
    """Both real editions and the derived successions (a few seconds)."""
    geo_services.units_load(edition=Edition.PRE_2025)
    geo_services.units_load(edition=Edition.CURRENT)
    geo_services.succession_derive()


REAL_ADDRESSES = {
    "Phường Bến Thành, Quận 1, TP.HCM": "26743",
    "P. Ben Thanh Q1 HCM": "26743",
    "xã An Phú, huyện Củ Chi": "27502",
    "Phường 12, Quận 3, Thành phố Hồ Chí Minh": "27130",
    "Xã Tân Lập, Huyện Đan Phượng, Hà Nội": "09820",  # 'phượng' is also a type word
}


def test_on_the_real_maps(real_maps):
    index = AddressIndex()
    for raw, code_2021 in REAL_ADDRESSES.items():
        cleaned = clean_address(raw, index=index)
        assert cleaned.unit_2021 is not None and cleaned.unit_2021.code == code_2021, raw
        assert cleaned.unit_2021.edition == Edition.PRE_2025
        assert cleaned.unit_2025 is not None and cleaned.unit_2025.edition == Edition.CURRENT
        assert cleaned.confidence == "high"


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Số 125/7 Đường Lê Lợi", "125/7 le loi"),
        ("125/7 Lê Lợi, ", "125/7 le loi"),
        ("125/7 Đ. Lê Lợi", "125/7 le loi"),
        ("so 125/7 le loi", "125/7 le loi"),
        ("12 Hẻm Lê Lợi", "12 hem le loi"),  # an alley off the street is another house
        ("", ""),
    ],
)
def test_street_key_drops_the_type_words_sources_add_or_leave_out(raw, key):
    assert street_key(raw) == key
