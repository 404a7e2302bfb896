from django.utils.translation import gettext as _

from pccovid.accounts import rules
from pccovid.accounts.models import AccessGrant, RoleAssignment, User
from pccovid.core import clock
from pccovid.core.errors import ApplicationError, Forbidden
from pccovid.rules import services as rule_services


def assignments_of(*, user: User):
    return RoleAssignment.objects.filter(user=user, active=True).select_related("unit").order_by("pk")


def acting_assignment(*, user: User, assignment_id: int | None = None) -> RoleAssignment:
    """The role assignment the official acts through: the one named, or their only one."""
    assignments = list(assignments_of(user=user)) if user.is_authenticated else []
    if not assignments:
        raise Forbidden(_("This needs an official role."), code="no_role")
    if assignment_id is None:
        if len(assignments) > 1:
            raise ApplicationError(
                _("You hold several roles: say which one you act as (assignment)."),
                code="choose_assignment",
                field="assignment",
            )
        return assignments[0]
    for assignment in assignments:
        if assignment.pk == assignment_id:
            return assignment
    raise Forbidden(_("That role assignment is not yours."), code="not_your_assignment", field="assignment")


def access_grant_reason(*, person_id: int, unit) -> str | None:
    """The reason of an unexpired grant that puts the person inside `unit`, if any."""
    grant = (
        AccessGrant.objects.filter(
            person_id=person_id,
            unit__edition=unit.edition,
            unit__path__startswith=unit.path,
            expires_at__gt=clock.now(),
        )
        .order_by("-granted_at")
        .first()
    )
    return grant.reason if grant else None


def otp_policy() -> dict:
    """The one-time-code rule set in force today (digits, validity, tries, re-send limits)."""
    return rule_services.current(rules.OTP_RULES.domain).values
