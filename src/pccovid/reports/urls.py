from django.urls import path

from pccovid.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:form>/", views.report, name="report"),
    path("<slug:form>/entries/", views.entries, name="entries"),
    path("<slug:form>/submit/", views.submit, name="submit"),
    path("<slug:form>/export.<slug:fmt>", views.export, name="export"),
]
