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
    """The person's linked legacy records, newest first, with their provenance and what their merge created
    (`effects`: a test result or declaration is shown by its own app's page, not again from the record)."""
    links = RecordLink.objects.filter(person=person, status=RecordLink.Status.LINKED)
    links = links.select_related("staged_record").prefetch_related("field_values", "effects")
    return sorted(links, key=lambda link: merge_record_date(link.staged_record) or dt.date.min, reverse=True)


def import_runs_recent(*, limit: int = 20) -> QuerySet[ImportRun]:
    """The latest import runs, newest first (runs hold no personal data: counts and a file name)."""
    return ImportRun.objects.order_by("-started_at", "-pk")[:limit]


def import_run_get(*, run_id: int) -> ImportRun | None:
    return ImportRun.objects.filter(pk=run_id).first()


def link_run_last() -> LinkRun | None:
    return LinkRun.objects.order_by("-started_at", "-pk").first()


# --- City operations (issue 8) ---
# Counts for the data-quality panel: aggregates, no audit. The jurisdiction of a staged record is its
# place (on the unit's map edition); of a review pair or a "not mine" request, the person's residence (as
# the consoles restrict them); of a "dose missing" request, the vaccination site's unit.


def rejects_by_source() -> dict[str, dict[str, int]]:
    """source -> {"runs", "rows_read", "rejected"} over every import run. Rejected rows carry no place, so
    these counts are the whole installation's. One query on the small runs table."""
    from django.db.models import Count, Sum

    rows = (
        ImportRun.objects.values("source")
        .annotate(runs=Count("pk"), rows_read=Sum("rows_read"), rejected=Sum("rejected"))
        .order_by("source")
    )
    return {row.pop("source"): row for row in rows}


def _units_inside(unit):
    from pccovid.core.querysets import units_within

    return units_within(unit)


def staged_by_source(*, unit) -> dict[str, dict[str, int]]:
    """source -> {"staged", "unlinked"} of the staged records placed inside `unit` (by the place on the
    unit's edition of the map); "unlinked": no accepted link to a person yet (none, waiting for review,
    rejected or undone). One grouped query."""
    from django.db.models import Count, Q

    place = "unit_2021_id" if unit.edition == "2021" else "unit_2025_id"
    linked = Q(link__status=RecordLink.Status.LINKED)
    rows = (
        StagedRecord.objects.filter(**{f"{place}__in": _units_inside(unit)})
        .values("source")
        .annotate(staged=Count("pk"), unlinked=Count("pk", filter=~linked))
        .order_by("source")
    )
    return {row.pop("source"): row for row in rows}


def staged_unplaced_by_source() -> dict[str, dict[str, int]]:
    """source -> {"staged", "unlinked"} of the staged records with no place on either map (they belong to
    no jurisdiction until linked). One grouped query."""
    from django.db.models import Count, Q

    rows = (
        StagedRecord.objects.filter(unit_2021__isnull=True, unit_2025__isnull=True)
        .values("source")
        .annotate(staged=Count("pk"), unlinked=Count("pk", filter=~Q(link__status=RecordLink.Status.LINKED)))
        .order_by("source")
    )
    return {row.pop("source"): row for row in rows}


def review_by_source(*, unit) -> dict[str, int]:
    """source -> pairs waiting for a data engineer's review, of people living inside `unit`."""
    from django.db.models import Count

    rows = (
        RecordLink.objects.filter(
            status=RecordLink.Status.REVIEW, person__residence_unit_id__in=_units_inside(unit)
        )
        .values_list("staged_record__source")
        .annotate(n=Count("pk"))
        .order_by("staged_record__source")
    )
    return dict(rows)


def corrections_open_by_source(*, unit) -> dict[str, int]:
    """source of the record -> open "this record is not mine" requests of people living inside `unit`."""
    from django.db.models import Count

    from pccovid.migration.models import CorrectionRequest

    rows = (
        CorrectionRequest.objects.filter(
            kind=CorrectionRequest.Kind.NOT_MINE,
            status=CorrectionRequest.Status.OPEN,
            person__residence_unit_id__in=_units_inside(unit),
        )
        .values_list("link__staged_record__source")
        .annotate(n=Count("pk"))
        .order_by("link__staged_record__source")
    )
    return {source or "": n for source, n in rows}


def corrections_open_by_site(*, unit) -> list[tuple[str, str, int]]:
    """(site code, site name, open "a dose is missing" requests) of the vaccination sites inside `unit`
    that have any, by code."""
    from django.db.models import Count

    from pccovid.migration.models import CorrectionRequest

    rows = (
        CorrectionRequest.objects.filter(
            kind=CorrectionRequest.Kind.DOSE_MISSING,
            status=CorrectionRequest.Status.OPEN,
            site__unit_id__in=_units_inside(unit),
        )
        .values_list("site__code", "site__name")
        .annotate(n=Count("pk"))
        .order_by("site__code")
    )
    return list(rows)
