"""Domain errors: one base class, mapped to HTTP in one place (`pccovid.api`)."""

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """A business rule said no. `code` is stable for clients; `message` is for people."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        if code:
            self.code = code


class NotFound(ApplicationError):
    """Absent, or outside the caller's reach: the two look the same on purpose."""

    status = 404
    code = "not_found"

    def __init__(self, message: str | None = None, **kwargs):
        super().__init__(message or _("Not found."), **kwargs)


class Forbidden(ApplicationError):
    """The caller may see the thing but not do this to it."""

    status = 403
    code = "forbidden"


class Unauthenticated(ApplicationError):
    status = 401
    code = "unauthenticated"


class TooManyRequests(ApplicationError):
    status = 429
    code = "too_many_requests"
