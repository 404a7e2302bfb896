"""One adapter per legacy source: parse -> normalise -> validate -> a staged-record dict.

Parsing follows `formats.py` (file type, fields, record id); normalising applies the cleaning rules of
`cleaning.py`; validation rejects only a row that cannot be used (no record id, no name where the source
has one, no identifier at all, an unreadable event date). A value that is merely doubtful is kept
empty or as read and flagged `field:flag` in the record's `flags`.
"""

import csv
import datetime as dt
import hashlib
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from pccovid.core.errors import ApplicationError
from pccovid.core.text import fold
from pccovid.migration import cleaning, formats
from pccovid.migration.formats import ExtractFormat, FileKind

Row = dict[str, str]


class AdapterError(ApplicationError):
    """The file as a whole cannot be read as the source's extract."""

    code = "legacy_file"


@dataclass(frozen=True)
class Reject:
    row: int
    record_id: str
    field: str
    reason: str


class _Rejected(Exception):
    def __init__(self, field: str, reason: str):
        super().__init__(reason)
        self.field = field
        self.reason = reason


# ------------------------------------------------------------------------------------------- parsing

_SUFFIX = {FileKind.CSV: ".csv", FileKind.JSONL: ".jsonl", FileKind.XLSX: ".xlsx"}


def extract_of(source: str) -> ExtractFormat:
    if source not in formats.SOURCES:
        raise AdapterError(f"Unknown source {source!r}; one of: {', '.join(formats.SOURCES)}.")
    return formats.SOURCES[source]


def file_check(extract: ExtractFormat, path: Path) -> None:
    """Refuse a missing file or one of the wrong type before anything is written."""
    if not path.is_file():
        raise AdapterError(f"{path}: no such file.")
    if path.suffix.lower() != _SUFFIX[extract.kind]:
        raise AdapterError(f"{path}: a {extract.source} extract is a {_SUFFIX[extract.kind]} file.")


def rows_count(extract: ExtractFormat, path: Path) -> int:
    """Data rows in the file (for the progress bar): newlines, or the sheet's dimension."""
    if extract.kind is FileKind.XLSX:
        with _workbook(path) as workbook:
            return max((_sheet(workbook, extract, path).max_row or 1) - 1, 0)
    lines = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
    return lines - 1 if extract.kind is FileKind.CSV else lines


def rows_read(extract: ExtractFormat, path: Path, *, skip: int = 0) -> Iterator[tuple[int, Row | None]]:
    """(row number as the file shows it, the row) from data row `skip` on. A JSON line that is no object
    of the source's fields comes as None (a reject), a bad header or file type is an AdapterError."""
    readers = {FileKind.CSV: _csv_rows, FileKind.JSONL: _jsonl_rows, FileKind.XLSX: _xlsx_rows}
    try:
        yield from readers[extract.kind](extract, path, skip)
    except UnicodeDecodeError as error:
        raise AdapterError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start}).") from error
    except csv.Error as error:
        raise AdapterError(f"{path}: not a CSV file ({error}).") from error


def _header_check(extract: ExtractFormat, path: Path, header: list[str] | tuple | None) -> None:
    missing = [name for name in extract.fields if name not in (header or ())]
    if missing:
        raise AdapterError(f"{path}: not a {extract.source} extract, missing columns {', '.join(missing)}.")


