import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from pccovid.core.querysets import JurisdictionQuerySet

_QID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


def new_qid() -> str:
    """A random, stable platform id. Never derived from a national ID (those change and get fixed)."""
    return "".join(secrets.choice(_QID_ALPHABET) for _ in range(12))


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
    OTHER = "O", _("Other")


class Household(models.Model):
    code = models.CharField(max_length=24, unique=True)
    unit = models.ForeignKey("geography.AdminUnit", on_delete=models.PROTECT, related_name="households")
    address_line = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.code} {self.address_line}"


class PersonQuerySet(JurisdictionQuerySet):
    person_lookup = ""


class Person(models.Model):
    class Relation(models.TextChoices):
        HEAD = "head", _("Head of household")
        SPOUSE = "spouse", _("Spouse")
        CHILD = "child", _("Child")
        PARENT = "parent", _("Parent")
        OTHER = "other", _("Other relative")

    qid = models.CharField(max_length=12, unique=True, default=new_qid, editable=False)
    full_name = models.CharField(max_length=120)
    name_key = models.CharField(max_length=120, db_index=True, help_text="Diacritic-free form for search.")
    birth_date = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    nationality = models.CharField(max_length=2, default="VN")
    residence_unit = models.ForeignKey(
        "geography.AdminUnit", on_delete=models.PROTECT, related_name="residents"
    )
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    household_relation = models.CharField(max_length=10, choices=Relation.choices, blank=True)
    address_line = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.full_name} ({self.qid})"


class IdentifierKind(models.TextChoices):
    CCCD = "cccd", _("Citizen ID (CCCD, 12 digits)")
    CMND = "cmnd", _("Old ID card (CMND, 9 digits)")
    PASSPORT = "passport", _("Passport")
    HEALTH_INSURANCE = "health_insurance", _("Health insurance number")
    SOCIAL_INSURANCE = "social_insurance", _("Social insurance number (10 digits)")
    PHONE = "phone", _("Phone")


UNIQUE_IDENTIFIER_KINDS = [
    IdentifierKind.CCCD,
    IdentifierKind.CMND,
    IdentifierKind.PASSPORT,
    IdentifierKind.HEALTH_INSURANCE,
    IdentifierKind.SOCIAL_INSURANCE,
]


class PersonIdentifier(models.Model):
    """Any identifier of a person, with who vouched for it. Phones may be shared within a family."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=20, choices=IdentifierKind.choices)
    value = models.CharField(max_length=32)
    verified_by = models.CharField(max_length=40, blank=True, help_text="e.g. 'population_register', 'otp'.")
    source = models.CharField(max_length=40, help_text="Where the value came from, e.g. 'demo', 'ncovi'.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "value"],
                condition=models.Q(kind__in=UNIQUE_IDENTIFIER_KINDS),
                name="identifier_unique_document",
            ),
            models.UniqueConstraint(fields=["person", "kind", "value"], name="identifier_once_per_person"),
        ]
        indexes = [models.Index(fields=["kind", "value"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class RegisterRecord(models.Model):
    """One row of a national population register extract (Ministry of Public Security), as delivered."""

    national_id = models.CharField(max_length=12, unique=True)
    old_cmnd = models.CharField(max_length=9, blank=True, db_index=True)
    full_name = models.CharField(max_length=120)
    birth_date = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    unit_code = models.CharField(
        max_length=20, help_text="Commune code (2025 edition) of permanent residence."
    )
    address_line = models.CharField(max_length=200, blank=True)
    household_code = models.CharField(max_length=24, blank=True)
    phone = models.CharField(max_length=16, blank=True)
    extract = models.CharField(max_length=200, help_text="File the row came from.")
    loaded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.national_id} {self.full_name}"
