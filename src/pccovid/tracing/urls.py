from django.urls import path

from pccovid.tracing import views

app_name = "tracing"
CODE = "<str:code>"
urlpatterns = [
    path("", views.cases, name="cases"),
    path("queue/", views.queue, name="queue"),
    path("exposures/", views.exposures, name="exposures"),
    path(f"cases/{CODE}/", views.case_detail, name="case"),
    path(f"cases/{CODE}/find/", views.case_find, name="case-find"),
    path(f"cases/{CODE}/outcome/", views.case_outcome, name="case-outcome"),
    path(f"cases/{CODE}/contacts/", views.case_declare, name="case-declare"),
    path(f"cases/{CODE}/bulk/", views.case_bulk, name="case-bulk"),
    path(f"cases/{CODE}/chain/", views.case_chain, name="chain"),
]
