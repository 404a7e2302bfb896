from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pccovid.core.querysets import JurisdictionQuerySet


class CertificateQuerySet(JurisdictionQuerySet):
    person_lookup = "person"


class Certificate(models.Model):
    """One EU Digital COVID Certificate issued to a person. The signed text is kept so the citizen sees
    the same QR every time; the keys that signed it live in the keystore, never here."""

    class Kind(models.TextChoices):
        VACCINATION = "v", _("Vaccination")
        TEST = "t", _("Test")
        RECOVERY = "r", _("Recovery")

    person = models.ForeignKey("identity.Person", on_delete=models.PROTECT, related_name="dcc_certificates")
    kind = models.CharField(max_length=1, choices=Kind.choices)
    uvci = models.CharField(max_length=80, unique=True)
    uvci_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the UVCI, hex.")
    payload = models.JSONField(help_text="The DCC payload (schema 1.3.0) the text carries.")
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    kid = models.CharField(max_length=16, help_text="Document signer key id, hex.")
    text = models.TextField(help_text="The HC1: text the QR code carries.")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(max_length=200, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["v", "t", "r"]), name="certificate_kind"),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("issued_at")), name="certificate_period"
            ),
        ]
        indexes = [models.Index(fields=["revoked_at"])]

    def __str__(self) -> str:
        return self.uvci
