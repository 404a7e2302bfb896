from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pccovid.core.provenance import legacy_app
from pccovid.core.querysets import JurisdictionQuerySet
from pccovid.declarations.rules import EXPOSURES, SYMPTOMS


class Kind(models.TextChoices):
    DOMESTIC = "domestic", _("Domestic")
    ENTRY = "entry", _("Entry")


class Transport(models.TextChoices):
    PLANE = "plane", _("Plane")
    TRAIN = "train", _("Train")
    COACH = "coach", _("Coach")
    CAR = "car", _("Car")
    MOTORBIKE = "motorbike", _("Motorbike")
    SHIP = "ship", _("Ship")
    OTHER = "other", _("Other")


class Vaccine(models.TextChoices):
    ASTRAZENECA = "astrazeneca", "AstraZeneca (Vaxzevria)"
    PFIZER = "pfizer", "Pfizer-BioNTech (Comirnaty)"
    MODERNA = "moderna", "Moderna (Spikevax)"
    SINOPHARM = "sinopharm", "Sinopharm (Vero Cell)"
    SINOVAC = "sinovac", "Sinovac (CoronaVac)"
    SPUTNIK_V = "sputnik_v", "Sputnik V"
    JANSSEN = "janssen", "Janssen"
    ABDALA = "abdala", "Abdala"
    OTHER = "other", _("Other")


class TestKind(models.TextChoices):
    RT_PCR = "rt_pcr", _("RT-PCR")
    RAPID_ANTIGEN = "rapid_antigen", _("Rapid antigen")


class TestResult(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")


class FollowUp(models.TextChoices):
    NOT_NEEDED = "not_needed", _("Not needed")
    OPEN = "open", _("Waiting for follow-up")
    DONE = "followed_up", _("Followed up")


ANSWER_LABELS = {
    "fever": _("Fever"),
    "cough": _("Cough"),
    "breathlessness": _("Shortness of breath"),
    "sore_throat": _("Sore throat"),
    "loss_of_taste_smell": _("Loss of taste or smell"),
    "fatigue": _("Fatigue"),
    "contact_with_case": _("Contact with a case"),
    "visited_case_place": _("Visited a place with cases"),
    "returned_from_abroad": _("Returned from abroad"),
}


class DeclarationQuerySet(JurisdictionQuerySet):
    person_lookup = "person"


class Declaration(models.Model):
    """A health declaration (domestic or entry) about `person`, filled in by `declared_by`.

    Both kinds share one table: the officials' list filters and the retention purge run on one index.
    Fields of the other kind stay empty.
    """

    kind = models.CharField(max_length=10, choices=Kind.choices)
    person = models.ForeignKey("identity.Person", on_delete=models.PROTECT, related_name="declarations")
    declared_by = models.ForeignKey(
        "identity.Person", on_delete=models.PROTECT, related_name="declarations_made"
    )
    declared_at = models.DateTimeField(db_index=True)
    rules_version = models.CharField(max_length=30, help_text="Version of the rule set that flagged it.")
    stay_unit = models.ForeignKey("geography.AdminUnit", on_delete=models.PROTECT, related_name="+")
    stay_address = models.CharField(max_length=200)

    # Domestic travel (all empty when the person did not travel).
    travel_from = models.ForeignKey(
        "geography.AdminUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    travel_to = models.ForeignKey(
        "geography.AdminUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    transport = models.CharField(max_length=10, choices=Transport.choices, blank=True)
    vehicle_number = models.CharField(max_length=20, blank=True)
    travel_date = models.DateField(null=True, blank=True)

    # Symptoms and exposure (both kinds).
    fever = models.BooleanField(default=False)
    cough = models.BooleanField(default=False)
    breathlessness = models.BooleanField(default=False)
    sore_throat = models.BooleanField(default=False)
    loss_of_taste_smell = models.BooleanField(default=False)
    fatigue = models.BooleanField(default=False)
    contact_with_case = models.BooleanField(default=False)
    visited_case_place = models.BooleanField(default=False)
    returned_from_abroad = models.BooleanField(default=False)

    # Entry.
    passport = models.CharField(max_length=20, blank=True)
    nationality = models.CharField(max_length=2, blank=True)
    flight_number = models.CharField(max_length=8, blank=True)
    border_gate = models.CharField(max_length=100, blank=True)
    arrival_date = models.DateField(null=True, blank=True)
    countries_visited = models.JSONField(default=list, blank=True)
    vaccine_product = models.CharField(max_length=20, choices=Vaccine.choices, blank=True)
    vaccine_doses = models.PositiveSmallIntegerField(default=0)
    vaccine_last_date = models.DateField(null=True, blank=True)
    test_kind = models.CharField(max_length=20, choices=TestKind.choices, blank=True)
    test_date = models.DateField(null=True, blank=True)
    test_result = models.CharField(max_length=10, choices=TestResult.choices, blank=True)

    flagged = models.BooleanField(default=False)
    follow_up = models.CharField(max_length=12, choices=FollowUp.choices, default=FollowUp.NOT_NEEDED)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    followed_up_at = models.DateTimeField(null=True, blank=True)
    follow_up_note = models.TextField(blank=True)
    held_for_case = models.CharField(
        max_length=40,
        null=True,
        blank=True,
        help_text="Reference of the case investigation holding this row: it is never purged.",
    )

    source = models.CharField(
        max_length=40,
        blank=True,
        help_text='Empty: made in pccovid. "legacy:ncovi", "legacy:vneid": a 2021 app\'s, brought in by the '
        "legacy merge (history: never flagged, never purged by retention).",
    )

    objects = DeclarationQuerySet.as_manager()

    class Meta:
        ordering = ["-declared_at", "-pk"]
        indexes = [
            models.Index(fields=["person", "-declared_at"]),
            models.Index(fields=["stay_unit", "-declared_at"]),
            # Tracing: fellow travellers of a case (same flight, train or coach number on the same day).
            models.Index(
                fields=["vehicle_number", "travel_date"],
                condition=~Q(vehicle_number=""),
                name="declaration_vehicle_day",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="declaration_kind"),
            models.CheckConstraint(
                condition=~Q(follow_up=FollowUp.DONE) | Q(followed_up_at__isnull=False),
                name="declaration_followed_up_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} declaration {self.pk} of {self.person_id} at {self.declared_at:%Y-%m-%d %H:%M}"

    @property
    def legacy_source(self) -> str:
        """The 2021 app the declaration came from ("ncovi"), or "" for one made in pccovid."""
        return legacy_app(self.source)

    @property
    def symptoms(self) -> list[str]:
        """The symptoms answered "yes"."""
        return [name for name in SYMPTOMS if getattr(self, name)]

    @property
    def answer_labels(self) -> list[str]:
        """The symptoms and exposures answered "yes", in words."""
        return [str(ANSWER_LABELS[name]) for name in [*self.symptoms, *self.exposures]]

    @property
    def exposures(self) -> list[str]:
        return [name for name in EXPOSURES if getattr(self, name)]
