"""Import runs (issue 7, item 3): stream an extract through its adapter into the staging table.

Each batch is ONE transaction: its staged records, its rejects, the run's counters and the checkpoint
(`last_committed_row`). A run killed mid-way therefore left whole batches only, and the next import of
the same file (same SHA-256) resumes at the checkpoint; the result equals an uninterrupted run. A file
already imported to the end adds nothing. A record already staged (same source and record id) is left
alone when its raw row is unchanged (content hash) and updated otherwise: that is how delta files work.
"""

import contextlib
import csv
import hashlib
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.db import connections, router, transaction

from pccovid.core import clock
from pccovid.core.errors import ApplicationError
from pccovid.migration import adapters, selectors
from pccovid.migration.adapters import Cleaner, Reject, Row
from pccovid.migration.formats import ExtractFormat
from pccovid.migration.models import ImportReject, ImportRun, StagedRecord

Progress = Callable[[int, int], None]  # (data rows done, data rows in the file)

_STAGED_FIELDS = [
    "source", "record_id", "raw", "full_name", "name_key", "name_sorted_key", "birth_date", "birth_year",
    "birth_precision", "birth_alternative", "sex", "phone", "cccd", "cmnd", "health_insurance",
    "unit_2021_id", "unit_2025_id", "payload", "flags", "content_hash",
]  # fmt: skip
_COUNTERS = ("rows_read", "staged", "unchanged", "updated", "rejected")
REJECT_FIELDS = ("row", "record_id", "field", "reason")
_IN_SIZE = 900  # ids per IN (...): under SQLite's old limit of 999 parameters


class LegacyImportError(ApplicationError):
    code = "legacy_import"


@dataclass(frozen=True)
class ImportResult:
    run: ImportRun
    already_imported: bool = False
    resumed_from: int = 0  # the checkpoint a resumed run started at (0: a new run)


def legacy_import(
    *, source: str, path: Path, batch: int = 10_000, progress: Progress | None = None
) -> ImportResult:
    """Import `path` as `source`'s extract: new, resumed, or (file already done) nothing."""
    if batch < 1:
        raise LegacyImportError(f"--batch must be at least 1, not {batch}.")
    extract = adapters.extract_of(source)
    adapters.file_check(extract, path)
    next(adapters.rows_read(extract, path), None)  # a wrong header fails here, before a run exists
    digest = _file_hash(path)
    if done := selectors.import_run_done(source=source, file_hash=digest):
        return ImportResult(done, already_imported=True)
    run = selectors.import_run_unfinished(source=source, file_hash=digest) or _run_start(
        extract, path, digest
    )
    resumed_from = run.last_committed_row
    try:
        _run_stream(run, extract, path, batch, progress)
    except Exception as error:
        ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.FAILED, error=str(error)[:500])
        raise
    _run_finish(run)
    return ImportResult(run, resumed_from=resumed_from)


