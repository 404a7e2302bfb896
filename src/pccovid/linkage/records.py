"""Read a CSV through its column map into the standard columns the Splink model compares.

Cleaning happens here, in Python, so the SQL that Splink runs stays plain. The rules are the migration's
(`pccovid.migration.cleaning`, one definition, see `docs/rules.md`): names repaired and folded to a
diacritic-free key, birth dates read day first (the Vietnamese order) with the day/month-swapped reading
kept beside them, phones brought to E.164. What a column map of an arbitrary CSV needs beyond them stays
here: a foreign phone compares as its digits, and every full date keeps its swapped reading (a source may
have written month first even where the date is not ambiguous to the cleaning rule).
"""

import csv
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from pccovid.core.text import fold
from pccovid.linkage.config import LinkageError
from pccovid.migration.cleaning import clean_birth_date, clean_name, clean_phone

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
# Read from a CSV too, but optional for other callers (the staged-records path builds its tables with
# `COLUMNS` alone): a column absent from one of the tables is not compared.
OPTIONAL_COLUMNS = ("id_number", "address")

_NON_DIGITS = re.compile(r"\D")
_NON_ALNUM = re.compile(r"[^0-9A-Z]")
_SEX = {"m": "m", "male": "m", "nam": "m", "1": "m", "f": "f", "female": "f", "nu": "f", "0": "f", "2": "f"}


def records_read(path: Path, columns: dict[str, str | tuple[str, ...]]) -> dict[str, list]:
    """The file as standard columns (equal-length lists); refuses a missing file or column, repeated ids."""
    out: dict[str, list] = {name: [] for name in (*COLUMNS, *OPTIONAL_COLUMNS)}
    seen: set[str] = set()
    for row_number, row in _rows(path, columns):
        record = record_standardise(row, columns)
        if not record["unique_id"]:
            raise LinkageError(f"{path}: row {row_number} has an empty id ({columns['id']})")
        if record["unique_id"] in seen:
            raise LinkageError(f"{path}: row {row_number} repeats the id {record['unique_id']!r}")
        seen.add(record["unique_id"])
        for name in out:
            out[name].append(record[name])
    return out


def _rows(path: Path, columns: dict[str, str | tuple[str, ...]]) -> Iterator[tuple[int, dict[str, str]]]:
    if not path.is_file():
        raise LinkageError(f"{path}: no such file")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        mapped = [c for value in columns.values() for c in ((value,) if isinstance(value, str) else value)]
        missing = [column for column in mapped if column not in header]
        if missing:
            raise LinkageError(f"{path}: mapped column(s) not in the file: {', '.join(missing)}")
        yield from enumerate(reader, start=2)


def record_standardise(row: dict[str, str], columns: dict[str, str | tuple[str, ...]]) -> dict[str, object]:
    """One CSV row (mapped through `columns`) -> the standard columns; unusable values become None."""

    def value(name: str) -> str:
        mapped = columns.get(name, ())
        parts = (row.get(column) or "" for column in ((mapped,) if isinstance(mapped, str) else mapped))
        return " ".join(part.strip() for part in parts if part.strip())

    dob, swapped, year = birth_date_parse(value("birth_date"))
    return {
        "unique_id": value("id"),
        **_names(value("full_name"), value("last_name"), value("first_name")),
        "dob": dob,
        "dob_swapped": swapped,
        "dob_year": year,
        "sex": _SEX.get(fold(value("sex")), fold(value("sex")) or None),
        "phone": phone_key(value("phone")),
        "id_number": id_number_key(value("id_number")),
        "address": fold(value("address")) or None,
        "unit": fold(value("address_unit")) or None,
    }


def _names(full: str, last: str, first: str) -> dict[str, str | None]:
    """Vietnamese order is family name first: 'Nguyễn Văn An' -> surname 'nguyen', given 'an'."""
    name = clean_name(full or f"{last} {first}")
    words = name.match_key.split()
    surname = fold(last) if last else (words[0] if words else "")
    given = fold(first) if first else (words[-1] if len(words) > 1 else "")
    return {
        "name": name.value or None,
        "name_fold": name.match_key or None,
        "name_sorted": name.sorted_key or None,
        "surname": surname or None,
        "given": given or None,
    }


def birth_date_parse(raw: str) -> tuple[str | None, str | None, int | None]:
    """(ISO date, ISO date with day and month swapped, year); a bare year gives (None, None, year).

    Read by `clean_birth_date`; the swapped reading is kept whenever it is a different, valid date (not
    only when the rule calls the date ambiguous), so the comparison can recognise a source that wrote
    month first, instead of guessing here.
    """
    cleaned = clean_birth_date(raw)
    value = cleaned.value
    if value is None:
        return None, None, cleaned.year
    swapped = _date(value.year, value.day, value.month) if value.day != value.month else None
    return value.isoformat(), swapped.isoformat() if swapped else None, cleaned.year


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def phone_key(raw: str) -> str | None:
    """E.164 for a Vietnamese number; any other number as its digits, so foreign data still compares."""
    return clean_phone(raw).value or _NON_DIGITS.sub("", raw or "") or None


def id_number_key(raw: str) -> str | None:
    """An identifier as its letters and digits, upper case: '012 345-678' -> '012345678'."""
    return _NON_ALNUM.sub("", fold(raw).upper()) or None
