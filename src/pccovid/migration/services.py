"""Import runs (issue 7, item 3): stream an extract through its adapter into the staging table.

Each batch is ONE transaction: its staged records, its rejects, the run's counters and the checkpoint
(`last_committed_row`). A run killed mid-way therefore left whole batches only, and the next import of
the same file (same SHA-256) resumes at the checkpoint; the result equals an uninterrupted run. A file
already imported to the end adds nothing. A record already staged (same source and record id) is left
alone when its raw row is unchanged (content hash) and updated otherwise: that is how delta files work.

A file of more than one batch is read, hashed, cleaned and written by worker processes (`WORKERS`),
alternate batches each, committed in file order as above (each worker in its turn, which this process
hands out): the same transactions, the same result as doing it all here (`workers=0`). See
docs/performance.md, "Legacy import".
"""

import contextlib
import csv
import ctypes
import hashlib
import itertools
import json
import multiprocessing
import operator
import os
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.db import connections, router, transaction

from pccovid.core import bulk, clock
from pccovid.core.errors import ApplicationError
from pccovid.migration import adapters, selectors
from pccovid.migration.adapters import Cleaner, Reject, Row
from pccovid.migration.formats import ExtractFormat
from pccovid.migration.models import ImportReject, ImportRun, StagedRecord

Progress = Callable[[int, int], None]  # (data rows done, data rows in the file)

_STAGED_FIELDS = [
    "source", "record_id", "raw", "full_name", "name_key", "name_sorted_key", "birth_date", "birth_year",
    "birth_precision", "birth_alternative", "sex", "phone", "cccd", "cmnd", "health_insurance",
    "unit_2021_id", "unit_2025_id", "street_key", "payload", "flags", "content_hash",
]  # fmt: skip
_COUNTERS = ("rows_read", "staged", "unchanged", "updated", "rejected")
_CHECKPOINTED = (*_COUNTERS, "last_committed_row")  # what each batch saves on its run
REJECT_FIELDS = ("row", "record_id", "field", "reason")
_IN_SIZE = 900  # ids per IN (...): under SQLite's old limit of 999 parameters


PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies


class LegacyImportError(ApplicationError):
    code = "legacy_import"


@dataclass(frozen=True)
class ImportResult:
    run: ImportRun
    already_imported: bool = False
    resumed_from: int = 0  # the checkpoint a resumed run started at (0: a new run)


def legacy_import(
    *,
    source: str,
    path: Path,
    batch: int = 10_000,
    progress: Progress | None = None,
    workers: int | None = None,
) -> ImportResult:
    """Import `path` as `source`'s extract: new, resumed, or (file already done) nothing. `workers`: the
    processes that read and clean the rows while this one writes (default `WORKERS`; 0: all in this
    process). The result is the same either way."""
    if batch < 1:
        raise LegacyImportError(f"--batch must be at least 1, not {batch}.")
    if workers is not None and workers < 0:
        raise LegacyImportError(f"--workers must be at least 0, not {workers}.")
    extract = adapters.extract_of(source)
    adapters.file_check(extract, path)
    next(adapters.rows_read(extract, path), None)  # a wrong header fails here, before a run exists
    digest = file_hash(path)
    if done := selectors.import_run_done(source=source, file_hash=digest):
        return ImportResult(done, already_imported=True)
    run = selectors.import_run_unfinished(source=source, file_hash=digest) or _run_start(
        extract, path, digest
    )
    resumed_from = run.last_committed_row
    try:
        _run_stream(run, extract, path, batch, progress, WORKERS if workers is None else workers)
    except Exception as error:
        ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.FAILED, error=str(error)[:500])
        raise
    _run_finish(run)
    return ImportResult(run, resumed_from=resumed_from)


