from pccovid.core.errors import ApplicationError


class OperationsError(ApplicationError):
    """A dashboard or export request that cannot be answered as asked (a date range, a format)."""

    code = "invalid_request"
