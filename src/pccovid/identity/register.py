"""The national population database (Ministry of Public Security), as pccovid sees it.

PC-Covid cross-checked people against the population database. pccovid reads it through one interface,
`PopulationRegister`; the implementation here, `ExtractRegister`, answers from the last extract loaded
with `register_extract_import` (a CSV delivered by the ministry). A live connection would be a second
implementation of the same interface.
"""

import contextlib
import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from django.db import transaction
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from pccovid.core import clock
from pccovid.core.errors import ApplicationError
from pccovid.core.text import clean_name
from pccovid.identity import validators
from pccovid.identity.models import RegisterRecord

EXTRACT_HEADER = ("so_dinh_danh", "cmnd_cu", "ho_ten", "ngay_sinh", "gioi_tinh", "ma_xa", "dia_chi", "ma_ho",
                  "so_dien_thoai")  # fmt: skip
BATCH_SIZE = 5_000
_COMMUNE_CODE = re.compile(r"\d{5}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATA_FIELDS = (
    "old_cmnd",
    "full_name",
    "birth_date",
    "sex",
    "unit_code",
    "address_line",
    "household_code",
    "phone",
)


@dataclass(frozen=True)
class RegisterEntry:
    """One person as the population register knows them. Absent values are empty strings."""

    national_id: str
    old_cmnd: str
    full_name: str
    birth_date: dt.date
    sex: str
    unit_code: str
    address_line: str
    household_code: str
    phone: str


class PopulationRegister(Protocol):
    def lookup(self, national_id: str) -> RegisterEntry | None: ...

    def lookup_cmnd(self, cmnd: str) -> RegisterEntry | None: ...

    def cccd_by_cmnds(self, cmnds: set[str]) -> dict[str, str]: ...


class ExtractRegister:
    """The register as of the last extract loaded into `RegisterRecord`."""

    def lookup(self, national_id: str) -> RegisterEntry | None:
        return self._first(national_id=_digits(national_id))

    def lookup_cmnd(self, cmnd: str) -> RegisterEntry | None:
        digits = _digits(cmnd)
        return self._first(old_cmnd=digits) if digits else None

    def cccd_by_cmnds(self, cmnds: set[str]) -> dict[str, str]:
        """`lookup_cmnd` in bulk (a legacy file's batch): old CMND -> the CCCD that replaced it."""
        return dict(RegisterRecord.objects.filter(old_cmnd__in=cmnds).values_list("old_cmnd", "national_id"))

    @staticmethod
    def _first(**match: str) -> RegisterEntry | None:
        record = RegisterRecord.objects.filter(**match).first()
        return _entry_of(record) if record else None


class RegisterImportError(ApplicationError):
    code = "register_extract_invalid"


@dataclass(frozen=True)
class RowError:
    """`row` is the line number in the file as a spreadsheet shows it: the header is row 1."""

    row: int
    field: str
    reason: str


@dataclass
class ImportReport:
    path: Path
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RowError] = field(default_factory=list)

    @property
    def rejected_rows(self) -> int:
        return len({error.row for error in self.rejected})


def register_extract_import(*, path: Path, progress: bool = False) -> ImportReport:
    """Load a population register extract. Bad rows are reported and skipped; good rows are upserted by
    national ID in batches, each in its own transaction, so re-importing the same file changes nothing."""
    report = ImportReport(path=path)
    seen: dict[str, dict[str, int]] = {"so_dinh_danh": {}, "cmnd_cu": {}}
    try:
        with _open_extract(path) as handle, _progress_bar(path, enabled=progress) as advance:
            reader = csv.reader(handle)
            _check_header(path, next(reader, None))
            for batch in _batches(reader):
                _import_batch(batch, report=report, seen=seen, extract=path.name)
                advance(handle.buffer.tell())
    except UnicodeDecodeError as error:
        raise RegisterImportError(
            _("%(path)s is not UTF-8 text (byte %(at)d).") % {"path": path, "at": error.start}
        ) from error
    except csv.Error as error:
        raise RegisterImportError(
            _("%(path)s is not a readable CSV file: %(reason)s.") % {"path": path, "reason": error}
        ) from error
    return report