def file_hash(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            sha.update(chunk)
    return sha.hexdigest()


def _run_start(extract: ExtractFormat, path: Path, digest: str) -> ImportRun:
    return ImportRun.objects.create(
        source=extract.source,
        file_name=path.name,
        file_hash=digest,
        started_at=clock.now(),
        total_rows=adapters.rows_count(extract, path),
    )


def _run_stream(
    run: ImportRun, extract: ExtractFormat, path: Path, size: int, progress: Progress | None, workers: int
):
    changed = ["status", "error"]
    if run.total_rows is None:  # a run started before the field existed
        run.total_rows = adapters.rows_count(extract, path)
        changed.append("total_rows")
    run.status, run.error = ImportRun.Status.RUNNING, ""
    run.save(update_fields=changed)
    cleaner = Cleaner()
    if progress:
        progress(run.last_committed_row, run.total_rows)
    remaining = max(run.total_rows - run.last_committed_row, 0)
    with bulk.sqlite_tuned(_writer()), _indexes_deferred() as deferral, bulk.gc_paused():
        if workers and remaining > size and _forkable():
            batches = _batches_forked(run, extract, path, size, cleaner, workers)
        else:
            batches = _batches_here(run, extract, path, size, cleaner)
        staged, done = run.staged, run.last_committed_row
        for _ in batches:
            deferral.consider(
                run.staged - staged, run.last_committed_row - done, run.total_rows - run.last_committed_row
            )
            staged, done = run.staged, run.last_committed_row
            if progress:
                progress(run.last_committed_row, max(run.total_rows, run.last_committed_row))


def _writer():
    return connections[router.db_for_write(StagedRecord)]


DEFER_INDEXES_FROM = 100_000  # rows left to import from which the secondary indexes may wait
# The indexes a big load goes in without: text keys, whose rows land all over the index. Those of the run
# and the two units (a few hundred values, each row landing at the end of its value's range) cost less
# to keep than to build again while the import waits.
_DEFERRABLE = ("name_key", "phone", "cccd", "cmnd")


class _Deferral:
    """SQLite: a big load goes in without the staging table's indexes on text keys (`_DEFERRABLE`: name
    key, phone, CCCD, CMND), built again when the run ends, failed or not: one sort per index instead of a
    random insert per row and index (on 300,000 rows, 8.6 s of 36 s of CPU against 2 s to build all seven
    secondary indexes again; the three on the run and units take half of that, and little to keep).
    Decided after each batch: when it added new records for at least half its rows and the rows left are
    at least `DEFER_INDEXES_FROM` and at least half the table (a re-import of unchanged rows, or a small
    delta into a big table, keeps its indexes). Nothing reads them during an import (linking reads staged
    records by source and pk); the unique (source, record id) index, which the delta check reads, always
    stays. A killed run leaves them missing until the next import of any file builds them: every run
    starts by making sure they exist."""

    def __init__(self, connection):
        self.connection = connection
        self.creates = _secondary_indexes(connection)
        self.dropped = False

    def consider(self, inserted: int, rows: int, remaining: int) -> None:
        if self.dropped or inserted * 2 < rows or remaining < DEFER_INDEXES_FROM:
            return
        table = self.connection.ops.quote_name(StagedRecord._meta.db_table)
        with self.connection.cursor() as cursor:
            if remaining * 2 < (cursor.execute(f"SELECT max(id) FROM {table}").fetchone()[0] or 0):
                return
            for name in self.creates:
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        self.dropped = True

    def restore(self) -> None:
        with self.connection.cursor() as cursor:
            for sql in self.creates.values():
                cursor.execute(sql)


class _NoDeferral:
    def consider(self, inserted: int, rows: int, remaining: int) -> None:
        return None


@contextlib.contextmanager
def _indexes_deferred() -> Iterator["_Deferral | _NoDeferral"]:
    connection = _writer()
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield _NoDeferral()
        return
    deferral = _Deferral(connection)
    deferral.restore()  # those a killed run left missing
    try:
        yield deferral
    finally:
        if deferral.dropped:
            deferral.restore()


def _secondary_indexes(connection) -> dict[str, str]:
    """{name: CREATE INDEX IF NOT EXISTS ...} of the staging table's indexes on text keys, as the model (and
    so the migrations) define them."""
    with connection.schema_editor(collect_sql=True, atomic=False) as editor:
        statements = [
            str(statement)
            for name in _DEFERRABLE
            for statement in editor._field_indexes_sql(StagedRecord, StagedRecord._meta.get_field(name))
        ]
    found = {}
    for sql in statements:
        if sql.startswith("CREATE INDEX "):
            found[sql.split('"')[1]] = sql.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)
    return found


def _chunks(rows: Iterator[tuple[int, Row | None]], size: int) -> Iterator[list[tuple[int, Row | None]]]:
    while chunk := list(islice(rows, size)):
        yield chunk


