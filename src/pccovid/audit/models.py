"""The append-only trail of every read of a person's data by an official.

No code path updates or deletes a row: the model and its queryset refuse, and a database trigger
refuses UPDATE and DELETE on PostgreSQL and SQLite alike (see the migration).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pccovid.accounts.models import Role


class AppendOnlyError(RuntimeError):
    pass


class Purpose(models.TextChoices):
    EPIDEMIC_CONTROL = "epidemic_control", _("Epidemic control")
    CASE_INVESTIGATION = "case_investigation", _("Case investigation")
    CONTACT_TRACING = "contact_tracing", _("Contact tracing")
    TESTING = "testing", _("Testing")
    VACCINATION = "vaccination", _("Vaccination")
    DATA_QUALITY = "data_quality", _("Data quality")
    CITIZEN_SUPPORT = "citizen_support", _("Helping the citizen")
    NATIONAL_REPORTING = "national_reporting", _("Reporting to the national level")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit rows are append-only.")

    def delete(self):
        raise AppendOnlyError("Audit rows are append-only.")


class PersonalDataRead(models.Model):
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=30, choices=Role.choices)
    unit = models.ForeignKey("geography.AdminUnit", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("identity.Person", on_delete=models.PROTECT, related_name="+")
    fields = models.JSONField()
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    reason = models.CharField(max_length=200, help_text="Why the person was in reach: residence or a grant.")
    at = models.DateTimeField()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["person", "-at"]), models.Index(fields=["actor", "-at"])]
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.actor_id} read {self.person_id} at {self.at:%Y-%m-%d %H:%M} ({self.purpose})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit rows are append-only.")
