import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from pccovid.identity.models import RegisterRecord
from pccovid.identity.register import (
    EXTRACT_HEADER,
    ExtractRegister,
    RegisterEntry,
    RegisterImportError,
    RowError,
    register_extract_import,
)

AN = [
    "079090001234",
    "023456789",
    "nguyễn  văn AN",
    "1990-05-17",
    "M",
    "26734",
    "Số 12 Lê Lợi",
    "26734.001.00001",
    "0903 123 456",
]
BINH = ["079185004321", "", "Trần Thị Bình", "1985-02-01", "F", "26740", "", "", ""]


def write_extract(path: Path, *rows: list[str], header: tuple[str, ...] = EXTRACT_HEADER) -> Path:
    lines = [",".join(header), *(",".join(row) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def with_(row: list[str], **changes: str) -> list[str]:
    values = dict(zip(EXTRACT_HEADER, row, strict=True))
    return [changes.get(column, value) for column, value in values.items()]


@pytest.mark.django_db
def test_good_rows_are_stored_normalised(tmp_path):
    report = register_extract_import(path=write_extract(tmp_path / "extract.csv", AN, BINH))
    assert (report.rows, report.created, report.rejected) == (2, 2, [])
    assert ExtractRegister().lookup("079090001234") == RegisterEntry(
        national_id="079090001234",
        old_cmnd="023456789",
        full_name="Nguyễn Văn An",
        birth_date=dt.date(1990, 5, 17),
        sex="M",
        unit_code="26734",
        address_line="Số 12 Lê Lợi",
        household_code="26734.001.00001",
        phone="+84903123456",
    )
    assert RegisterRecord.objects.get(national_id="079185004321").extract == "extract.csv"


@pytest.mark.django_db
def test_bad_rows_are_reported_with_row_field_and_reason_and_not_stored(tmp_path):
    rows = [
        AN,
        with_(BINH, gioi_tinh="M"),  # row 3: digit 4 of the CCCD says female
        with_(BINH, so_dinh_danh="079185004322", ngay_sinh="01/02/1985", so_dien_thoai="12345"),  # row 4
        with_(BINH, so_dinh_danh="079185004323", cmnd_cu="12345", ma_xa="79"),  # row 5
        with_(AN, cmnd_cu="", ho_ten="Another An"),  # row 6: same CCCD as row 2
        ["079185004324", "Trần Thị Bình"],  # row 7
    ]
    report = register_extract_import(path=write_extract(tmp_path / "extract.csv", *rows))
    assert report.rejected == [
        RowError(
            3, "so_dinh_danh", "Digit 4 of this CCCD says the holder is female, but the stated sex is male."
        ),
        RowError(4, "ngay_sinh", "'01/02/1985' is not a date written YYYY-MM-DD."),
        RowError(4, "so_dien_thoai", "'12345' is not a Vietnamese phone number."),
        RowError(5, "cmnd_cu", "A CMND number has exactly 9 digits."),
        RowError(5, "ma_xa", "A commune code has 5 digits, not '79'."),
        RowError(6, "so_dinh_danh", "Also given on row 2."),
        RowError(7, "", "Expected 9 columns, found 2."),
    ]
    assert (report.rows, report.created, report.rejected_rows) == (6, 1, 5)
    assert list(RegisterRecord.objects.values_list("national_id", flat=True)) == ["079090001234"]


@pytest.mark.django_db
def test_a_cmnd_held_by_another_person_in_the_register_is_refused(tmp_path):
    register_extract_import(path=write_extract(tmp_path / "first.csv", AN))
    report = register_extract_import(
        path=write_extract(tmp_path / "second.csv", with_(BINH, cmnd_cu="023456789"))
    )
    assert report.rejected == [RowError(2, "cmnd_cu", "This CMND belongs to another person in the register.")]


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing_and_a_corrected_row_is_updated(tmp_path):
    path = write_extract(tmp_path / "extract.csv", AN, BINH)
    register_extract_import(path=path)
    loaded = dict(RegisterRecord.objects.values_list("national_id", "loaded_at"))

    again = register_extract_import(path=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert dict(RegisterRecord.objects.values_list("national_id", "loaded_at")) == loaded

    corrected = register_extract_import(path=write_extract(path, AN, with_(BINH, dia_chi="Số 5 Hàm Nghi")))
    assert (corrected.created, corrected.updated, corrected.unchanged) == (0, 1, 1)
    assert ExtractRegister().lookup("079185004321").address_line == "Số 5 Hàm Nghi"
    assert RegisterRecord.objects.count() == 2


@pytest.mark.django_db
def test_lookup_by_cccd_and_by_old_cmnd(tmp_path):
    register_extract_import(path=write_extract(tmp_path / "extract.csv", AN, BINH))
    register = ExtractRegister()
    assert register.lookup("079 090 001 234").full_name == "Nguyễn Văn An"
    assert register.lookup_cmnd("023456789").national_id == "079090001234"
    assert register.lookup("079090009999") is None
    assert register.lookup_cmnd("") is None


@pytest.mark.django_db
def test_a_wrong_header_or_a_file_that_is_not_utf8_is_refused(tmp_path):
    with pytest.raises(RegisterImportError, match="the header must be"):
        register_extract_import(path=write_extract(tmp_path / "a.csv", AN, header=EXTRACT_HEADER[:-1]))
    latin = tmp_path / "b.csv"
    latin.write_bytes((",".join(EXTRACT_HEADER) + "\n").encode() + ",".join(AN).encode("utf-16"))
    with pytest.raises(RegisterImportError, match="not UTF-8"):
        register_extract_import(path=latin)
    assert not RegisterRecord.objects.exists()


@pytest.mark.django_db
def test_command_prints_counts_and_rejected_rows(tmp_path):
    out = io.StringIO()
    path = write_extract(tmp_path / "extract.csv", AN, with_(BINH, gioi_tinh="X"))
    call_command("register_import", str(path), "--no-progress", stdout=out)
    assert out.getvalue().splitlines() == [
        f"{path}: 2 rows; 1 new, 0 updated, 0 unchanged, 1 rejected.",
        "  row 3 gioi_tinh: Sex must be M or F, not 'X'.",
    ]


@pytest.mark.django_db
def test_command_with_a_missing_file_or_wrong_header_fails_with_one_line(tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*missing\.csv: No such file or directory\."):
        call_command("register_import", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="the header must be"):
        call_command("register_import", str(write_extract(tmp_path / "x.csv", AN, header=("a", "b"))))
