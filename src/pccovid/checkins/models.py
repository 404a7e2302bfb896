"""Venues (with their QR poster's current token) and check-ins at them.

Check-ins are the platform's largest table (a city's daily visits; a nation's is partitioned by day, see
"Scale path" in design.md). Every index below serves a named query:
- `(venue, at)`: co-presence for tracing, "who was at this venue between t-1h and t+1h"
  (`selectors.checkins_at_venue_between`), and the operator's counts per day: one range scan;
- `(person, at)`: a person's own history and a case's visits during its infectious window;
- `(at)`: the retention purge (nationally, dropping a day's partition instead);
- unique `(recorded_by, client_event_id)`: a resent offline batch is not stored twice. Partitioned by day,
  this key gains `at` (a resent event carries the same device time, so it still dedupes).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

_CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
CODE_LENGTH = 8


def new_venue_code() -> str:
    """8 random upper-case letters and digits (36^8 ≈ 2.8e12): short enough to type from a poster."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_qr_token() -> str:
    """The poster's secret: 24 URL-safe characters. A new one makes every printed old poster invalid."""
    return secrets.token_urlsafe(18)


class VenueCategory(models.TextChoices):
    SHOP = "shop", _("Shop")
    MARKET = "market", _("Market")
    OFFICE = "office", _("Office")
    SCHOOL = "school", _("School")
    HOSPITAL = "hospital", _("Hospital or clinic")
    CHECKPOINT = "checkpoint", _("Checkpoint")
    TRANSPORT = "transport", _("Transport (station, bus, ferry)")
    RESTAURANT = "restaurant", _("Restaurant or café")
    OTHER = "other", _("Other")


class Venue(models.Model):
    """A place people check in at, registered by the person who runs it (any signed-in user)."""

    code = models.CharField(max_length=CODE_LENGTH, unique=True, default=new_venue_code, editable=False)
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=20, choices=VenueCategory.choices)
    unit = models.ForeignKey("geography.AdminUnit", on_delete=models.PROTECT, related_name="venues")
    address_line = models.CharField(max_length=200, blank=True)
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="venues")
    qr_token = models.CharField(max_length=64, default=new_qr_token)
    qr_issued_at = models.DateTimeField()
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="venue_has_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class CheckInHow(models.TextChoices):
    CITIZEN_SCAN = "citizen_scan", _("Scanned the venue's QR")
    VENUE_SCAN = "venue_scan", _("The venue scanned the personal QR")


class CheckIn(models.Model):
    """One person at one venue at one moment (UTC). `held_for_case` keeps it past retention while a case
    investigation needs it (set by tracing; never purged while set)."""

    person = models.ForeignKey(
        "identity.Person", on_delete=models.CASCADE, related_name="checkins", db_index=False
    )
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="checkins", db_index=False)
    at = models.DateTimeField()
    how = models.CharField(max_length=20, choices=CheckInHow.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    client_event_id = models.CharField(max_length=64, null=True, blank=True)
    held_for_case = models.CharField(max_length=40, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recorded_by", "client_event_id"], name="checkin_event_once"),
            models.CheckConstraint(condition=~Q(held_for_case=""), name="checkin_hold_not_blank"),
        ]
        indexes = [
            models.Index(fields=["venue", "at"], name="checkin_venue_at"),
            models.Index(fields=["person", "at"], name="checkin_person_at"),
            models.Index(fields=["at"], name="checkin_at"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} at {self.venue_id} {self.at:%Y-%m-%d %H:%M}"
