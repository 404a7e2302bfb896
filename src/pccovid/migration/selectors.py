"""Reads of the staging area: import runs and their rejects, staged records."""

from django.db.models import QuerySet

from pccovid.migration.models import ImportReject, ImportRun, StagedRecord


def import_run_done(*, source: str, file_hash: str) -> ImportRun | None:
    """The finished run of this very file, if any: importing it again adds nothing."""
    runs = ImportRun.objects.filter(source=source, file_hash=file_hash, status=ImportRun.Status.DONE)
    return runs.order_by("-finished_at").first()


def import_run_unfinished(*, source: str, file_hash: str) -> ImportRun | None:
    """The latest run of this file that was killed or failed: the next import resumes it."""
    runs = ImportRun.objects.filter(source=source, file_hash=file_hash).exclude(status=ImportRun.Status.DONE)
    return runs.order_by("-started_at", "-pk").first()


def import_rejects(*, run: ImportRun) -> QuerySet[ImportReject]:
    return ImportReject.objects.filter(run=run).order_by("row", "pk")


def staged_records(*, source: str | None = None) -> QuerySet[StagedRecord]:
    records = StagedRecord.objects.all()
    return records.filter(source=source) if source else records
