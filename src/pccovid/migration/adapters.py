"""One adapter per legacy source: parse -> normalise -> validate -> a staged-record dict.

Parsing follows `formats.py` (file type, fields, record id); normalising applies the cleaning rules of
`cleaning.py`; validation rejects only a row that cannot be used (no record id, no name where the source
has one, no identifier at all, an unreadable event date). A value that is merely doubtful is kept
empty or as read and flagged `field:flag` in the record's `flags`.
"""

import csv
import datetime as dt
import functools
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

from pccovid.core import clock
from pccovid.core.errors import ApplicationError
from pccovid.core.text import fold
from pccovid.identity import validators
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


Wanted = Callable[[int], bool]
Rows = Iterator[tuple[int, Row | None]]


def _everything(index: int) -> bool:
    return True


def rows_read(extract: ExtractFormat, path: Path, *, skip: int = 0, wanted: Wanted = _everything) -> Rows:
    """(row number as the file shows it, the row) from data row `skip` on. A JSON line that is no object
    of the source's fields comes as None (a reject), a bad header or file type is an AdapterError.
    `wanted(i)` False: the i-th row yielded (0 = the first after `skip`) comes as None, unparsed (an
    import worker reads past the batches of the others)."""
    readers = {FileKind.CSV: _csv_rows, FileKind.JSONL: _jsonl_rows, FileKind.XLSX: _xlsx_rows}
    try:
        yield from readers[extract.kind](extract, path, skip, wanted)
    except UnicodeDecodeError as error:
        raise AdapterError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start}).") from error
    except csv.Error as error:
        raise AdapterError(f"{path}: not a CSV file ({error}).") from error


def _header_check(extract: ExtractFormat, path: Path, header: list[str] | tuple | None) -> None:
    missing = [name for name in extract.fields if name not in (header or ())]
    if missing:
        raise AdapterError(f"{path}: not a {extract.source} extract, missing columns {', '.join(missing)}.")


def _csv_rows(extract: ExtractFormat, path: Path, skip: int, wanted: Wanted) -> Rows:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        _header_check(extract, path, header)
        positions = [(name, header.index(name)) for name in extract.fields]
        width, index = len(header), 0
        for number, values in enumerate(reader, start=2):
            if number - 2 < skip or not values:  # a blank line is no row
                continue
            index += 1
            if len(values) != width or not wanted(index - 1):
                yield number, None
                continue
            yield number, {name: values[i] for name, i in positions}


def _jsonl_rows(extract: ExtractFormat, path: Path, skip: int, wanted: Wanted) -> Rows:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if number - 1 < skip:
                continue
            if not wanted(number - 1 - skip):
                yield number, None
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


def _xlsx_rows(extract: ExtractFormat, path: Path, skip: int, wanted: Wanted) -> Rows:
    with _workbook(path) as workbook:
        cells = _sheet(workbook, extract, path).iter_rows(values_only=True)
        header = [_text(value) for value in next(cells, ())]
        _header_check(extract, path, header)
        positions = [(name, header.index(name)) for name in extract.fields]
        index = 0
        for number, values in enumerate(cells, start=2):
            if number - 2 < skip:
                continue
            if all(value is None for value in values):
                continue
            index += 1
            if not wanted(index - 1):
                yield number, None
                continue
            yield number, {name: _text(values[i] if i < len(values) else None) for name, i in positions}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_ESCAPE = json.encoder.encode_basestring_ascii  # what json.dumps writes for a text (its C version)


@functools.cache
def _template(names: tuple[str, ...]) -> str:
    """'{"a": %s, "b": %s}' for the keys ("a", "b"), as json.dumps writes them."""
    return "{" + ", ".join(_ESCAPE(name).replace("%", "%%") + ": %s" for name in names) + "}"


def raw_json(row: Row) -> str:
    """The row (or any dict of texts: the payload) as its `json.dumps(row)`, the JSON text the staged
    record stores (fields in file order), written directly because every value is text: one template
    per set of keys, filled with the escaped values (at 1,000,000 rows json.dumps costs seconds)."""
    return _template(tuple(row)) % tuple(map(_ESCAPE, row.values()))


def raw_hash(text: str) -> str:
    """The content hash of a row from its `raw_json`."""
    return hashlib.sha256(text.encode()).hexdigest()


def content_hash(row: Row) -> str:
    """SHA-256 of the row's `raw_json`: equal for the same fields with the same values, which is what
    "unchanged" means for a delta."""
    return raw_hash(raw_json(row))


_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


def content_hash_v1(row: Row) -> str:
    """The content hash records were staged with before (canonical JSON: keys sorted, UTF-8): a row whose
    staged hash is this one is unchanged too (see `services`)."""
    return hashlib.sha256(_CANONICAL(row).encode()).hexdigest()


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
_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


Piece = tuple[dict[str, Any], tuple[str, ...]]  # the staged-record values a field sets, and its flags


