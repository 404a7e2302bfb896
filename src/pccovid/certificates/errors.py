from pccovid.core.errors import ApplicationError


class CertificateError(ApplicationError):
    """A certificate cannot be issued or changed as asked."""

    code = "certificate_refused"
