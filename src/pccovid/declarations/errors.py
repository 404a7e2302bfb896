from django.utils.translation import gettext_lazy as _

from pccovid.core.errors import ApplicationError, Forbidden


class DeclarationError(ApplicationError):
    """A declaration broke a rule; `field` names the form field and the message says which one."""

    code = "invalid_declaration"


class NotHouseholdMember(Forbidden):
    code = "not_household_member"

    def __init__(self):
        super().__init__(
            _("Person: you can declare only for yourself and the members of your household."), field="person"
        )
