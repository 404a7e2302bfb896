from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pccovid.core.provenance import LEGACY_PREFIX, legacy_app
from pccovid.core.querysets import JurisdictionQuerySet


class SiteKind(models.TextChoices):
    SAMPLING = "sampling_site", _("Sampling site")
    LAB = "lab", _("Laboratory")


class TestKind(models.TextChoices):
    RT_PCR = "rt_pcr", _("RT-PCR")
    RAPID_ANTIGEN = "rapid_antigen", _("Rapid antigen")
    POOLED_RT_PCR = "pooled_rt_pcr", _("Pooled RT-PCR")


class Result(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEGATIVE = "negative", _("Negative")
    INVALID = "invalid", _("Invalid")


class TestSite(models.Model):
    """A sampling site or a laboratory, in a commune of the current map."""

    __test__ = False  # not a pytest class

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    unit = models.ForeignKey("geography.AdminUnit", on_delete=models.PROTECT, related_name="test_sites")
    kind = models.CharField(max_length=15, choices=SiteKind.choices, default=SiteKind.SAMPLING)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Pool(models.Model):
    """Samples of several people tested together (pooled RT-PCR). `result` is empty until the lab reports."""

    site = models.ForeignKey(TestSite, on_delete=models.PROTECT, related_name="pools")
    code = models.CharField(max_length=40)
    sample_taken_at = models.DateTimeField()
    result = models.CharField(max_length=10, choices=Result.choices, blank=True)
    result_at = models.DateTimeField(null=True, blank=True)
    members = models.ManyToManyField("identity.Person", through="PoolMember", related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "code"], name="testing_pool_code_per_site")]

    def __str__(self) -> str:
        return f"pool {self.code} at {self.site_id}"


class PoolMember(models.Model):
    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey("identity.Person", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pool", "person"], name="testing_pool_member_once")]

    def __str__(self) -> str:
        return f"{self.person_id} in pool {self.pool_id}"


class TestResultQuerySet(JurisdictionQuerySet):
    person_lookup = "person"


class TestResult(models.Model):
    """One person's result. `external_id` is the lab's sample id: unique per site, so a re-sent row is
    recognised. A pooled row carries its pool; a pooled positive sets `needs_retest` (an individual test
    is due), which an individual result of that person clears."""

    __test__ = False  # not a pytest class

    person = models.ForeignKey("identity.Person", on_delete=models.PROTECT, related_name="test_results")
    kind = models.CharField(max_length=15, choices=TestKind.choices)
    sample_taken_at = models.DateTimeField()
    result = models.CharField(max_length=10, choices=Result.choices)
    ct_value = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    site = models.ForeignKey(
        TestSite,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="results",
        help_text='Empty only for a result from a 2021 app (source "legacy:..."): no site we know.',
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    technician_name = models.CharField(max_length=120, blank=True, help_text="As written in a lab file.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pool = models.ForeignKey(Pool, null=True, blank=True, on_delete=models.PROTECT, related_name="results")
    source = models.CharField(
        max_length=140, help_text='"recorded", "csv:<file name>", "api", "fhir", "legacy:<source>"'
    )
    external_id = models.CharField(max_length=64, null=True, blank=True)
    needs_retest = models.BooleanField(default=False)
    rules_version = models.CharField(max_length=30)
    created_at = models.DateTimeField()

    objects = TestResultQuerySet.as_manager()

    class Meta:
        ordering = ["-sample_taken_at", "-pk"]
        indexes = [
            models.Index(fields=["person", "-sample_taken_at"]),
            models.Index(fields=["site", "-sample_taken_at"]),
            models.Index(fields=["needs_retest", "site"], name="testing_retest_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "external_id"],
                condition=Q(external_id__isnull=False),
                name="testing_result_external_id_per_site",
            ),
            models.UniqueConstraint(
                fields=["pool", "person"],
                condition=Q(pool__isnull=False),
                name="testing_result_once_per_pool",
            ),
            models.CheckConstraint(
                condition=Q(ct_value__isnull=True) | Q(kind__in=["rt_pcr", "pooled_rt_pcr"]),
                name="testing_ct_only_for_pcr",
            ),
            models.CheckConstraint(
                condition=Q(ct_value__isnull=True) | Q(ct_value__gte=0, ct_value__lte=45),
                name="testing_ct_range",
            ),
            models.CheckConstraint(
                condition=Q(site__isnull=False) | Q(source__startswith=LEGACY_PREFIX),
                name="testing_site_unless_legacy",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.result} of {self.person_id} at {self.sample_taken_at:%Y-%m-%d %H:%M}"

    @property
    def legacy_source(self) -> str:
        """The 2021 app the result came from ("ward_tests"), or "" for a result recorded in pccovid."""
        return legacy_app(self.source)

    @property
    def positive(self) -> bool:
        """An individual positive (a case to open); a pooled positive only calls for a retest."""
        return self.result == Result.POSITIVE and self.kind != TestKind.POOLED_RT_PCR
