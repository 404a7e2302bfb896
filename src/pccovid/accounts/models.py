import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from pccovid.accounts import rules


class User(AbstractUser):
    """Officials sign in with username and password; citizens with phone and a one-time code.

    A citizen's username is their phone number in E.164 and `person` links the account to them.
    """

    person = models.OneToOneField(
        "identity.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="account"
    )
    phone = models.CharField(max_length=16, blank=True, db_index=True)

    @property
    def is_citizen(self) -> bool:
        return bool(self.phone) and not self.has_usable_password()


class Role(models.TextChoices):
    HEALTH_WORKER = "health_worker", _("Health worker (test or vaccination site)")
    TRACER = "tracer", _("Contact tracer")
    COMMUNE_OFFICIAL = "commune_official", _("Commune health official")
    PROVINCE_OFFICIAL = "province_official", _("Province health official")
    CHECKPOINT_OFFICER = "checkpoint_officer", _("Checkpoint officer")
    DATA_ENGINEER = "data_engineer", _("Data engineer")
    SYSTEM_ADMIN = "system_admin", _("System administrator")


class RoleAssignment(models.Model):
    """An official acts through one of these: a role bound to the unit that is their jurisdiction."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(max_length=30, choices=Role.choices)
    unit = models.ForeignKey("geography.AdminUnit", on_delete=models.PROTECT, related_name="assignments")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role", "unit"], name="assignment_once")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} — {self.unit}"

    def allows(self, action: str) -> bool:
        return self.active and action in rules.ROLE_ACTIONS.get(self.role, frozenset())


class AccessGrant(models.Model):
    """A recorded reason that links a person to a unit other than where they live.

    Officials of that unit (and above) may read the person until `expires_at`; the reason and its source
    object are what the audit trail shows.
    """

    person = models.ForeignKey("identity.Person", on_delete=models.CASCADE, related_name="access_grants")
    unit = models.ForeignKey("geography.AdminUnit", on_delete=models.PROTECT, related_name="access_grants")
    reason = models.CharField(max_length=200)
    source_type = models.CharField(max_length=50, help_text="e.g. 'tracing.case'")
    source_id = models.CharField(max_length=40)
    granted_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["person", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.unit_id}: {self.reason}"


class OneTimeCode(models.Model):
    """A sign-in code sent by SMS. Only its hash is stored."""

    phone = models.CharField(max_length=16, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    consumed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"code for {self.phone} at {self.created_at:%Y-%m-%d %H:%M}"

    @staticmethod
    def hash(phone: str, code: str) -> str:
        return hashlib.sha256(f"{phone}:{code}".encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for a device (scanner, lab system, phone app). Only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.user_id})"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
