"""Citizen reports (phản ánh) and their status history.

A report names the commune it concerns (`unit`, as the citizen chose it, from the 2025 or the 2021 list)
and carries `commune`, the same place on the current (2025) map, so the queue of a 2025 commune also holds
reports made against its 2021 wards. A report about a person breaking quarantine is free text only: it
links to no person record, so nobody can be looked up or flagged from it.
"""

import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pccovid.core import clock
from pccovid.core.querysets import units_within


def media_root():
    """MEDIA_ROOT when the project sets one, else `VAR_DIR/media` (outside the static files, never served
    by a public URL: photos go out only through the view that checks who asks)."""
    return settings.MEDIA_ROOT or settings.VAR_DIR / "media"


class PhotoStorage(FileSystemStorage):
    """Files under `media_root()`, read from the settings at each use (tests point it at a temporary
    directory). No base URL: a photo has no public address."""

    @property
    def base_location(self):
        return str(media_root())

    @property
    def location(self):
        return str(media_root())

    def url(self, name):
        raise ValueError("Citizen report photos have no public URL; serve them through feedback:photo.")


_photo_storage = PhotoStorage()


def photo_storage() -> PhotoStorage:
    return _photo_storage


def photo_path(instance, filename: str) -> str:
    """A random name (the citizen's file name may say who they are), grouped by month."""
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"feedback/{clock.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class Kind(models.TextChoices):
    NO_CHECKIN = "no_checkin", _("Venue without check-in")
    CROWDED = "crowded", _("Crowded place")
    QUARANTINE_BREACH = "quarantine_breach", _("Person breaking quarantine")
    WRONG_RECORD = "wrong_record", _("Wrong record")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    REJECTED = "rejected", _("Rejected")


class CitizenReportQuerySet(models.QuerySet):
    def restrict_to(self, assignment, action: str = "feedback.handle") -> "CitizenReportQuerySet":
        """Reports whose unit (as chosen, or its 2025 successor) is inside the assignment's unit."""
        if assignment is None or not assignment.allows(action):
            return self.none()
        inside = units_within(assignment.unit)
        return self.filter(Q(unit_id__in=inside) | Q(commune_id__in=inside))


class CitizenReport(models.Model):
    reporter = models.ForeignKey("identity.Person", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    unit = models.ForeignKey("geography.AdminUnit", on_delete=models.PROTECT, related_name="+")
    commune = models.ForeignKey(
        "geography.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The unit on the current (2025) map: the unit itself, or its successor.",
    )
    place = models.CharField(max_length=200, blank=True)
    description = models.TextField()
    photo = models.FileField(storage=photo_storage, upload_to=photo_path, blank=True)
    photo_content_type = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    status_changed_at = models.DateTimeField()
    rules_version = models.CharField(max_length=20)
    created_at = models.DateTimeField(db_index=True)

    objects = CitizenReportQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["reporter", "-created_at"]),
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["commune", "status"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} in {self.unit_id} ({self.status})"

    @property
    def reference(self) -> str:
        return f"PA-{self.pk:06d}"


class CitizenReportEvent(models.Model):
    """One status a report went through, with the note the citizen reads; `by` is the official (None: the
    citizen, when the report was received)."""

    report = models.ForeignKey(CitizenReport, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=20, choices=Status.choices)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    by_unit = models.ForeignKey("geography.AdminUnit", null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id} -> {self.status} at {self.at:%Y-%m-%d %H:%M}"
