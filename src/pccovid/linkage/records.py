"""Read a CSV through its column map into the standard columns the Splink model compares.

Cleaning happens here, in Python, so the SQL that Splink runs stays plain: names are folded to a
diacritic-free key (`pccovid.core.text.fold`), birth dates parsed day first (the Vietnamese order) with
the day/month-swapped reading kept beside them, phones brought to E.164.
"""

import csv
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from pccovid.core.text import clean_name, fold
from pccovid.identity.validators import IdentityError, normalise_phone
from pccovid.linkage.config import LinkageError

# The standard columns, in the order they are handed to Splink.
COLUMNS = (
    "unique_id",
    "name",
    "name_fold",
    "name_sorted",
    "surname",
    "given",
    "dob",
    "dob_swapped",
    "dob_year",
    "sex",
    "phone",
    "unit",
)

_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_YEAR = re.compile(r"^(\d{4})$")
_NON_DIGITS = re.compile(r"\D")
_SEX = {"m": "m", "male": "m", "nam": "m", "1": "m", "f": "f", "female": "f", "nu": "f", "0": "f", "2": "f"}


def records_read(path: Path, columns: dict[str, str]) -> dict[str, list]:
    """The file as standard columns (equal-length lists); refuses a missing file or column, repeated ids."""
    out: dict[str, list] = {name: [] for name in COLUMNS}
    seen: set[str] = set()
    for row_number, row in _rows(path, columns):
        record = record_standardise(row, columns)
        if not record["unique_id"]:
            raise LinkageError(f"{path}: row {row_number} has an empty id ({columns['id']})")
        if record["unique_id"] in seen:
            raise LinkageError(f"{path}: row {row_number} repeats the id {record['unique_id']!r}")
        seen.add(record["unique_id"])
        for name in COLUMNS:
            out[name].append(record[name])
    return out


def _rows(path: Path, columns: dict[str, str]) -> Iterator[tuple[int, dict[str, str]]]:
    if not path.is_file():
        raise LinkageError(f"{path}: no such file")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [column for column in columns.values() if column not in header]
        if missing:
            raise LinkageError(f"{path}: mapped column(s) not in the file: {', '.join(missing)}")
        yield from enumerate(reader, start=2)


def record_standardise(row: dict[str, str], columns: dict[str, str]) -> dict[str, object]:
    """One CSV row (mapped through `columns`) -> the standard columns; unusable values become None."""

    def value(name: str) -> str:
        return (row.get(columns[name]) or "").strip() if name in columns else ""

    dob, swapped, year = birth_date_parse(value("birth_date"))
    return {
        "unique_id": value("id"),
        **_names(value("full_name"), value("last_name"), value("first_name")),
        "dob": dob,
        "dob_swapped": swapped,
        "dob_year": year,
        "sex": _SEX.get(fold(value("sex")), fold(value("sex")) or None),
        "phone": phone_key(value("phone")),
        "unit": fold(value("address_unit")) or None,
    }


def _names(full: str, last: str, first: str) -> dict[str, str | None]:
    """Vietnamese order is family name first: 'Nguyễn Văn An' -> surname 'nguyen', given 'an'."""
    name = clean_name(full or f"{last} {first}")
    words = fold(name).split()
    surname = fold(last) if last else (words[0] if words else "")
    given = fold(first) if first else (words[-1] if len(words) > 1 else "")
    return {
        "name": name or None,
        "name_fold": " ".join(words) or None,
        "name_sorted": " ".join(sorted(words)) or None,
        "surname": surname or None,
        "given": given or None,
    }


def birth_date_parse(raw: str) -> tuple[str | None, str | None, int | None]:
    """(ISO date, ISO date with day and month swapped, year); a bare year gives (None, None, year).

    Slashed dates are read day first; the swapped reading is kept (when it is a different, valid date)
    so the comparison can recognise a source that wrote month first, instead of guessing here.
    """
    if match := _YEAR.match(raw):
        return None, None, int(match[1])
    if match := _ISO.match(raw):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DAY_FIRST.match(raw):
        day, month, year = (int(part) for part in match.groups())
    else:
        return None, None, None
    parsed = _date(year, month, day)
    if parsed is None:
        parsed = _date(year, day, month)  # 03/25/1990: only the month-first reading exists
        return (parsed.isoformat(), None, year) if parsed else (None, None, year)
    swapped = _date(year, day, month) if day != month else None
    return parsed.isoformat(), swapped.isoformat() if swapped else None, year


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def phone_key(raw: str) -> str | None:
    """E.164 for a Vietnamese number; any other number as its digits, so foreign data still compares."""
    if not raw:
        return None
    try:
        return normalise_phone(raw)
    except IdentityError:
        return _NON_DIGITS.sub("", raw) or None
