"""API push of legacy records (issue 7: "sources that keep sending data update existing records instead of
duplicating them").

A pushed list of rows is one small import run: the rows go through the same adapter and the same batch
writer as an extract file (`services.batch_commit`), so a known record id with a new row updates its
staged record, the same row again is unchanged, and a bad row is rejected with the adapter's reason. The
per-row answer is read back from what the writer committed (its rejects) and from the content hashes the
records had before.
"""

import hashlib
import json
from dataclasses import dataclass

from django.db import transaction

from pccovid.core import clock
from pccovid.core.errors import ApplicationError, Forbidden
from pccovid.migration import adapters, services
from pccovid.migration.adapters import Cleaner, Row
from pccovid.migration.formats import ExtractFormat
from pccovid.migration.models import ImportRun, StagedRecord

MAX_ROWS = 1000
STAGED, UPDATED, UNCHANGED, REJECTED = "staged", "updated", "unchanged", "rejected"


class PushError(ApplicationError):
    code = "legacy_push"


@dataclass(frozen=True)
class RowResult:
    row: int  # 1-based position in the pushed list
    record_id: str
    status: str
    field: str = ""
    reason: str = ""


@dataclass(frozen=True)
class PushReport:
    run: ImportRun
    results: list[RowResult]


@transaction.atomic
def records_push(*, assignment, source: str, rows: list[dict[str, str]]) -> PushReport:
    """Stage `rows` (the source's extract fields, as text) as one import run; report each row."""
    if assignment is None or not assignment.allows("legacy.import"):
        raise Forbidden("Only a data engineer sends legacy records.")
    extract = adapters.extract_of(source)
    if len(rows) > MAX_ROWS:
        raise PushError(f"At most {MAX_ROWS} rows per request, not {len(rows)}.", field="rows")
    numbered = [(number, _row_of(extract, row)) for number, row in enumerate(rows, start=1)]
    before = _hashes_before(extract, numbered)
    run = ImportRun.objects.create(
        source=source,
        file_name=f"api push by {assignment.user.get_username()}"[:255],
        file_hash=_payload_hash(numbered),
        started_at=clock.now(),
    )
    if numbered:
        services.batch_commit(run, extract, numbered, Cleaner())
    run.status, run.finished_at = ImportRun.Status.DONE, clock.now()
    run.save(update_fields=["status", "finished_at"])
    return PushReport(run, _results(extract, numbered, before, run))


def _row_of(extract: ExtractFormat, row: dict[str, str]) -> Row | None:
    """The row as a file would give it: exactly the source's fields (None, an unreadable row, when one
    is missing), so the same row pushed or read from a file has the same content hash."""
    if any(name not in row for name in extract.fields):
        return None
    return {name: str(row[name]) for name in extract.fields}


def _hashes_before(extract: ExtractFormat, numbered: list[tuple[int, Row | None]]) -> dict[str, str]:
    ids = {row[extract.record_id] for _, row in numbered if row and row[extract.record_id]}
    staged = StagedRecord.objects.filter(source=extract.source, record_id__in=ids)
    return dict(staged.values_list("record_id", "content_hash"))


def _payload_hash(numbered: list[tuple[int, Row | None]]) -> str:
    text = json.dumps([row for _, row in numbered], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _results(
    extract: ExtractFormat, numbered: list[tuple[int, Row | None]], before: dict[str, str], run: ImportRun
) -> list[RowResult]:
    """Each row's outcome, in order: a committed reject, or what its hash says against the record's
    previous content (staged before, or an earlier row of this very push)."""
    rejects = {reject.row: reject for reject in run.rejects.all()}
    known = dict(before)
    results = []
    for number, row in numbered:
        record_id = row[extract.record_id] if row else ""
        if number in rejects:
            reject = rejects[number]
            results.append(RowResult(number, record_id, REJECTED, reject.field, reject.reason))
            continue
        digest = adapters.content_hash(row)
        status = UNCHANGED if known.get(record_id) == digest else UPDATED if record_id in known else STAGED
        known[record_id] = digest
        results.append(RowResult(number, record_id, status))
    return results
