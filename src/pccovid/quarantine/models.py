"""Quarantine (F1) and isolation (F0) orders, the places that hold people, daily health reports, the alerts
they raise, and the tests each order schedules.

Each order stores the rule set (domain and version) that computed its dates and tests, so a December 2021
order stays explainable after the February 2022 rules arrive.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pccovid.core.querysets import JurisdictionQuerySet


class FacilityKind(models.TextChoices):
    FACILITY = "facility", _("Quarantine facility")
    HOSPITAL = "hospital", _("Hospital")


class Facility(models.Model):
    """A concentrated quarantine facility or a hospital, with its number of beds."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    unit = models.ForeignKey("geography.AdminUnit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=FacilityKind.choices, default=FacilityKind.FACILITY)
    capacity = models.PositiveIntegerField()
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "facilities"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class OrderKind(models.TextChoices):
    ISOLATION = "isolation", _("Isolation (F0)")
    QUARANTINE = "quarantine", _("Quarantine (F1)")


class Place(models.TextChoices):
    HOME = "home", _("At home")
    FACILITY = "facility", _("At a facility")
    HOSPITAL = "hospital", _("In hospital")


class OrderStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RELEASED = "released", _("Released")
    CONVERTED = "converted", _("Converted to isolation (tested positive)")
    CANCELLED = "cancelled", _("Cancelled")


class OrderQuerySet(JurisdictionQuerySet):
    person_lookup = "person"


class Order(models.Model):
    """One person's quarantine or isolation. Day 1 is `starts_on`; `ends_on` is the last day; self-monitoring
    follows until `monitor_until`; `test_days` are the day numbers of the scheduled tests. `unit` is the
    commune that follows the person (their residence when ordered)."""

    person = models.ForeignKey("identity.Person", on_delete=models.PROTECT, related_name="quarantine_orders")
    kind = models.CharField(max_length=10, choices=OrderKind.choices)
    place = models.CharField(max_length=10, choices=Place.choices)
    facility = models.ForeignKey(
        Facility, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    case = models.ForeignKey(
        "tracing.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contact = models.ForeignKey(
        "tracing.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("geography.AdminUnit", on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField()
    monitor_until = models.DateField(null=True, blank=True)
    test_days = models.JSONField(default=list)
    basis = models.CharField(max_length=200, help_text="Why these dates: vaccinated, recovered, or neither.")
    status = models.CharField(max_length=10, choices=OrderStatus.choices, default=OrderStatus.ACTIVE)
    released_at = models.DateTimeField(null=True, blank=True)
    release_code = models.TextField(blank=True, help_text="The signed release certificate.")
    converted_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="converted_from"
    )
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ordered_at = models.DateTimeField()
    rules_domain = models.CharField(max_length=40)
    rules_version = models.CharField(max_length=30)

    objects = OrderQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="active"), name="quarantine_one_active_order"
            ),
            models.CheckConstraint(
                condition=Q(place="home", facility__isnull=True) | ~Q(place="home"),
                name="quarantine_home_has_no_facility",
            ),
            models.CheckConstraint(condition=Q(starts_on__lte=models.F("ends_on")), name="quarantine_dates"),
        ]
        indexes = [
            models.Index(fields=["unit", "status"], name="quarantine_order_unit"),
            models.Index(fields=["facility", "status"], name="quarantine_order_facility"),
            models.Index(fields=["starts_on", "ends_on"], name="quarantine_order_days"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.person_id} {self.starts_on}..{self.ends_on}"


class DailyReport(models.Model):
    """The person's health on one day of their order (temperature in °C, symptom codes)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="reports")
    on = models.DateField()
    temperature = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    symptoms = models.JSONField(default=list)
    note = models.CharField(max_length=300, blank=True)
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order", "on"], name="quarantine_report_once_a_day")]

    def __str__(self) -> str:
        return f"report of {self.order_id} on {self.on}"


class AlertKind(models.TextChoices):
    MISSED_REPORT = "missed_report", _("No daily report")
    SYMPTOMS = "symptoms", _("Symptoms reported")
    FEVER = "fever", _("Fever reported")


class Alert(models.Model):
    """Something the commune official must look at, one per (order, kind, day)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=15, choices=AlertKind.choices)
    on = models.DateField()
    detail = models.CharField(max_length=300, blank=True)
    raised_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order", "kind", "on"], name="quarantine_alert_once")]
        indexes = [models.Index(fields=["resolved_at", "on"], name="quarantine_alert_open")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.order_id} on {self.on}"


class ScheduledTest(models.Model):
    """A test an order calls for on day `day_number`: a to-do of `site` until a result of the person
    sampled on or after `due_on` arrives."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="scheduled_tests")
    day_number = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    site = models.ForeignKey(
        "testing.TestSite", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.ForeignKey(
        "testing.TestResult", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "day_number"], name="quarantine_test_once_per_day")
        ]
        indexes = [models.Index(fields=["site", "done_at", "due_on"], name="quarantine_test_todo")]

    def __str__(self) -> str:
        return f"day {self.day_number} test of {self.order_id}"