def _csv_rows(extract: ExtractFormat, path: Path, skip: int) -> Iterator[tuple[int, Row | None]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        _header_check(extract, path, header)
        positions = [(name, header.index(name)) for name in extract.fields]
        for number, values in enumerate(reader, start=2):
            if number - 2 < skip or not values:  # a blank line is no row
                continue
            if len(values) != len(header):
                yield number, None
                continue
            yield number, {name: values[i] for name, i in positions}


def _jsonl_rows(extract: ExtractFormat, path: Path, skip: int) -> Iterator[tuple[int, Row | None]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if number - 1 < skip:
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                value = None
            if not isinstance(value, dict) or any(name not in value for name in extract.fields):
                yield number, None
                continue
            yield number, {name: _text(value[name]) for name in extract.fields}


class _workbook:
    """openpyxl's read-only workbook, closed on exit, its errors turned into one line."""

    def __init__(self, path: Path):
        try:
            self.book = load_workbook(path, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
            raise AdapterError(f"{path}: not an Excel (.xlsx) file.") from error

    def __enter__(self):
        return self.book

    def __exit__(self, *exc) -> None:
        self.book.close()


def _sheet(workbook, extract: ExtractFormat, path: Path):
    if extract.sheet not in workbook.sheetnames:
        raise AdapterError(f"{path}: no sheet {extract.sheet!r}, not a {extract.source} extract.")
    return workbook[extract.sheet]


def _xlsx_rows(extract: ExtractFormat, path: Path, skip: int) -> Iterator[tuple[int, Row | None]]:
    with _workbook(path) as workbook:
        cells = _sheet(workbook, extract, path).iter_rows(values_only=True)
        header = [_text(value) for value in next(cells, ())]
        _header_check(extract, path, header)
        positions = [(name, header.index(name)) for name in extract.fields]
        for number, values in enumerate(cells, start=2):
            if number - 2 < skip:
                continue
            if all(value is None for value in values):
                continue
            yield number, {name: _text(values[i] if i < len(values) else None) for name, i in positions}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def content_hash(row: Row) -> str:
    return hashlib.sha256(json.dumps(row, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


# ------------------------------------------------------------------------------------- normalising


@dataclass(frozen=True)
class Columns:
    """Which field of a source holds each identity attribute ('' when the source has none).
    `id_column`: the ID kind the column was meant for (see `cleaning.clean_id`), or a field naming it."""

    name: str = ""
    birth: str = ""
    sex: str = ""
    phone: str = ""
    id: str = ""
    id_column: str = ""
    address: str = ""
    dates: tuple[str, ...] = ()  # event dates (dd/mm/yyyy) that must be readable
    moments: tuple[str, ...] = ()  # event times (ISO 8601) that must be readable


COLUMNS: dict[str, Columns] = {
    "bluezone": Columns(phone="phone", moments=("registered_at",)),
    "ncovi": Columns(
        name="full_name",
        birth="birth_date",
        sex="sex",
        phone="phone",
        id="id_number",
        address="address",
        moments=("declared_at",),
    ),
    "vneid": Columns(
        name="full_name",
        birth="birth_date",
        sex="sex",
        phone="phone",
        id="cccd",
        id_column="cccd",
        address="address",
        moments=("declared_at",),
    ),
    "vaccination": Columns(
        name="full_name",
        birth="birth_date",
        sex="sex",
        phone="phone",
        id="id_number",
        id_column="field:id_type",
        address="address",
        dates=("vaccinated_on",),
    ),
    "ward_tests": Columns(
        name="Họ và tên",
        birth="Năm sinh",
        sex="Giới tính",
        phone="Số điện thoại",
        id="Số CMND/CCCD",
        address="Địa chỉ",
        dates=("Ngày lấy mẫu",),
    ),
    "ward_vaccinations": Columns(
        name="Họ và tên",
        birth="Ngày sinh",
        sex="Giới tính",
        phone="Số điện thoại",
        id="Số CMND/CCCD",
        address="Địa chỉ",
        dates=("Ngày tiêm",),
    ),
    "social_insurance": Columns(
        name="full_name",
        birth="birth_date",
        sex="sex",
        id="cccd",
        id_column="cccd",
        address="address",
        dates=("valid_from", "valid_to"),
    ),
}

_SEX = {"m": "M", "nam": "M", "male": "M", "f": "F", "nu": "F", "female": "F"}
_CARD = re.compile(r"[A-Z]{2}[1-5]\d{2}(\d{10})")
_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


class Cleaner:
    """The cleaning rules with per-run memory: names and addresses repeat across rows and sources, and
    the address rule reads the database, so each distinct text is cleaned once per run."""

    def __init__(self) -> None:
        self.index = cleaning.AddressIndex()
        self.names: dict[str, cleaning.CleanName] = {}
        self.addresses: dict[str, cleaning.CleanAddress] = {}

    def name(self, raw: str) -> cleaning.CleanName:
        if raw not in self.names:
            self.names[raw] = cleaning.clean_name(raw)
        return self.names[raw]

    def address(self, raw: str) -> cleaning.CleanAddress:
        """Cleaned on the part that names units: a leading house number and street ("Số 416 Hùng Vương, ...")
        names no unit, and without it most addresses of a ward are the same text (one lookup each)."""
        units = _units_part(raw)
        if units not in self.addresses:
            self.addresses[units] = cleaning.clean_address(units, index=self.index)
        return self.addresses[units]


_STREET = re.compile(r"\s*(?:số|so|sô)?\s*\d[^,]*,\s*(?=\S)", re.IGNORECASE)


def _units_part(raw: str) -> str:
    """The address without its leading "number street," segment, when it has one."""
    return _STREET.sub("", raw, count=1) if _STREET.match(raw) else raw


@dataclass
class _Record:
    """A staged record under construction: values and `field:flag` flags."""

    values: dict[str, Any]
    flags: list[str]

    def flag(self, field: str, codes) -> None:
        self.flags.extend(f"{field}:{code}" for code in codes if code)


def record_stage(extract: ExtractFormat, number: int, row: Row | None, cleaner: Cleaner) -> dict | Reject:
    """The staged-record dict of one row (the columns of `StagedRecord` without run and timestamps), or
    the reason it is rejected."""
    record_id = (row or {}).get(extract.record_id, "")
    if row is None:
        return Reject(number, "", "", "unreadable_row")
    try:
        return _normalise(extract, row, cleaner)
    except _Rejected as rejected:
        return Reject(number, record_id, rejected.field, rejected.reason)


def _normalise(extract: ExtractFormat, row: Row, cleaner: Cleaner) -> dict:
    columns = COLUMNS[extract.source]
    if not row[extract.record_id]:
        raise _Rejected(extract.record_id, "empty")
    record = _Record(_empty_values(extract, row), [])
    if columns.name:
        _name(record, row[columns.name], columns.name, cleaner)
    birth_year = _birth(record, row[columns.birth]) if columns.birth else None
    if columns.sex:
        _sex(record, row[columns.sex])
    if columns.phone:
        _phone(record, row[columns.phone])
    if columns.id:
        _id(record, row, columns, birth_year)
    if columns.address:
        _address(record, row[columns.address], cleaner)
    record.values["payload"] = _payload(extract, row, columns)
    SOURCE_CHECKS.get(extract.source, _no_check)(record, row)
    record.values["flags"] = record.flags
    return record.values


def _empty_values(extract: ExtractFormat, row: Row) -> dict[str, Any]:
    return {
        "source": extract.source, "record_id": row[extract.record_id], "raw": row,
        "full_name": "", "name_key": "", "name_sorted_key": "",
        "birth_date": None, "birth_year": None, "birth_precision": "", "birth_alternative": None,
        "sex": "", "phone": "", "cccd": "", "cmnd": "", "health_insurance": "",
        "unit_2021_id": None, "unit_2025_id": None, "content_hash": content_hash(row),
    }  # fmt: skip


def _name(record: _Record, raw: str, field: str, cleaner: Cleaner) -> None:
    name = cleaner.name(raw)
    if not name.match_key:
        raise _Rejected(field, "empty")
    record.values.update(full_name=name.value, name_key=name.match_key, name_sorted_key=name.sorted_key)
    record.flag("name", name.flags)


def _birth(record: _Record, raw: str) -> int | None:
    date = cleaning.clean_birth_date(raw)
    record.values.update(
        birth_date=date.value, birth_year=date.year, birth_precision=date.precision or "",
        birth_alternative=date.alternative,
    )  # fmt: skip
    record.flag("birth_date", [*date.flags, "ambiguous" if date.ambiguous else "", date.reason])
    return date.year


def _sex(record: _Record, raw: str) -> None:
    sex = _SEX.get(fold(raw), "")
    record.values["sex"] = sex
    if raw and not sex:
        record.flag("sex", ["unreadable"])


def _phone(record: _Record, raw: str) -> None:
    phone = cleaning.clean_phone(raw)
    record.values["phone"] = phone.value or ""
    record.flag("phone", [*phone.flags, "" if phone.reason == "empty" else phone.reason])


def _id(record: _Record, row: Row, columns: Columns, birth_year: int | None) -> None:
    kind_field = columns.id_column.removeprefix("field:")
    column = fold(row[kind_field]) if columns.id_column.startswith("field:") else columns.id_column
    raw = row[columns.id]
    cleaned = cleaning.clean_id(
        raw, sex=record.values["sex"] or None, birth_year=birth_year, column=column or None
    )
    if cleaned.kind in ("cccd", "cmnd"):
        record.values[cleaned.kind] = cleaned.value
        record.flag("id", cleaned.flags)
    elif cleaned.kind == "invalid":
        _id_invalid(record, raw, cleaned)


def _id_invalid(record: _Record, raw: str, cleaned: cleaning.CleanId) -> None:
    """The vaccination portal's commonest mistake is a phone typed as the ID: kept as the phone if the
    row has none."""
    phone = cleaning.clean_phone(raw)
    if phone.value:
        record.flag("id", ["phone_in_id"])
        record.values["phone"] = record.values["phone"] or phone.value
    else:
        record.flag("id", [*cleaned.flags, f"invalid_{cleaned.reason}"])


def _address(record: _Record, raw: str, cleaner: Cleaner) -> None:
    address = cleaner.address(raw)
    record.values["unit_2021_id"] = address.unit_2021.pk if address.unit_2021 else None
    record.values["unit_2025_id"] = address.unit_2025.pk if address.unit_2025 else None
    record.flag("address", [f"confidence_{address.confidence}", *address.reasons])


def _payload(extract: ExtractFormat, row: Row, columns: Columns) -> dict[str, str]:
    """The fields that are not identity, event dates as ISO (a row with an unreadable one is rejected)."""
    identity = {columns.name, columns.birth, columns.sex, columns.phone, columns.id, columns.address}
    payload = {name: row[name] for name in extract.fields if name not in identity | {extract.record_id}}
    for name in columns.dates:
        payload[name] = _event_date(row[name], name).isoformat()
    for name in columns.moments:
        payload[name] = _event_moment(row[name], name).isoformat()
    return payload


def _event_date(raw: str, field: str) -> dt.date:
    match = _DMY.fullmatch(raw)
    try:
        return dt.date(int(match.group(3)), int(match.group(2)), int(match.group(1)))  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        raise _Rejected(field, "empty" if not raw else "unreadable_date") from None


def _event_moment(raw: str, field: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise _Rejected(field, "empty" if not raw else "unreadable_datetime") from None
    if moment.tzinfo is None:
        raise _Rejected(field, "no_offset")
    return moment


# -------------------------------------------------------------------------------- source checks


def _no_check(record: _Record, row: Row) -> None:
    return None


def _bluezone(record: _Record, row: Row) -> None:
    if not record.values["phone"]:
        raise _Rejected("phone", "invalid" if row["phone"] else "empty")
    if not re.fullmatch(r"[0-9a-fA-F]{16}", row["bluezone_id"]):
        raise _Rejected("bluezone_id", "not_16_hex")


def _ncovi(record: _Record, row: Row) -> None:
    if row["declaration_type"] not in ("domestic", "entry"):
        raise _Rejected("declaration_type", "unknown")
    if not (record.values["phone"] or record.values["cccd"] or record.values["cmnd"]):
        raise _Rejected("phone", "no_identifier")


def _vneid(record: _Record, row: Row) -> None:
    """VNEID is keyed by the chip ID: without a valid CCCD the record is not a VNEID record."""
    if not record.values["cccd"]:
        raise _Rejected("cccd", "empty" if not row["cccd"] else "not_a_cccd")


def _vaccination(record: _Record, row: Row) -> None:
    if not row["dose_number"].isdigit() or not 1 <= int(row["dose_number"]) <= 9:
        raise _Rejected("dose_number", "not_a_dose_number")
    if not row["vaccine"]:
        raise _Rejected("vaccine", "empty")
    if not (record.values["phone"] or record.values["cccd"] or record.values["cmnd"]):
        raise _Rejected("id_number", "no_identifier")


def _ward_tests(record: _Record, row: Row) -> None:
    if fold(row["Kết quả"]) not in ("am tinh", "duong tinh"):
        raise _Rejected("Kết quả", "unknown_result")


def _ward_vaccinations(record: _Record, row: Row) -> None:
    if not row["Mũi"].isdigit():
        raise _Rejected("Mũi", "not_a_dose_number")


def _social_insurance(record: _Record, row: Row) -> None:
    card = row["card_number"].replace(" ", "").upper()
    match = _CARD.fullmatch(card)
    if not match:
        raise _Rejected("card_number", "empty" if not card else "not_a_card_number")
    record.values["health_insurance"] = card
    if row["social_insurance_number"] != match.group(1):
        record.flag("card_number", ["social_insurance_number_mismatch"])


SOURCE_CHECKS: dict[str, Callable[[_Record, Row], None]] = {
    "bluezone": _bluezone,
    "ncovi": _ncovi,
    "vneid": _vneid,
    "vaccination": _vaccination,
    "ward_tests": _ward_tests,
    "ward_vaccinations": _ward_vaccinations,
    "social_insurance": _social_insurance,
}
