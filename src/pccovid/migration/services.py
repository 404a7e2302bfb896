"""Import runs (issue 7, item 3): stream an extract through its adapter into the staging table.

Each batch is ONE transaction: its staged records, its rejects, the run's counters and the checkpoint
(`last_committed_row`). A run killed mid-way therefore left whole batches only, and the next import of
the same file (same SHA-256) resumes at the checkpoint; the result equals an uninterrupted run. A file
already imported to the end adds nothing. A record already staged (same source and record id) is left
alone when its raw row is unchanged (content hash) and updated otherwise: that is how delta files work.
"""

import csv
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.db import transaction

from pccovid.core import clock
from pccovid.core.bulk import rows_insert
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


class LegacyImportError(ApplicationError):
    code = "legacy_import"


@dataclass(frozen=True)
class ImportResult:
    run: ImportRun
    already_imported: bool = False
    resumed_from: int = 0  # the checkpoint a resumed run started at (0: a new run)


def legacy_import(
    *, source: str, path: Path, batch: int = 1000, progress: Progress | None = None
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
    for chunk in _chunks(rows, size):
        _batch_commit(run, extract, chunk, cleaner)
        if progress:
            progress(run.last_committed_row, max(total, run.last_committed_row))


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
    existing = {
        record_id: (pk, digest)
        for record_id, pk, digest in StagedRecord.objects.filter(
            source=extract.source, record_id__in=ids
        ).values_list("record_id", "pk", "content_hash")
    }
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


def _sort(
    batch: _Batch, extract: ExtractFormat, number: int, row: Row | None, existing: dict, cleaner: Cleaner
) -> None:
    """File one row into the batch. A record id seen earlier (staged before, or earlier in this batch) is
    unchanged if its raw row is the same, else its record is updated."""
    record_id = row[extract.record_id] if row else ""
    known = batch.inserts.get(record_id) or (batch.updates.get(record_id) or (None, None))[1]
    known_hash = known["content_hash"] if known else existing.get(record_id, (None, None))[1]
    if known_hash and known_hash == adapters.content_hash(row):
        batch.unchanged += 1
        return
    staged = adapters.record_stage(extract, number, row, cleaner)
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
    fields = [*_STAGED_FIELDS, "run_id", "created_at", "updated_at"]
    rows = (
        (*(values[name] for name in _STAGED_FIELDS), run.pk, now, now) for values in batch.inserts.values()
    )
    rows_insert(StagedRecord, fields, rows)
    updates = [
        StagedRecord(pk=pk, **values, run_id=run.pk, updated_at=now) for pk, values in batch.updates.values()
    ]
    StagedRecord.objects.bulk_update(updates, [*_STAGED_FIELDS, "run_id", "updated_at"])
    ImportReject.objects.bulk_create(
        ImportReject(run=run, row=r.row, record_id=r.record_id, field=r.field, reason=r.reason)
        for r in batch.rejects
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
