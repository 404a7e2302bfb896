from django.conf import settings
from django.db import models
from django.db.models import Q

from pccovid.core.provenance import legacy_app
from pccovid.core.querysets import JurisdictionQuerySet


class VaccineProduct(models.Model):
    """A vaccine as the EU DCC value sets name it (`code` = `mp`, `mah` = `ma`, `prophylaxis` = `vp`).

    Rows come from `vaccination/rules.py` (`PRODUCTS`), installed after migrate."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    mah = models.CharField(max_length=60, blank=True, help_text="Marketing authorisation holder (DCC `ma`).")
    prophylaxis = models.CharField(max_length=20, help_text="DCC `vp` code.")
    doses_in_primary_series = models.PositiveSmallIntegerField()
    min_interval_days = models.PositiveSmallIntegerField(help_text="Between doses of the primary series.")
    in_dcc_valueset = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(doses_in_primary_series__gte=1), name="vaccineproduct_primary_series"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Lot(models.Model):
    product = models.ForeignKey(VaccineProduct, on_delete=models.PROTECT, related_name="lots")
    number = models.CharField(max_length=40)
    expiry_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product", "number"], name="lot_product_number")]

    def __str__(self) -> str:
        return f"{self.product.code} {self.number}"


class VaccinationSite(models.Model):
    """A place doses are given (a commune health station, a school, a hospital...), in one commune."""

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=200)
    unit = models.ForeignKey(
        "geography.AdminUnit", on_delete=models.PROTECT, related_name="vaccination_sites"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DoseQuerySet(JurisdictionQuerySet):
    person_lookup = "person"


class Dose(models.Model):
    """One dose given to one person. `dose_number` counts every dose (3 = the first booster after a
    two-dose series). `source` says where the record came from: "recorded" here, "legacy:<app>", "fhir"."""

    person = models.ForeignKey("identity.Person", on_delete=models.PROTECT, related_name="doses")
    product = models.ForeignKey(VaccineProduct, on_delete=models.PROTECT, related_name="doses")
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="doses")
    dose_number = models.PositiveSmallIntegerField()
    given_on = models.DateField()
    site = models.ForeignKey(
        VaccinationSite, null=True, blank=True, on_delete=models.PROTECT, related_name="doses"
    )
    health_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(max_length=40, default="recorded")
    rules_version = models.CharField(max_length=30, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DoseQuerySet.as_manager()

    class Meta:
        ordering = ["person_id", "dose_number"]
        constraints = [
            models.UniqueConstraint(fields=["person", "dose_number"], name="dose_person_number"),
            models.CheckConstraint(condition=Q(dose_number__gte=1), name="dose_number_positive"),
        ]
        indexes = [models.Index(fields=["given_on"])]

    def __str__(self) -> str:
        return f"dose {self.dose_number} of {self.person_id} on {self.given_on}"

    @property
    def legacy_source(self) -> str:
        """The 2021 app the dose came from ("vaccination"), or "" for a dose recorded in pccovid."""
        return legacy_app(self.source)
