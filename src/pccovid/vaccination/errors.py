from pccovid.core.errors import ApplicationError


class VaccinationError(ApplicationError):
    """A dose, lot or site broke a rule; `field` names the field and the message says which one."""

    code = "invalid_vaccination"