# A row made ready to write: (row number, record id, content hash, the row's hash as staged before
# `adapters.content_hash_v1` or None, what to write). The old-style hash is computed only for a row whose
# record is staged with another hash. What to write is the values of `_COLUMNS` (a tuple), a Reject, or
# the row's values (a list, in the source's field order) when it matched the staged hash and was
# therefore not cleaned: `_entries_commit` cleans it only if it turns out to have changed since.
Entry = tuple[int, str, str, str | None, "tuple | Reject | list[str]"]

_COLUMNS = (
    "source", "record_id", "full_name", "name_key", "name_sorted_key", "birth_year", "birth_precision", "sex",
    "phone", "cccd", "cmnd", "health_insurance", "unit_2021_id", "unit_2025_id", "street_key", "content_hash",
    "raw", "payload", "flags", "birth_date", "birth_alternative",
)  # fmt: skip
assert sorted(_COLUMNS) == sorted(_STAGED_FIELDS)
_PLAIN = operator.itemgetter(*_COLUMNS[:16])
_JSON = json.JSONEncoder().encode  # what Django's JSONField writes (`json.dumps(value)`)


class _Preparer:
    """Rows to entries: hash, clean, validate and encode (JSON, dates) each row; the JSON of a record's
    flags (a handful of distinct lists) is encoded once."""

    def __init__(self, extract: ExtractFormat, cleaner: Cleaner):
        self.extract, self.cleaner = extract, cleaner
        self.flags: dict[tuple[str, ...], str] = {}

    def entries(self, chunk: list[tuple[int, Row | None]], staged: dict[str, tuple[int, str]]) -> list[Entry]:
        record_id, entries = self.extract.record_id, []
        for number, row in chunk:
            if row is None:
                entries.append((number, "", "", None, Reject(number, "", "", "unreadable_row")))
                continue
            key, raw = row[record_id], adapters.raw_json(row)
            digest = adapters.raw_hash(raw)
            known = staged.get(key)
            old = adapters.content_hash_v1(row) if known and known[1] != digest else None
            if known and known[1] in (digest, old):
                entries.append((number, key, digest, old, list(row.values())))
            else:
                entries.append((number, key, digest, old, self.values(number, row, digest, raw)))
        return entries

    def values(self, number: int, row: Row, digest: str, raw: str | None = None) -> "tuple | Reject":
        record = adapters.record_stage(self.extract, number, row, self.cleaner, digest=digest)
        if isinstance(record, Reject):
            return record
        flags = tuple(record["flags"])
        if (flags_json := self.flags.get(flags)) is None:
            flags_json = self.flags[flags] = _JSON(list(flags))
        born, alternative = record["birth_date"], record["birth_alternative"]
        return (
            *_PLAIN(record), raw or adapters.raw_json(row), adapters.raw_json(record["payload"]), flags_json,
            born and born.isoformat(), alternative and alternative.isoformat(),
        )  # fmt: skip


def _batches_here(run: ImportRun, extract: ExtractFormat, path: Path, size: int, cleaner: Cleaner):
    """Read, clean and write each batch in this process; yields after each committed batch."""
    preparer = _Preparer(extract, cleaner)
    for chunk in _chunks(adapters.rows_read(extract, path, skip=run.last_committed_row), size):
        _batch_commit(run, extract, chunk, preparer)
        yield


def batch_commit(
    run: ImportRun, extract: ExtractFormat, chunk: list[tuple[int, Row | None]], cleaner: Cleaner
) -> None:
    """One batch of rows, committed with the run's counters and checkpoint (also the API push's writer)."""
    _batch_commit(run, extract, chunk, _Preparer(extract, cleaner))


def _batch_commit(
    run: ImportRun, extract: ExtractFormat, chunk: list[tuple[int, Row | None]], preparer: "_Preparer"
) -> None:
    with transaction.atomic(using=_writer().alias):
        staged = _staged_hashes(extract.source, _ids(extract, chunk))
        _entries_commit(run, extract, preparer.entries(chunk, staged), preparer, staged)


def _ids(extract: ExtractFormat, chunk: list[tuple[int, Row | None]]) -> list[str]:
    return [row[extract.record_id] for _, row in chunk if row and row[extract.record_id]]


# ------------------------------------------------------------------------ batches in other processes

WORKERS = 2  # processes that read, clean and write the batches, in turns; this one only hands out turns
_INHERITED: list = []  # the parent's database connections, kept (never closed) in a worker
Counters = tuple[int, ...]  # the run's `_CHECKPOINTED` values, as a worker's turn passes them