class Cleaner:
    """The cleaning rules with per-run memory. A field's contribution to the staged record (its values and
    `field:flag` flags) depends on its raw text only, and the texts repeat: names, birth dates, event
    dates and the unit part of addresses across the file (and the address rule reads the database), a
    person's phone, ID and address over their other rows (doses, duplicates). Each rule keeps its last
    `CACHE` distinct inputs, so a million rows cost a few hundred thousand cleanings in bounded memory.
    The rules are pure within a run (the birth-date rule reads today's date), so a cached answer is the
    answer."""

    CACHE = 1 << 18

    def __init__(self) -> None:
        self.index = cleaning.AddressIndex()
        cache = functools.lru_cache(maxsize=self.CACHE)
        self.name = cache(_name_piece)
        self.birth = cache(functools.partial(_birth_piece, today=clock.today()))
        self.sex = cache(_sex_piece)
        self.phone = cache(_phone_piece)
        self.id = cache(_id_piece)
        self.event_date = cache(_event_date_iso)
        self._units = cache(functools.partial(_address_piece, index=self.index))
        self._street = cache(cleaning.street_key)
        self.address = cache(self._address)

    def _address(self, raw: str) -> tuple[dict[str, Any], tuple[str, ...], str]:
        """The units cleaned on the part that names them, their flags, and the street key: a leading house
        number and street ("Số 416 Hùng Vương, ...") names no unit, and without it most addresses of a
        ward are the same text (one lookup each). The street becomes `street_key`, which tells apart
        namesakes of one commune at linkage."""
        street = street_part(raw)
        values, flags = self._units(raw[len(street) :])
        return values, flags, self._street(street) if street else ""


_STREET = re.compile(r"\s*(?:số|so|sô)?\s*\d[^,]*,\s*(?=\S)", re.IGNORECASE)


def street_part(address: str) -> str:
    """The leading house number and street of an address with its comma ("Số 416 Hùng Vương, "), or ""."""
    street = _STREET.match(address)
    return street.group(0) if street else ""


def _tags(field: str, codes) -> tuple[str, ...]:
    return tuple([f"{field}:{code}" for code in codes if code])


def _name_piece(raw: str) -> Piece | None:
    """None when nothing of a name is left (the row is rejected)."""
    name = cleaning.clean_name(raw)
    if not name.match_key:
        return None
    values = {"full_name": name.value, "name_key": name.match_key, "name_sorted_key": name.sorted_key}
    return values, _tags("name", name.flags)


def _birth_piece(raw: str, *, today: dt.date) -> tuple[dict[str, Any], tuple[str, ...], int | None]:
    """The birth-date values, their flags, and the year (which the ID check compares)."""
    date = cleaning.clean_birth_date(raw, today=today)
    values = {
        "birth_date": date.value, "birth_year": date.year, "birth_precision": date.precision or "",
        "birth_alternative": date.alternative,
    }  # fmt: skip
    return (
        values,
        _tags("birth_date", [*date.flags, "ambiguous" if date.ambiguous else "", date.reason]),
        date.year,
    )


def _sex_piece(raw: str) -> tuple[str, tuple[str, ...]]:
    sex = _SEX.get(fold(raw), "")
    return sex, ("sex:unreadable",) if raw and not sex else ()


def _phone_piece(raw: str) -> tuple[str, tuple[str, ...]]:
    phone = cleaning.clean_phone(raw)
    return phone.value or "", _tags("phone", [*phone.flags, "" if phone.reason == "empty" else phone.reason])


def _id_piece(raw: str, sex: str | None, birth_year: int | None, column: str) -> tuple[dict, tuple, str]:
    """The CCCD or CMND values, their flags, and a phone typed as the ID ('' if none): the vaccination
    portal's commonest mistake, kept as the phone when the row has none. `column`: the ID kind the column
    was meant for, as the source wrote it ('' when unknown)."""
    cleaned = cleaning.clean_id(raw, sex=sex, birth_year=birth_year, column=fold(column) or None)
    if cleaned.kind in ("cccd", "cmnd"):
        return {cleaned.kind: cleaned.value}, _tags("id", cleaned.flags), ""
    if cleaned.kind != "invalid":
        return {}, (), ""
    phone = cleaning.clean_phone(raw)
    if phone.value:
        return {}, ("id:phone_in_id",), phone.value
    return {}, _tags("id", [*cleaned.flags, f"invalid_{cleaned.reason}"]), ""


def _address_piece(units: str, *, index: cleaning.AddressIndex) -> Piece:
    address = cleaning.clean_address(units, index=index)
    values = {
        "unit_2021_id": address.unit_2021.pk if address.unit_2021 else None,
        "unit_2025_id": address.unit_2025.pk if address.unit_2025 else None,
    }
    return values, _tags("address", [f"confidence_{address.confidence}", *address.reasons])


