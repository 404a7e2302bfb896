"""Epidemic levels (Resolution 128/NQ-CP, Decision 4800/QĐ-BYT) and what they are computed from.

- `UnitLevel`: the daily history, one row per (unit, day), with the figures and the rule cell behind the
  level, so a level stays explainable after the rules change (`rules_version`, `adjustment`).
- `Capacity`: a unit's treatment capacity as the unit declares it; a new row per entry, the latest wins.
- `ProvinceAdjustment`: a province's own thresholds (Resolution 128 lets a province adjust the criteria),
  append-only: each row is its own audit record (who, when, why, what, from when).
- `CareNeed`: a person needing priority care (chronic illness, pregnancy, disability...), noted by a
  commune official, so the household risk class can find "unvaccinated and in need of priority care".
Household risk classes are computed on the fly from the members (`services.household_risks`), not stored:
they change with every case, order and dose, and one residential group is a few hundred households.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    GREEN = 1, _("Green (low risk)")
    YELLOW = 2, _("Yellow (medium risk)")
    ORANGE = 3, _("Orange (high risk)")
    RED = 4, _("Red (very high risk)")


class UnitLevel(models.Model):
    unit = models.ForeignKey("geography.AdminUnit", on_delete=models.CASCADE, related_name="+")
    on = models.DateField()
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    figures = models.JSONField(help_text="Population, cases, coverage, capacity: what the level reads.")
    cell = models.CharField(
        max_length=80, help_text="The rule cell that applied, e.g. 'band 2, coverage high'."
    )
    reason = models.TextField(
        help_text="The figures and the cell in one sentence (English; pages re-render)."
    )
    rules_version = models.CharField(max_length=60)
    adjustment = models.ForeignKey(
        "ProvinceAdjustment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "on"], name="risk_unitlevel_once_a_day"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=4), name="risk_unitlevel_level"),
        ]
        indexes = [models.Index(fields=["on", "unit"], name="risk_unitlevel_day")]

    def __str__(self) -> str:
        return f"{self.unit_id} on {self.on}: level {self.level}"


class Capacity(models.Model):
    """Criterion 3 of Decision 4800: can the unit treat its cases (beds, intensive care, home-care teams)?
    `enough` is what the unit declares for its level; the counts are shown beside it."""

    unit = models.ForeignKey("geography.AdminUnit", on_delete=models.CASCADE, related_name="+")
    beds = models.PositiveIntegerField()
    icu_beds = models.PositiveIntegerField()
    home_care_teams = models.PositiveIntegerField()
    enough = models.BooleanField()
    note = models.CharField(max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["unit", "entered_at"], name="risk_capacity_latest")]

    def __str__(self) -> str:
        return f"{self.unit_id} at {self.entered_at}: {'enough' if self.enough else 'not enough'}"


class ProvinceAdjustment(models.Model):
    """A province's thresholds from `effective_from` on (the latest row in force wins). `values` holds only
    the keys the province changed (see `rules.ADJUSTABLE`). Never updated: a change is a new row."""

    province = models.ForeignKey("geography.AdminUnit", on_delete=models.PROTECT, related_name="+")
    values = models.JSONField()
    reason = models.TextField()
    effective_from = models.DateField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["province", "effective_from"], name="risk_adjustment_province")]

    def __str__(self) -> str:
        return f"{self.province_id} from {self.effective_from}: {self.values}"


class CareNeedKind(models.TextChoices):
    CHRONIC_ILLNESS = "chronic_illness", _("Chronic illness")
    PREGNANT = "pregnant", _("Pregnant")
    DISABILITY = "disability", _("Disability")
    BEDRIDDEN = "bedridden", _("Bedridden or living alone and frail")


class CareNeedQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True)


class CareNeed(models.Model):
    person = models.ForeignKey("identity.Person", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=CareNeedKind.choices)
    note = models.CharField(max_length=200, blank=True)
    noted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    noted_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = CareNeedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind"], condition=Q(ended_at__isnull=True), name="risk_careneed_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.person_id}"


# Counters: what the levels read, kept per unit as cases and doses arrive (see docs/risk.md, "Computing") --


class UnitPopulation(models.Model):
    """The people living in one unit (its own residents, not those of the units below it) aged `min_age`
    or more (0: everyone), and how many of them had a first dose. Set by the recount (`counters_rebuild`,
    ages as of `counted_at`'s day); a first dose recorded later adds 1 (`services.on_dose_recorded`)."""

    unit = models.ForeignKey("geography.AdminUnit", on_delete=models.CASCADE, related_name="+")
    min_age = models.PositiveSmallIntegerField()
    people = models.PositiveIntegerField()
    first_dosed = models.PositiveIntegerField()
    counted_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "min_age"], name="risk_unitpopulation_band")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.min_age}+: {self.first_dosed}/{self.people}"


class UnitDayCases(models.Model):
    """New cases opened in one unit on one local day, by origin (`tracing.selectors.new_case_counts`).
    Only days with a case have a row; `CaseDayCounted` says which days are counted at all."""

    unit = models.ForeignKey("geography.AdminUnit", on_delete=models.CASCADE, related_name="+")
    on = models.DateField()
    imported = models.PositiveIntegerField()
    in_quarantine = models.PositiveIntegerField()
    community = models.PositiveIntegerField()
    total = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "on"], name="risk_unitdaycases_once")]
        indexes = [models.Index(fields=["on"], name="risk_unitdaycases_day")]

    def __str__(self) -> str:
        return f"{self.unit_id} on {self.on}: {self.community} community of {self.total}"


class CaseDayCounted(models.Model):
    """A local day whose cases were counted into `UnitDayCases` from the case rows for the whole country;
    cases opened afterwards reach it through `tracing.case_opened`. A day without this row is counted
    from the rows the first time a computation needs it."""

    on = models.DateField(primary_key=True)
    counted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"cases of {self.on} counted at {self.counted_at}"


class CountedEvent(models.Model):
    """An event already added to the counters: a retried or concurrent handler adds it only once. Rows
    older than the last full recount are deleted by it (the recount's stamp covers them)."""

    event_id = models.UUIDField(primary_key=True)
    counted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"event {self.event_id}"