def _file_hash(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            sha.update(chunk)
    return sha.hexdigest()


def _run_start(extract: ExtractFormat, path: Path, digest: str) -> ImportRun:
    return ImportRun.objects.create(
        source=extract.source, file_name=path.name, file_hash=digest, started_at=clock.now()
    )


def _run_stream(run: ImportRun, extract: ExtractFormat, path: Path, size: int, progress: Progress | None):
    total = adapters.rows_count(extract, path) if progress else 0
    if run.status != ImportRun.Status.RUNNING:
        run.status, run.error = ImportRun.Status.RUNNING, ""
        run.save(update_fields=["status", "error"])
    cleaner = Cleaner()
    rows = adapters.rows_read(extract, path, skip=run.last_committed_row)
    if progress:
        progress(run.last_committed_row, total)
    with _sqlite_bulk():
        for chunk in _chunks(rows, size):
            _batch_commit(run, extract, chunk, cleaner)
            if progress:
                progress(run.last_committed_row, max(total, run.last_committed_row))


_SQLITE_BULK = {"synchronous": "NORMAL", "cache_size": str(-256 * 1024)}  # cache_size < 0: KiB


@contextlib.contextmanager
def _sqlite_bulk() -> Iterator[None]:
    """SQLite tuned for the run, as it was afterwards. `synchronous=NORMAL` (the database runs in WAL mode,
    see `settings`): a commit appends to the WAL without waiting for fsync (the WAL is synced at
    checkpoints). A killed process loses nothing committed; a power cut can lose the last batches, but
    each batch holds its own checkpoint, so the resume still starts where the data ends. A 256 MiB page
    cache (default 2 MiB): the staging table's indexes (name, phone, CCCD, CMND...) take random inserts,
    which past the default cache read and write back pages for every batch. Profiled on 200,000 rows:
    in batches of 1,000 with the default cache, the INSERTs and commits took 17 s of 59 s; in batches of
    10,000 (the default) with this cache, 6 s of 30 s. Other databases,
    and a run inside an outer transaction (whose batches commit nothing; SQLite refuses the first pragma
    there), are left as they are."""
    connection = connections[router.db_for_write(StagedRecord)]
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        before = {name: str(cursor.execute(f"PRAGMA {name}").fetchone()[0]) for name in _SQLITE_BULK}
        for name, value in _SQLITE_BULK.items():
            cursor.execute(f"PRAGMA {name}={value}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name, value in before.items():
                cursor.execute(f"PRAGMA {name}={value}")


def _chunks(rows: Iterator[tuple[int, Row | None]], size: int) -> Iterator[list[tuple[int, Row | None]]]:
    while chunk := list(islice(rows, size)):
        yield chunk


@dataclass
class _Batch:
    """One batch sorted into new records, updates of staged ones, and rejects."""

    inserts: dict[str, dict]
    updates: dict[str, tuple[int, dict]]
    rejects: list[Reject]
    unchanged: int = 0
    updated: int = 0


@transaction.atomic
def _batch_commit(
    run: ImportRun, extract: ExtractFormat, chunk: list[tuple[int, Row | None]], cleaner: Cleaner
):
    ids = [row[extract.record_id] for _, row in chunk if row and row[extract.record_id]]
    existing = _staged_hashes(extract.source, ids)
    batch = _Batch({}, {}, [])
    for number, row in chunk:
        _sort(batch, extract, number, row, existing, cleaner)
    now = clock.now()
    _write(run, batch, now)
    run.rows_read += len(chunk)
    run.staged += len(batch.inserts)
    run.unchanged += batch.unchanged
    run.updated += batch.updated
    run.rejected += len(batch.rejects)
    run.last_committed_row += len(chunk)
    run.save(update_fields=[*_COUNTERS, "last_committed_row"])


def _staged_hashes(source: str, ids: list[str]) -> dict[str, tuple[int, str]]:
    """{record id: (pk, content hash)} of the ids already staged for `source`. Plain SQL: the ORM's
    `record_id__in` prepares each of the batch's ids one by one."""
    if not ids:
        return {}
    connection = connections[router.db_for_write(StagedRecord)]
    table = connection.ops.quote_name(StagedRecord._meta.db_table)
    pk = connection.ops.quote_name(StagedRecord._meta.pk.column)
    found: dict[str, tuple[int, str]] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(ids), _IN_SIZE):
            part = ids[start : start + _IN_SIZE]
            cursor.execute(
                f"SELECT record_id, {pk}, content_hash FROM {table} "
                f"WHERE source = %s AND record_id IN ({', '.join(['%s'] * len(part))})",
                [source, *part],
            )
            found.update((record_id, (pk, digest)) for record_id, pk, digest in cursor.fetchall())
    return found


def _sort(
    batch: _Batch, extract: ExtractFormat, number: int, row: Row | None, existing: dict, cleaner: Cleaner
) -> None:
    """File one row into the batch. A record id seen earlier (staged before, or earlier in this batch) is
    unchanged if its raw row is the same, else its record is updated."""
    record_id = row[extract.record_id] if row else ""
    known = batch.inserts.get(record_id) or (batch.updates.get(record_id) or (None, None))[1]
    known_hash = known["content_hash"] if known else existing.get(record_id, (None, None))[1]
    digest = adapters.content_hash(row) if row else ""
    if known_hash and known_hash == digest:
        batch.unchanged += 1
        return
    staged = adapters.record_stage(extract, number, row, cleaner, digest=digest)
    if isinstance(staged, Reject):
        batch.rejects.append(staged)
    elif record_id in batch.inserts:
        batch.inserts[record_id] = staged
        batch.updated += 1
    elif record_id in existing:
        batch.updates[record_id] = (existing[record_id][0], staged)
        batch.updated += 1
    else:
        batch.inserts[record_id] = staged


def _write(run: ImportRun, batch: _Batch, now) -> None:
    _staged_insert(run, list(batch.inserts.values()), now)
    updates = [
        StagedRecord(pk=pk, **values, run_id=run.pk, updated_at=now) for pk, values in batch.updates.values()
    ]
    StagedRecord.objects.bulk_update(updates, [*_STAGED_FIELDS, "run_id", "updated_at"])
    ImportReject.objects.bulk_create(
        ImportReject(run=run, row=r.row, record_id=r.record_id, field=r.field, reason=r.reason)
        for r in batch.rejects
    )


_PLAIN_FIELDS = tuple(
    name
    for name in _STAGED_FIELDS
    if name not in ("raw", "payload", "flags", "birth_date", "birth_alternative")
)


def _staged_insert(run: ImportRun, records: list[dict], now) -> None:
    """One `executemany` INSERT of the batch's new records. Like `core.bulk.rows_insert`, but only the five
    columns that need it go through an adapter (JSON, date), and the flags' JSON (a handful of distinct
    lists) is encoded once per batch: at 20,000 rows/s the generic per-value path was a quarter of the
    import."""
    if not records:
        return
    connection = connections[router.db_for_write(StagedRecord)]
    ops, quote = connection.ops, connection.ops.quote_name
    names = [*_PLAIN_FIELDS, "raw", "payload", "flags", "birth_date", "birth_alternative"]
    columns = [StagedRecord._meta.get_field(name).column for name in names]
    sql = (
        f"INSERT INTO {quote(StagedRecord._meta.db_table)} "
        f"({', '.join(quote(c) for c in [*columns, 'run_id', 'created_at', 'updated_at'])}) "
        f"VALUES ({', '.join(['%s'] * (len(columns) + 3))})"
    )
    plain, json_, date = operator.itemgetter(*_PLAIN_FIELDS), ops.adapt_json_value, ops.adapt_datefield_value
    flags_json: dict[tuple[str, ...], object] = {}
    stamp = ops.adapt_datetimefield_value(now)
    rows = []
    for record in records:
        flags = tuple(record["flags"])
        if flags not in flags_json:
            flags_json[flags] = json_(list(flags), None)
        rows.append(
            (*plain(record), json_(record["raw"], None), json_(record["payload"], None), flags_json[flags],
             date(record["birth_date"]), date(record["birth_alternative"]), run.pk, stamp, stamp)
        )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _run_finish(run: ImportRun) -> None:
    """Write the reject report (CSV) from the committed rejects and close the run."""
    report = Path(settings.VAR_DIR) / "imports" / f"{run.pk}-rejects.csv"
    report.parent.mkdir(parents=True, exist_ok=True)
    with report.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REJECT_FIELDS)
        for reject in selectors.import_rejects(run=run).iterator():
            writer.writerow([getattr(reject, name) for name in REJECT_FIELDS])
    run.status, run.finished_at, run.reject_report = ImportRun.Status.DONE, clock.now(), str(report)
    run.save(update_fields=["status", "finished_at", "reject_report"])