def _forkable() -> bool:
    """Workers are forked processes with their own database connection: not from inside a transaction
    (they would not see its rows, nor it theirs), not on an in-memory SQLite database, nor where `fork` is
    missing."""
    connection = _writer()
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and not connection.in_atomic_block
        and not (connection.vendor == "sqlite" and connection.is_in_memory_db())
    )


def _counters(run: ImportRun) -> Counters:
    return tuple(getattr(run, name) for name in _CHECKPOINTED)


def _counters_set(run: ImportRun, values: Counters) -> None:
    for name, value in zip(_CHECKPOINTED, values, strict=True):
        setattr(run, name, value)


def _batches_forked(
    run: ImportRun, extract: ExtractFormat, path: Path, size: int, cleaner: Cleaner, workers: int
):
    """Batch k is read, hashed, cleaned, encoded and then written by worker k % `workers`: each reads the
    whole file, prepares its next batch, and waits for its turn to commit it, which this process hands
    out in file order, with the run's counters, as soon as the batch before is committed; it yields
    after each. So every batch is one transaction with its checkpoint, written exactly as `_batches_here`
    writes it, while the other worker prepares the next one, and no batch's rows travel between
    processes. A worker skips cleaning rows whose hash equals the one staged when it looked; in its
    turn it looks again and cleans any such row that did change in between (an earlier batch updated it)."""
    context = multiprocessing.get_context("fork")
    channels, processes = [], []
    first_of_source = not selectors.staged_records(source=extract.source).exists()
    try:
        for index in range(workers):
            here, there = context.Pipe()
            process = context.Process(
                target=_worker,
                args=(there, run, extract, path, size, index, workers, cleaner, first_of_source),
                daemon=True,
                name=f"pccovid-import-{index}",
            )
            process.start()
            there.close()
            channels.append(here)
            processes.append(process)
        for number in itertools.count():
            kind, value = _turn(channels[number % workers], _counters(run))
            if kind == "end":
                return
            if kind == "adapter_error":
                raise adapters.AdapterError(value)
            if kind == "error":
                raise LegacyImportError(f"An import worker process failed: {value}")
            _counters_set(run, value)
            yield
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()
        for channel in channels:
            channel.close()


def _turn(channel, counters: Counters) -> tuple[str, object]:
    """Give a worker its turn; its answer: ("written", counters after its batch), ("end", None) when it
    has no batch left, or why it failed (a worker that failed before its turn said so already)."""
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        channel.send(counters)
    try:
        return channel.recv()
    except (EOFError, ConnectionResetError):
        raise LegacyImportError("An import worker process ended unexpectedly.") from None


def _die_with_parent() -> None:  # pragma: no cover
    """A parent killed mid-run must not leave its workers waiting for a turn for ever (a later worker holds
    a copy of an earlier one's channel, so no EOF comes): Linux's PR_SET_PDEATHSIG kills them. A worker
    killed inside its turn leaves its batch uncommitted, as a killed single process would."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:  # the parent died before that took effect
        os._exit(0)


def _connections_own() -> None:  # pragma: no cover
    """In a forked worker: its own database connections, opened on first use; the parent's stay open."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None:
            _INHERITED.append(connection.connection)  # the parent's: closing it here would harm it
        connection.connection = None
        connection.in_atomic_block, connection.savepoint_ids, connection.atomic_blocks = False, [], []
        connection.needs_rollback, connection.run_on_commit = False, []


def _worker(
    channel, run, extract, path, size, index, workers, cleaner, first_of_source
) -> None:  # pragma: no cover
    """In a forked process (the garbage collector paused, as `_run_stream` forked it): prepare batches
    index, index + workers, ... and commit each in its turn.
    `first_of_source`: nothing of the source was staged when the run began, so the only rows whose
    cleaning a look-up could spare are the file's own repeats: no looking up before the turn (in its
    turn, it looks as always)."""
    _die_with_parent()
    _connections_own()
    preparer = _Preparer(extract, cleaner)
    try:
        with bulk.sqlite_tuned(_writer()):
            rows = adapters.rows_read(
                extract, path, skip=run.last_committed_row, wanted=lambda row: row // size % workers == index
            )
            for number, chunk in enumerate(_chunks(rows, size)):
                if number % workers == index:
                    staged = {} if first_of_source else _staged_hashes(extract.source, _ids(extract, chunk))
                    entries = preparer.entries(chunk, staged)
                    _counters_set(run, channel.recv())
                    with transaction.atomic(using=_writer().alias):
                        _entries_commit(run, extract, entries, preparer, None)
                    channel.send(("written", _counters(run)))
            channel.recv()
            channel.send(("end", None))
    except adapters.AdapterError as error:
        channel.send(("adapter_error", str(error.message)))
    except (BrokenPipeError, EOFError):
        pass  # the parent is gone
    except Exception as error:
        channel.send(("error", f"{type(error).__name__}: {error}"[:400]))
    finally:
        connections.close_all()
        channel.close()


