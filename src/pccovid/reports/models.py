"""What a unit enters on a report form, and what it submits.

Platform figures are not stored here: they are computed from the records each time, and frozen only in a
submission's snapshot. Both tables are append-only in use: an entry changed is a new row (the latest per
field counts, the older ones say who entered what, when), a correction is a new submission version that
points at the one it supersedes.
"""

from django.conf import settings
from django.db import models


class ReportEntry(models.Model):
    """One value a unit entered for one field of one form and period (the period's first day)."""

    unit = models.ForeignKey("geography.AdminUnit", on_delete=models.PROTECT, related_name="+")
    form = models.CharField(max_length=20)
    period_start = models.DateField()
    field = models.CharField(max_length=40)
    value = models.PositiveIntegerField()
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["form", "period_start", "unit"], name="reports_entry_period")]

    def __str__(self) -> str:
        return f"{self.form} {self.period_start} {self.unit_id} {self.field}={self.value}"


class Submission(models.Model):
    """A unit's report as submitted: the figures frozen, then locked. A correction is a new version with
    its reason; the versions it supersedes stay."""

    unit = models.ForeignKey("geography.AdminUnit", on_delete=models.PROTECT, related_name="+")
    form = models.CharField(max_length=20)
    form_version = models.CharField(max_length=20)
    period_start = models.DateField()
    period_end = models.DateField()
    version = models.PositiveSmallIntegerField()
    figures = models.JSONField(help_text="The unit's figures, its children's, and the level changes.")
    reason = models.CharField(max_length=300, blank=True, help_text="Why a correction was made.")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "form", "period_start", "version"], name="reports_submission_version"
            ),
        ]
        indexes = [models.Index(fields=["form", "period_start", "unit"], name="reports_submission_period")]

    def __str__(self) -> str:
        return f"{self.form} {self.period_start} {self.unit_id} v{self.version}"
