"""Staging of legacy records (issue 7, item 3): what each import run read, cleaned and kept.

A staged record is one row of one source, cleaned but not yet linked to a person. Linkage reads these
rows; nothing here writes into identity, tracing or vaccination.
"""

from django.conf import settings
from django.db import models

from pccovid.geography.models import AdminUnit
from pccovid.identity.models import Person


class ImportRun(models.Model):
    """One import of one extract file. `last_committed_row` is the checkpoint: the data rows read so far
    whose results (staged records, rejects, counters) are committed, so a killed run resumes there."""

    class Status(models.TextChoices):
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    source = models.CharField(max_length=32)
    file_name = models.CharField(max_length=255)
    file_hash = models.CharField(max_length=64, help_text="SHA-256 of the file's bytes.")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.RUNNING)
    rows_read = models.PositiveIntegerField(default=0)
    staged = models.PositiveIntegerField(default=0, help_text="New records.")
    unchanged = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    last_committed_row = models.PositiveIntegerField(default=0)
    reject_report = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["source", "file_hash"])]

    def __str__(self) -> str:
        return f"{self.source} {self.file_name} ({self.status})"


class ImportReject(models.Model):
    """A row that could not be used. Written in the batch's transaction (so a resumed run neither loses
    nor repeats one); the CSV report is written from these rows when the run ends."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="rejects")
    row = models.PositiveIntegerField(help_text="As the file shows it: CSV/Excel header is row 1.")
    record_id = models.CharField(max_length=64, blank=True)
    field = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["run", "row", "id"]

    def __str__(self) -> str:
        return f"row {self.row} {self.field}: {self.reason}"


class StagedRecord(models.Model):
    source = models.CharField(max_length=32)
    record_id = models.CharField(max_length=64, help_text="The source's own id of the record.")
    raw = models.JSONField(help_text="The row as read, field by field.")
    full_name = models.CharField(max_length=200, blank=True)
    name_key = models.CharField(max_length=200, blank=True, db_index=True)
    name_sorted_key = models.CharField(max_length=200, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    birth_precision = models.CharField(max_length=8, blank=True)
    birth_alternative = models.DateField(
        null=True, blank=True, help_text="The other reading of an ambiguous day/month."
    )
    sex = models.CharField(max_length=1, blank=True)
    phone = models.CharField(max_length=16, blank=True, db_index=True)
    cccd = models.CharField(max_length=12, blank=True, db_index=True)
    cmnd = models.CharField(max_length=9, blank=True, db_index=True)
    health_insurance = models.CharField(max_length=15, blank=True)
    unit_2021 = models.ForeignKey(
        AdminUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    unit_2025 = models.ForeignKey(
        AdminUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    payload = models.JSONField(default=dict, help_text="Source-specific fields: declaration, dose, test.")
    flags = models.JSONField(default=list, help_text="'field:flag' of every repair or doubt of cleaning.")
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the raw row.")
    run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="records")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "record_id"], name="staged_record_source_record_id")
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.record_id}"


class RecordLink(models.Model):
    """The person a staged record belongs to, and how that was decided (issue 7, item 5).

    Deterministic links carry no weight; the probabilistic step fills `weight` (the match weight) and
    explains each comparison. `decided_by` is the data engineer who accepted a clerical-review pair."""

    class Method(models.TextChoices):
        CCCD = "cccd"
        CMND_IDENTIFIER = "cmnd_identifier"
        CMND_REGISTER = "cmnd_register"
        HEALTH_INSURANCE = "health_insurance"

    class Status(models.TextChoices):
        LINKED = "linked"

    staged_record = models.OneToOneField(StagedRecord, on_delete=models.CASCADE, related_name="link")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=24, choices=Method.choices)
    weight = models.FloatField(null=True, blank=True)
    explanation = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.LINKED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["method"])]

    def __str__(self) -> str:
        return f"{self.staged_record_id} -> {self.person_id} ({self.method})"
