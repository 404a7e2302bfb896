from pccovid.core.errors import ApplicationError


class FeedbackError(ApplicationError):
    """A citizen report or a status change broke a rule; `field` names the field, the message says why."""

    code = "invalid_report"
