from pccovid.core.errors import ApplicationError


class TestingError(ApplicationError):
    """A test result (or a row of a batch) broke a rule; `field` names the field."""

    __test__ = False  # not a pytest class
    code = "invalid_test_result"


class ImportTooLarge(ApplicationError):
    status = 422
    code = "import_too_large"


class ImportUnreadable(ApplicationError):
    code = "import_unreadable"
