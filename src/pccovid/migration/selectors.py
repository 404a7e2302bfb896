"""Reads of the staging area: import runs and their rejects, staged records."""

import datetime as dt

from django.db.models import QuerySet

from pccovid.audit import services as audit_services
from pccovid.audit.models import Purpose
from pccovid.core.errors import NotFound
from pccovid.identity.models import Person
from pccovid.migration.merge import record_date as merge_record_date
from pccovid.migration.models import ImportReject, ImportRun, LinkRun, RecordLink, StagedRecord

# What a review page shows of the person beside the legacy record.
PAIR_FIELDS = ["full_name", "birth_date", "sex", "residence_unit", "identifiers"]


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


def review_queue(*, assignment, limit: int = 50) -> QuerySet[RecordLink]:
    """Pairs waiting for a data engineer of the assignment's jurisdiction, the likeliest first."""
    links = RecordLink.objects.restrict_to(assignment, "legacy.review").filter(
        status=RecordLink.Status.REVIEW
    )
    return links.select_related("staged_record", "person").order_by("-probability", "pk")[:limit]


def review_count(*, assignment) -> int:
    links = RecordLink.objects.restrict_to(assignment, "legacy.review")
    return links.filter(status=RecordLink.Status.REVIEW).count()


def review_pair(*, assignment, link_id: int) -> RecordLink:
    """One pair, side by side: the legacy record and the person. Showing the person is audited."""
    link = (
        RecordLink.objects.restrict_to(assignment, "legacy.review")
        .select_related("staged_record", "staged_record__unit_2025", "person", "person__residence_unit")
        .filter(pk=link_id)
        .first()
    )
    if link is None:
        raise NotFound(f"No review pair {link_id} in your jurisdiction.")
    audit_services.personal_data_reads_record(
        assignment=assignment, persons=[link.person], fields=PAIR_FIELDS, purpose=Purpose.DATA_QUALITY
    )
    return link


def legacy_records_of(*, person: Person) -> list[RecordLink]:
    """The person's linked legacy records, newest first, with their provenance (the citizen's own view)."""
    links = RecordLink.objects.filter(person=person, status=RecordLink.Status.LINKED)
    links = links.select_related("staged_record").prefetch_related("field_values")
    return sorted(links, key=lambda link: merge_record_date(link.staged_record) or dt.date.min, reverse=True)


def import_runs_recent(*, limit: int = 20) -> QuerySet[ImportRun]:
    """The latest import runs, newest first (runs hold no personal data: counts and a file name)."""
    return ImportRun.objects.order_by("-started_at", "-pk")[:limit]


def import_run_get(*, run_id: int) -> ImportRun | None:
    return ImportRun.objects.filter(pk=run_id).first()


def link_run_last() -> LinkRun | None:
    return LinkRun.objects.order_by("-started_at", "-pk").first()
