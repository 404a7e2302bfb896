"""The HTTP API: one NinjaAPI, one place that maps errors to `{"error", "message", "field"}`."""

import logging
import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyCookie, HttpBearer

from pccovid.core.errors import ApplicationError

logger = logging.getLogger("pccovid.api")


class ErrorOut(Schema):
    error: str
    message: str
    field: str | None = None


class SessionAuth(APIKeyCookie):
    """The web session (Django's cookie), with CSRF checked on unsafe methods."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None):
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


class DeviceTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` for scanners, lab systems and the phone app."""

    def authenticate(self, request: HttpRequest, token: str):
        from pccovid.accounts import services as account_services

        user = account_services.api_token_authenticate(key=token)
        if user is not None:
            request.user = user
        return user


class PccovidAPI(NinjaAPI):
    """Documents the one error body (`ErrorOut`) as the 4XX answer of every operation."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas["ErrorOut"] = ErrorOut.model_json_schema()
        error = {
            "description": "Refused: see error (code), message and field.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
        }
        for path_item in schema["paths"].values():
            for operation in path_item.values():
                operation["responses"].setdefault("4XX", error)
        return schema


api = PccovidAPI(
    title="pccovid API",
    version="1",
    description="One national epidemic platform. Errors are JSON: error (code), message (for people), field.",
    auth=[SessionAuth(), DeviceTokenAuth()],
    urls_namespace="api",
)


def _error(
    request: HttpRequest, status: int, code: str, message: str, field: str | None = None
) -> HttpResponse:
    return api.create_response(
        request, {"error": code, "message": str(message), "field": field}, status=status
    )


@api.exception_handler(ApplicationError)
def _application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return _error(request, exc.status, exc.code, exc.message, exc.field)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    location = [
        str(part) for part in first.get("loc", []) if part not in ("body", "query", "path", "payload")
    ]
    field = ".".join(location) or None
    message = (
        first.get("msg", _("The request is not valid."))
        if field
        else _("The request body is missing or is not valid JSON.")
    )
    return _error(request, 422, "invalid_request", f"{field}: {message}" if field else message, field)


@api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", _("Sign in first (web session or device token)."))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", _("Not found."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    error_id = uuid.uuid4().hex[:12]
    logger.exception("unexpected error %s on %s %s", error_id, request.method, request.path)
    return _error(
        request, 500, "server_error", _("Unexpected error %(id)s: it has been logged.") % {"id": error_id}
    )


def _register_routers() -> None:
    from pccovid.accounts.api import router as accounts_router
    from pccovid.audit.api import router as audit_router
    from pccovid.certificates.api import router as certificates_router
    from pccovid.checkins.api import router as checkins_router
    from pccovid.declarations.api import router as declarations_router
    from pccovid.exchange.api import router as exchange_router
    from pccovid.feedback.api import router as feedback_router
    from pccovid.geography.api import router as geography_router
    from pccovid.identity.api import router as identity_router
    from pccovid.maps.api import router as maps_router
    from pccovid.migration.api import router as legacy_router
    from pccovid.migration.api_corrections import router as legacy_corrections_router
    from pccovid.operations.api import router as operations_router
    from pccovid.qr.api import router as qr_router
    from pccovid.quarantine.api import router as quarantine_router
    from pccovid.reports.api import router as reports_router
    from pccovid.risk.api import router as risk_router
    from pccovid.status.api import router as status_router
    from pccovid.testing.api import router as testing_router
    from pccovid.tracing.api import router as tracing_router
    from pccovid.vaccination.api import router as vaccination_router

    api.add_router("/accounts/", accounts_router)
    api.add_router("/identity/", identity_router)
    api.add_router("/geography/", geography_router)
    api.add_router("/audit/", audit_router)
    api.add_router("/qr/", qr_router)
    api.add_router("/status/", status_router)
    api.add_router("/declarations/", declarations_router)
    api.add_router("/checkins/", checkins_router)
    api.add_router("/testing/", testing_router)
    api.add_router("/vaccination/", vaccination_router)
    api.add_router("/certificates/", certificates_router)
    api.add_router("/exchange/", exchange_router)
    api.add_router("/tracing/", tracing_router)
    api.add_router("/quarantine/", quarantine_router)
    api.add_router("/legacy/", legacy_corrections_router)
    api.add_router("/risk/", risk_router)
    api.add_router("/map/", maps_router)
    api.add_router("/reports/", reports_router)
    api.add_router("/operations/", operations_router)
    api.add_router("/feedback/", feedback_router)
    api.add_router("/legacy/", legacy_router)


_register_routers()
