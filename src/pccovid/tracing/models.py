"""Cases (F0), their contacts (F1, F2) and the evidence that links each contact to the case.

A contact is one row per (case, person): found through several paths, the person is listed once, with
every path (`ContactPath`) and the closest degree. Indexes serve named queries:
- Case `(person)` with "one open case": the positive-result handler attaches to the open case;
- Case `(unit, opened_at)`: the tracer's case list and the counts per unit and day;
- Contact `(person, status)`: a citizen's exposure alerts, and conversion when a contact tests positive;
- Contact `(unit, found_at)`: the queue of the unit the contact lives in, and the counts per unit and day.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pccovid.core.querysets import JurisdictionQuerySet, units_within

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_case_code() -> str:
    """ "F0-" and 8 characters without look-alikes (0/O, 1/I): read out over the phone between tracers."""
    return "F0-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


class CaseSource(models.TextChoices):
    TEST_RESULT = "test_result", _("Positive test result")
    MANUAL = "manual", _("Opened by a tracer")


class IsolationPlace(models.TextChoices):
    HOME = "home", _("At home")
    FACILITY = "facility", _("At a facility")
    HOSPITAL = "hospital", _("In hospital")


class Outcome(models.TextChoices):
    RECOVERED = "recovered", _("Recovered")
    HOSPITALISED = "hospitalised", _("Hospitalised")
    DECEASED = "deceased", _("Deceased")


class CaseQuerySet(JurisdictionQuerySet):
    person_lookup = "person"

    def restrict_to(self, assignment, action: str = "case.view") -> "CaseQuerySet":
        """A case is in reach of the officials of the unit that manages it (and of the units above), wherever
        its person or contacts live: one indexed match on `unit_id` (the `(unit, opened_at)` index)."""
        if assignment is None or not assignment.allows(action):
            return self.none()
        return self.filter(unit_id__in=units_within(assignment.unit))


class Case(models.Model):
    """A confirmed case. `unit` is the commune that manages it (the person's residence when it opened);
    tracers of that unit (and above) see the case and its contacts wherever those live."""

    code = models.CharField(max_length=12, unique=True, default=new_case_code, editable=False)
    person = models.ForeignKey("identity.Person", on_delete=models.PROTECT, related_name="cases")
    unit = models.ForeignKey("geography.AdminUnit", on_delete=models.PROTECT, related_name="cases")
    source = models.CharField(max_length=15, choices=CaseSource.choices)
    reason = models.CharField(max_length=300, blank=True, help_text="Why a tracer opened it by hand.")
    test_result = models.ForeignKey(
        "testing.TestResult", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    onset_date = models.DateField(null=True, blank=True, help_text="First symptoms, when known.")
    sample_taken_at = models.DateTimeField(null=True, blank=True)
    infectious_from = models.DateTimeField()
    isolated_at = models.DateTimeField(help_text="End of the infectious period that tracing looks at.")
    isolation_place = models.CharField(max_length=10, choices=IsolationPlace.choices, default="home")
    outcome = models.CharField(max_length=15, choices=Outcome.choices, blank=True)
    outcome_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contacts_found_at = models.DateTimeField(null=True, blank=True)
    rules_version = models.CharField(max_length=30)

    objects = CaseQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(closed_at__isnull=True), name="tracing_one_open_case"
            ),
            models.CheckConstraint(
                condition=Q(infectious_from__lte=models.F("isolated_at")), name="tracing_period_order"
            ),
        ]
        indexes = [models.Index(fields=["unit", "opened_at"], name="tracing_case_unit_day")]

    def __str__(self) -> str:
        return f"{self.code} ({self.person_id})"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class CaseTest(models.Model):
    """A positive result attached to a case: the one that opened it, and any later one while it is open."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tests")
    test_result = models.OneToOneField("testing.TestResult", on_delete=models.PROTECT, related_name="+")
    attached_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.test_result_id} in {self.case_id}"


class ContactStatus(models.TextChoices):
    FOUND = "found", _("Found")
    NOTIFIED = "notified", _("Notified")
    QUARANTINED = "quarantined", _("In quarantine")
    RELEASED = "released", _("Released")
    CONVERTED = "converted", _("Became a case (F0)")
    DISMISSED = "dismissed", _("Dismissed by a tracer")


class ContactQuerySet(JurisdictionQuerySet):
    person_lookup = "person"


class Contact(models.Model):
    """One person found around one case. `degree` is the closest (1 = F1, 2 = F2); `last_exposure_at` the
    latest moment of contact on any path (quarantine counts from it); `unit` the contact's residence when
    found (their commune's queue)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    person = models.ForeignKey("identity.Person", on_delete=models.PROTECT, related_name="contacts")
    unit = models.ForeignKey("geography.AdminUnit", on_delete=models.PROTECT, related_name="+")
    degree = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=ContactStatus.choices, default=ContactStatus.FOUND)
    first_exposure_at = models.DateTimeField()
    last_exposure_at = models.DateTimeField()
    found_at = models.DateTimeField()
    notified_at = models.DateTimeField(null=True, blank=True)
    converted_case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="source_contacts"
    )

    objects = ContactQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="tracing_contact_once_per_case"),
            models.CheckConstraint(condition=Q(degree__gte=1), name="tracing_contact_degree"),
        ]
        indexes = [
            models.Index(fields=["person", "status"], name="tracing_contact_person"),
            models.Index(fields=["unit", "found_at"], name="tracing_contact_unit_day"),
        ]

    def __str__(self) -> str:
        return f"F{self.degree} {self.person_id} of {self.case_id}"


class PathKind(models.TextChoices):
    COPRESENCE = "copresence", _("Same place, same time")
    VEHICLE = "vehicle", _("Same flight, train or coach")
    HOUSEHOLD = "household", _("Same household")
    DECLARED = "declared", _("Named by the case or a tracer")


class ContactPath(models.Model):
    """One piece of evidence: `via` (the case's person, or an F1 for an F2) met the contact this way.
    `key` identifies the evidence (kind, via, venue or vehicle, moment) so finding contacts again adds
    nothing twice."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="paths")
    kind = models.CharField(max_length=12, choices=PathKind.choices)
    degree = models.PositiveSmallIntegerField()
    via = models.ForeignKey("identity.Person", on_delete=models.PROTECT, related_name="+")
    venue = models.ForeignKey(
        "checkins.Venue", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(help_text="When the contact happened (or the day's start, for a vehicle).")
    detail = models.CharField(max_length=200, blank=True, help_text="Vehicle number, or the tracer's note.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    key = models.CharField(max_length=120)
    found_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contact", "key"], name="tracing_path_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
