"""Staging of legacy records (issue 7, item 3): what each import run read, cleaned and kept.

A staged record is one row of one source, cleaned but not yet linked to a person. Linkage reads these
rows; nothing here writes into identity, tracing or vaccination.
"""

from django.conf import settings
from django.db import models

from pccovid.core.querysets import JurisdictionQuerySet
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
    total_rows = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Data rows of the file (lines, or the sheet's rows), counted at the start.",
    )
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
    street_key = models.CharField(
        max_length=200, blank=True, help_text="House number and street, folded ('125/7 le loi')."
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


class LinkRun(models.Model):
    """One probabilistic linking run: its thresholds (from the `linkage` rule set), counts and the trained
    Fellegi-Sunter model (Splink's JSON), kept so any link's weight can be explained later."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=32, blank=True, help_text="Empty: every source.")
    rules_version = models.CharField(max_length=30)
    link_threshold = models.FloatField()
    review_threshold = models.FloatField()
    considered = models.PositiveIntegerField(default=0)
    linked = models.PositiveIntegerField(default=0)
    review = models.PositiveIntegerField(default=0)
    model = models.JSONField(default=dict)
    note = models.CharField(max_length=300, blank=True, help_text="Why nothing could be scored, if so.")

    def __str__(self) -> str:
        return f"link run {self.pk} ({self.started_at:%Y-%m-%d %H:%M})"


class RecordLinkQuerySet(JurisdictionQuerySet):
    person_lookup = "person"


class RecordLink(models.Model):
    """The person a staged record belongs to, and how that was decided (issue 7, item 5).

    Deterministic links carry no weight; probabilistic ones carry the match weight and probability and
    explain each comparison. A pair between the two thresholds waits in `review` until a data engineer
    (`decided_by`) accepts it (`linked`) or rejects it. An `undone` link was a wrong merge taken back.
    A record with any link row is never proposed again by an automatic run."""

    class Method(models.TextChoices):
        CCCD = "cccd"
        CMND_IDENTIFIER = "cmnd_identifier"
        CMND_REGISTER = "cmnd_register"
        HEALTH_INSURANCE = "health_insurance"
        SOCIAL_INSURANCE = "social_insurance"  # another card of the same person: its last 10 digits
        PROBABILISTIC = "probabilistic"
        PHONE_CLAIM = "phone_claim"  # a phone-only record, claimed by the citizen who proved the phone

    class Status(models.TextChoices):
        LINKED = "linked"
        REVIEW = "review"
        REJECTED = "rejected"
        UNDONE = "undone"

    staged_record = models.OneToOneField(StagedRecord, on_delete=models.CASCADE, related_name="link")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=24, choices=Method.choices)
    weight = models.FloatField(null=True, blank=True)
    probability = models.FloatField(null=True, blank=True)
    explanation = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.LINKED)
    run = models.ForeignKey(LinkRun, on_delete=models.PROTECT, null=True, blank=True, related_name="links")
    merged = models.BooleanField(default=False, help_text="Provenance and records written for the person.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    objects = RecordLinkQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["method"]),
            models.Index(fields=["status", "-probability"], name="recordlink_status_probability"),
            models.Index(fields=["person", "status"], name="recordlink_person_status"),
        ]

    def __str__(self) -> str:
        return f"{self.staged_record_id} -> {self.person_id} ({self.method}, {self.status})"


class FieldValue(models.Model):
    """Provenance (issue 7, item 6): a value one legacy record gives for one of a person's fields.

    The person's own fields come from the population register and are never overwritten by a legacy
    value: a value that agrees `confirms` it, one that differs is kept as an `alternative`, and a value
    the person lacked (a health-insurance card) is `added` as an identifier. Undoing the link deletes
    these rows with it."""

    class Role(models.TextChoices):
        CONFIRMS = "confirms"
        ALTERNATIVE = "alternative"
        ADDED = "added"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    link = models.ForeignKey(RecordLink, on_delete=models.CASCADE, related_name="field_values")
    field = models.CharField(max_length=24)
    value = models.CharField(max_length=200)
    role = models.CharField(max_length=12, choices=Role.choices)
    source = models.CharField(max_length=32)
    observed_on = models.DateField(null=True, blank=True, help_text="When the source recorded it.")

    class Meta:
        indexes = [models.Index(fields=["person", "field"])]

    def __str__(self) -> str:
        return f"{self.person_id}.{self.field}={self.value} ({self.role}, {self.source})"


class LinkEffect(models.Model):
    """A row a merge created outside this app (a dose, a test result, a declaration, an identifier): what
    undoing the link deletes."""

    class Kind(models.TextChoices):
        DOSE = "dose"
        IDENTIFIER = "identifier"
        TEST = "test"
        DECLARATION = "declaration"

    link = models.ForeignKey(RecordLink, on_delete=models.CASCADE, related_name="effects")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} of link {self.link_id}"


class CorrectionRequest(models.Model):
    """A citizen's "this record is not mine" or "a dose is missing" (issue 7, item 6).

    It goes to whoever owns the record: a data engineer for a linked legacy record, the vaccination site
    (`site`) for a missing dose; `outcome` is what the citizen is told."""

    class Kind(models.TextChoices):
        NOT_MINE = "not_mine"
        DOSE_MISSING = "dose_missing"

    class Status(models.TextChoices):
        OPEN = "open"
        ACCEPTED = "accepted"
        REJECTED = "rejected"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    link = models.ForeignKey(RecordLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    site = models.ForeignKey(
        "vaccination.VaccinationSite", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    details = models.JSONField(default=dict, help_text="What the citizen said: dose number, date, place.")
    message = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "kind"]), models.Index(fields=["person", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} of {self.person_id} ({self.status})"