@dataclass
class _Record:
    """A staged record as the source checks see it: values and `field:flag` flags."""

    values: dict[str, Any]
    flags: list[str]

    def flag(self, field: str, codes) -> None:
        self.flags.extend(_tags(field, codes))


def record_stage(
    extract: ExtractFormat, number: int, row: Row | None, cleaner: Cleaner, *, digest: str
) -> dict | Reject:
    """The staged-record dict of one row (the columns of `StagedRecord` without run and timestamps), or
    the reason it is rejected. `digest` is the row's `content_hash` (the caller has it already)."""
    record_id = (row or {}).get(extract.record_id, "")
    if row is None:
        return Reject(number, "", "", "unreadable_row")
    try:
        return _normalise(extract, row, cleaner, digest)
    except _Rejected as rejected:
        return Reject(number, record_id, rejected.field, rejected.reason)


def _normalise(extract: ExtractFormat, row: Row, cleaner: Cleaner, digest: str) -> dict:
    """The cleaned values of one row. Each rule's piece is merged in place: this runs a million times an
    extract, nearly always on answers the cleaner remembers, so its own steps are most of the cost."""
    columns = COLUMNS[extract.source]
    if not row[extract.record_id]:
        raise _Rejected(extract.record_id, "empty")
    values = _empty_values(extract, row, digest)
    flags: list[str] = []
    if columns.name:
        name = cleaner.name(row[columns.name])
        if name is None:
            raise _Rejected(columns.name, "empty")
        values.update(name[0])
        flags += name[1]
    birth_year = None
    if columns.birth:
        birth, birth_flags, birth_year = cleaner.birth(row[columns.birth])
        values.update(birth)
        flags += birth_flags
    if columns.sex:
        values["sex"], sex_flags = cleaner.sex(row[columns.sex])
        flags += sex_flags
    if columns.phone:
        values["phone"], phone_flags = cleaner.phone(row[columns.phone])
        flags += phone_flags
    if columns.id:
        _id(values, flags, row, columns, birth_year, cleaner)
    if columns.address:
        units, address_flags, values["street_key"] = cleaner.address(row[columns.address])
        values.update(units)
        flags += address_flags
    values["payload"] = _payload(extract, row, columns, cleaner)
    SOURCE_CHECKS.get(extract.source, _no_check)(_Record(values, flags), row)
    values["flags"] = flags
    return values


def _empty_values(extract: ExtractFormat, row: Row, digest: str) -> dict[str, Any]:
    return {
        "source": extract.source, "record_id": row[extract.record_id], "raw": row,
        "full_name": "", "name_key": "", "name_sorted_key": "",
        "birth_date": None, "birth_year": None, "birth_precision": "", "birth_alternative": None,
        "sex": "", "phone": "", "cccd": "", "cmnd": "", "health_insurance": "",
        "street_key": "", "unit_2021_id": None, "unit_2025_id": None, "content_hash": digest,
    }  # fmt: skip


def _id(
    values: dict[str, Any],
    flags: list[str],
    row: Row,
    columns: Columns,
    birth_year: int | None,
    cleaner: Cleaner,
) -> None:
    kind_field = columns.id_column.removeprefix("field:")
    column = row[kind_field] if columns.id_column.startswith("field:") else columns.id_column
    id_values, id_flags, phone = cleaner.id(row[columns.id], values["sex"] or None, birth_year, column)
    values.update(id_values)
    flags += id_flags
    if phone and not values["phone"]:
        values["phone"] = phone


@functools.cache
def _payload_fields(extract: ExtractFormat, columns: Columns) -> tuple[str, ...]:
    """The fields that are not identity (nor the record id), in file order."""
    identity = {columns.name, columns.birth, columns.sex, columns.phone, columns.id, columns.address}
    return tuple(name for name in extract.fields if name not in identity | {extract.record_id})


def _payload(extract: ExtractFormat, row: Row, columns: Columns, cleaner: Cleaner) -> dict[str, str]:
    """The fields that are not identity, event dates as ISO (a row with an unreadable one is rejected)."""
    payload = {name: row[name] for name in _payload_fields(extract, columns)}
    for name in columns.dates:
        raw = row[name]
        iso = cleaner.event_date(raw)
        if iso is None:
            raise _Rejected(name, "empty" if not raw else "unreadable_date")
        payload[name] = iso
    for name in columns.moments:
        payload[name] = _event_moment(row[name], name).isoformat()
    return payload


def _event_date_iso(raw: str) -> str | None:
    match = _DMY.fullmatch(raw)
    try:
        return dt.date(int(match.group(3)), int(match.group(2)), int(match.group(1))).isoformat()  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        return None


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
    number = validators.social_insurance_of_card(card)
    if number is None:
        raise _Rejected("card_number", "empty" if not card else "not_a_card_number")
    record.values["health_insurance"] = card
    if row["social_insurance_number"] != number:
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