# ------------------------------------------------------------------------------------------ writing


def _entries_commit(
    run: ImportRun,
    extract: ExtractFormat,
    entries: list[Entry],
    preparer: _Preparer,
    staged: dict[str, tuple[int, str]] | None,
) -> None:
    """File one batch's entries (in the caller's transaction) and save the counters and checkpoint. A
    record id seen earlier (staged before, or earlier in this batch) is unchanged if its raw row is the
    same, else its record is updated. `staged`: the batch's staged hashes if the caller read them in
    this transaction."""
    if staged is None:
        staged = _staged_hashes(extract.source, [entry[1] for entry in entries if entry[1]])
    inserts: dict[str, tuple] = {}
    updates: dict[str, tuple[int, tuple]] = {}
    hashes: dict[str, str] = {}  # record id -> hash of its newest row in this batch
    rejects: list[Reject] = []
    unchanged = updated = 0
    for number, key, digest, old, prepared in entries:
        known = hashes.get(key) or staged.get(key, (None, None))[1]
        if known and known in (digest, old):
            unchanged += 1
            continue
        if isinstance(prepared, list):  # not cleaned by the worker: its row changed in between
            prepared = preparer.values(number, dict(zip(extract.fields, prepared, strict=True)), digest)
        if isinstance(prepared, Reject):
            rejects.append(prepared)
            continue
        hashes[key] = digest
        if key in inserts:
            inserts[key] = prepared
            updated += 1
        elif key in staged:
            updates[key] = (staged[key][0], prepared)
            updated += 1
        else:
            inserts[key] = prepared
    _write(run, inserts, updates, rejects)
    run.rows_read += len(entries)
    run.staged += len(inserts)
    run.unchanged += unchanged
    run.updated += updated
    run.rejected += len(rejects)
    run.last_committed_row += len(entries)
    run.save(update_fields=list(_CHECKPOINTED))


def _staged_hashes(source: str, ids: list[str]) -> dict[str, tuple[int, str]]:
    """{record id: (pk, content hash)} of the ids already staged for `source`. Plain SQL: the ORM's
    `record_id__in` prepares each of the batch's ids one by one."""
    if not ids:
        return {}
    connection = _writer()
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


def _write(
    run: ImportRun, inserts: dict[str, tuple], updates: dict[str, tuple[int, tuple]], rejects: list[Reject]
) -> None:
    """New records by one `executemany` INSERT, changed ones by one `executemany` UPDATE, of values the
    preparer already encoded (at 20,000 rows/s the ORM's per-value adapters were a quarter of the import);
    then the rejects."""
    connection = _writer()
    quote = connection.ops.quote_name
    table = quote(StagedRecord._meta.db_table)
    columns = [quote(StagedRecord._meta.get_field(name).column) for name in _COLUMNS]
    stamp, run_id = connection.ops.adapt_datetimefield_value(clock.now()), run.pk
    with connection.cursor() as cursor:
        if inserts:
            names = ", ".join([*columns, quote("run_id"), quote("created_at"), quote("updated_at")])
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * (len(columns) + 3))})",
                [(*values, run_id, stamp, stamp) for values in inserts.values()],
            )
        if updates:
            pairs = ", ".join(f"{column} = %s" for column in [*columns, quote("run_id"), quote("updated_at")])
            cursor.executemany(
                f"UPDATE {table} SET {pairs} WHERE {quote(StagedRecord._meta.pk.column)} = %s",
                [(*values, run_id, stamp, pk) for pk, values in updates.values()],
            )
    ImportReject.objects.bulk_create(
        ImportReject(run=run, row=r.row, record_id=r.record_id, field=r.field, reason=r.reason)
        for r in rejects
    )


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
