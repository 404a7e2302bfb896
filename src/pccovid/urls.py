from django.contrib import admin
from django.urls import include, path

from pccovid.api import api
from pccovid.migration.urls_citizen import citizen_urlpatterns as legacy_citizen_urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("qr/", include("pccovid.qr.urls")),
    path("status/", include("pccovid.status.urls")),
    path("declarations/", include("pccovid.declarations.urls")),
    path("checkins/", include("pccovid.checkins.urls")),
    path("testing/", include("pccovid.testing.urls")),
    path("vaccination/", include("pccovid.vaccination.urls")),
    path("certificates/", include("pccovid.certificates.urls")),
    path("exchange/", include("pccovid.exchange.urls")),
    path("tracing/", include("pccovid.tracing.urls")),
    path("quarantine/", include("pccovid.quarantine.urls")),
    path("console/legacy/", include("pccovid.migration.urls")),
    path("risk/", include("pccovid.risk.urls")),
    path("map/", include("pccovid.maps.urls")),
    path("reports/", include("pccovid.reports.urls")),
    path("operations/", include("pccovid.operations.urls")),
    path("feedback/", include("pccovid.feedback.urls")),
    path("", include((legacy_citizen_urlpatterns, "legacy"))),
    path("", include("pccovid.web.urls")),
]
