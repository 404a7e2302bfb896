"""Visibility lives in the queryset: `restrict_to(assignment, action)` is the only way officials read people.

A person is inside an official's reach when they live inside the unit of the official's role assignment
(one prefix match on the unit path), or when an unexpired `AccessGrant` links them to a unit inside it
(a case traced there, a checkpoint scan there...).
"""

from django.apps import apps
from django.db import models
from django.db.models import Q

from pccovid.core import clock


def units_within(unit) -> models.QuerySet:
    """Ids of `unit` and every unit below it, as a subquery.

    The prefix match runs on the small unit table; people are then found through the index on their unit
    id. (Matching the path through a join from the people table cannot use an index on SQLite, whose LIKE
    ignores case.)
    """
    admin_unit = apps.get_model("geography", "AdminUnit")
    return admin_unit.objects.filter(edition=unit.edition, path__startswith=unit.path).values("pk")


class JurisdictionQuerySet(models.QuerySet):
    person_lookup: str = "person"  # how to reach the Person from this model ("" for Person itself)

    def _person_path(self, name: str) -> str:
        return f"{self.person_lookup}__{name}" if self.person_lookup else name

    def restrict_to(self, assignment, action: str = "view") -> "JurisdictionQuerySet":
        if assignment is None or not assignment.allows(action):
            return self.none()
        units_inside = units_within(assignment.unit)
        access_grant = apps.get_model("accounts", "AccessGrant")
        granted = access_grant.objects.filter(unit_id__in=units_inside, expires_at__gt=clock.now())
        # Two IN-subqueries joined by OR: both sides use an index (SQLite plans a multi-index OR); an
        # EXISTS on the right-hand side would make it scan every person.
        person_id = f"{self.person_lookup}_id" if self.person_lookup else "pk"
        return self.filter(
            Q(**{self._person_path("residence_unit_id") + "__in": units_inside})
            | Q(**{f"{person_id}__in": granted.values("person_id")})
        )