def _open_extract(path: Path) -> io.TextIOWrapper:
    try:
        return path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise RegisterImportError(
            _("Cannot read %(path)s: %(reason)s.") % {"path": path, "reason": error.strerror or error}
        ) from error


@contextlib.contextmanager
def _progress_bar(path: Path, *, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A rich bar over the bytes of the file (on stderr, so stdout keeps only the report)."""
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), disable=not enabled) as bar:
        task = bar.add_task(f"register {path.name}", total=path.stat().st_size)
        yield lambda done: bar.update(task, completed=done)


def _check_header(path: Path, header: list[str] | None) -> None:
    found = tuple(name.strip() for name in header or ())
    if found != EXTRACT_HEADER:
        raise RegisterImportError(
            _("%(path)s: the header must be '%(expected)s', found '%(found)s'.")
            % {"path": path, "expected": ",".join(EXTRACT_HEADER), "found": ",".join(found)}
        )


def _batches(reader: Iterator[list[str]]) -> Iterator[list[tuple[int, list[str]]]]:
    batch: list[tuple[int, list[str]]] = []
    for row_number, row in enumerate(reader, start=2):
        batch.append((row_number, row))
        if len(batch) == BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def _import_batch(
    batch: list[tuple[int, list[str]]], *, report: ImportReport, seen: dict[str, dict[str, int]], extract: str
) -> None:
    """Validate a batch, then write its new and changed rows in one transaction."""
    good: dict[str, tuple[int, RegisterEntry]] = {}
    for row_number, row in batch:
        report.rows += 1
        entry, errors = _parse_row(row_number, row)
        errors = errors or _duplicates(row_number, entry, seen)
        if errors:
            report.rejected.extend(errors)
        else:
            good[entry.national_id] = (row_number, entry)
    _reject_cmnd_held_elsewhere(good, report=report)
    entries = [entry for _row, entry in good.values()]
    with transaction.atomic():
        existing = {r.national_id: r for r in RegisterRecord.objects.filter(national_id__in=list(good))}
        new = [RegisterRecord(extract=extract, **vars(e)) for e in entries if e.national_id not in existing]
        changed = [
            _updated(existing[e.national_id], e, extract)
            for e in entries
            if e.national_id in existing and _entry_of(existing[e.national_id]) != e
        ]
        RegisterRecord.objects.bulk_create(new, batch_size=BATCH_SIZE)
        RegisterRecord.objects.bulk_update(changed, [*_DATA_FIELDS, "extract", "loaded_at"], batch_size=500)
    report.created += len(new)
    report.updated += len(changed)
    report.unchanged += len(entries) - len(new) - len(changed)


def _duplicates(row_number: int, entry: RegisterEntry, seen: dict[str, dict[str, int]]) -> list[RowError]:
    """A person listed twice in one extract: the first row wins, the later ones are reported."""
    errors = []
    for column, value in (("so_dinh_danh", entry.national_id), ("cmnd_cu", entry.old_cmnd)):
        first = seen[column].setdefault(value, row_number) if value else row_number
        if first != row_number:
            errors.append(RowError(row_number, column, _("Also given on row %(row)d.") % {"row": first}))
    return errors


def _reject_cmnd_held_elsewhere(good: dict[str, tuple[int, RegisterEntry]], *, report: ImportReport) -> None:
    """An old CMND number identifies one person: refuse a row whose CMND the register gives to another."""
    by_cmnd = {entry.old_cmnd: entry.national_id for _row, entry in good.values() if entry.old_cmnd}
    holders = RegisterRecord.objects.filter(old_cmnd__in=list(by_cmnd)).values_list("old_cmnd", "national_id")
    for cmnd, holder in holders:
        national_id = by_cmnd[cmnd]
        if holder != national_id:
            row_number, _entry = good.pop(national_id)
            report.rejected.append(
                RowError(row_number, "cmnd_cu", _("This CMND belongs to another person in the register."))
            )


def _entry_of(record: RegisterRecord) -> RegisterEntry:
    return RegisterEntry(
        national_id=record.national_id, **{name: getattr(record, name) for name in _DATA_FIELDS}
    )


def _updated(record: RegisterRecord, entry: RegisterEntry, extract: str) -> RegisterRecord:
    for name in _DATA_FIELDS:
        setattr(record, name, getattr(entry, name))
    record.extract = extract
    record.loaded_at = clock.now()
    return record


def _parse_row(row_number: int, row: list[str]) -> tuple[RegisterEntry | None, list[RowError]]:
    """One CSV row to an entry, or every reason it is wrong."""
    if len(row) != len(EXTRACT_HEADER):
        return None, [
            RowError(
                row_number,
                "",
                _("Expected %(n)d columns, found %(found)d.") % {"n": len(EXTRACT_HEADER), "found": len(row)},
            )
        ]
    values = dict(zip(EXTRACT_HEADER, (value.strip() for value in row), strict=True))
    errors: list[RowError] = []

    def check(column: str, parse: Callable[..., str | dt.date], *args, **kwargs):
        """Run one parser; on failure note why against the column and carry on with the others."""
        try:
            return parse(*args, **kwargs)
        except validators.IdentityError as error:
            errors.append(RowError(row_number, column, str(error.message)))
        return None

    birth_date = check("ngay_sinh", _birth_date, values["ngay_sinh"])
    sex = check("gioi_tinh", _sex, values["gioi_tinh"])
    entry = {
        "national_id": check(
            "so_dinh_danh",
            validators.check_cccd,
            values["so_dinh_danh"],
            sex=sex,
            birth_date=birth_date,
            field="so_dinh_danh",
        ),
        "old_cmnd": check("cmnd_cu", validators.check_cmnd, values["cmnd_cu"]) if values["cmnd_cu"] else "",
        "full_name": check("ho_ten", _name, values["ho_ten"]),
        "birth_date": birth_date,
        "sex": sex,
        "unit_code": check("ma_xa", _commune_code, values["ma_xa"]),
        "address_line": check("dia_chi", _bounded, values["dia_chi"], limit=200),
        "household_code": check("ma_ho", _bounded, values["ma_ho"], limit=24),
        "phone": check("so_dien_thoai", validators.normalise_phone, values["so_dien_thoai"])
        if values["so_dien_thoai"]
        else "",
    }
    return (None, errors) if errors else (RegisterEntry(**entry), [])


def _name(value: str) -> str:
    name = clean_name(value)
    if not name:
        raise validators.IdentityError(_("A full name is required."))
    return _bounded(name, limit=120)


def _birth_date(value: str) -> dt.date:
    born = None
    if _ISO_DATE.fullmatch(value):
        with contextlib.suppress(ValueError):
            born = dt.date.fromisoformat(value)
    if born is None:
        raise validators.IdentityError(_("'%(value)s' is not a date written YYYY-MM-DD.") % {"value": value})
    if born > clock.today():
        raise validators.IdentityError(_("The birth date is in the future."))
    return born


def _sex(value: str) -> str:
    if value not in ("M", "F"):
        raise validators.IdentityError(_("Sex must be M or F, not '%(value)s'.") % {"value": value})
    return value


def _commune_code(value: str) -> str:
    if not _COMMUNE_CODE.fullmatch(value):
        raise validators.IdentityError(_("A commune code has 5 digits, not '%(value)s'.") % {"value": value})
    return value


def _bounded(value: str, *, limit: int) -> str:
    if len(value) > limit:
        raise validators.IdentityError(_("At most %(limit)d characters.") % {"limit": limit})
    return value


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())
