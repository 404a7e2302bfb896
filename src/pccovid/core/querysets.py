"""Visibility lives in the queryset: `restrict_to(assignment, action)` is the only way officials read people.

A person is inside an official's reach when they live inside the unit of the official's role assignment
(one prefix match on the unit path), or when an unexpired `AccessGrant` links them to a unit inside it
(a case traced there, a checkpoint scan there...).
"""

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Q

from pccovid.core import clock


class JurisdictionQuerySet(models.QuerySet):
    person_lookup: str = "person"  # how to reach the Person from this model ("" for Person itself)

    def _person_path(self, name: str) -> str:
        return f"{self.person_lookup}__{name}" if self.person_lookup else name

    def restrict_to(self, assignment, action: str = "view") -> "JurisdictionQuerySet":
        if assignment is None or not assignment.allows(action):
            return self.none()
        unit = assignment.unit
        access_grant = apps.get_model("accounts", "AccessGrant")
        granted = access_grant.objects.filter(
            person_id=OuterRef(f"{self.person_lookup}_id" if self.person_lookup else "pk"),
            unit__edition=unit.edition,
            unit__path__startswith=unit.path,
            expires_at__gt=clock.now(),
        )
        lives_inside = Q(
            **{
                self._person_path("residence_unit__edition"): unit.edition,
                self._person_path("residence_unit__path__startswith"): unit.path,
            }
        )
        return self.filter(lives_inside | Exists(granted))
