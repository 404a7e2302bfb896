from django.db import models
from django.utils.translation import gettext_lazy as _


class Edition(models.TextChoices):
    """Which administrative map a unit belongs to: before or after the 1 July 2025 reform."""

    PRE_2025 = "2021", _("2021 (three levels)")
    CURRENT = "2025", _("2025 (two levels)")


class Level(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune / ward")
    RESIDENTIAL_GROUP = "group", _("Residential group")


class AdminUnit(models.Model):
    """One node of the administrative tree of one edition.

    `path` is the chain of codes from the province down, ending in '/', e.g. '79/760/26734/' (2021)
    or '79/26734/' (2025): "inside a jurisdiction" is one indexed prefix match on it. Paths are unique per
    edition only: a province kept its code in 2025, so both trees have a '79/'.
    `name_folded` is the diacritic-free name (`core.text.fold`) that searches match against.
    """

    edition = models.CharField(max_length=4, choices=Edition.choices)
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=120)
    name_folded = models.CharField(max_length=120, blank=True)
    level = models.CharField(max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=120, db_index=True)
    population = models.PositiveIntegerField(null=True, blank=True)
    population_synthetic = models.BooleanField(
        default=False, help_text="True when the figure was generated because no official one was loaded."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="adminunit_edition_code"),
            models.UniqueConstraint(fields=["edition", "path"], name="adminunit_edition_path"),
        ]
        indexes = [models.Index(fields=["edition", "level"])]
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/")


class UnitSuccession(models.Model):
    """A 2021 unit and the 2025 unit that took it over (many old units to one new one)."""

    class Method(models.TextChoices):
        SAME_CODE = "same_code", _("The new unit kept the old unit's code")
        SAME_NAME = "same_name", _("Same name in the successor province")
        PROVINCE_OF_WARDS = "wards_majority", _("Province that took over most of its wards")
        OFFICIAL = "official", _("Official mapping table")

    old_unit = models.OneToOneField(AdminUnit, on_delete=models.CASCADE, related_name="succession")
    new_unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="predecessors")
    method = models.CharField(max_length=20, choices=Method.choices)

    def __str__(self) -> str:
        return f"{self.old_unit} -> {self.new_unit} ({self.method})"
