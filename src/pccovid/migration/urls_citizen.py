"""The citizen's "From the old apps" pages and the officials' queue of correction requests."""

from django.urls import path

from pccovid.migration import views_citizen

citizen_urlpatterns = [
    path("me/legacy/", views_citizen.mine, name="mine"),
    path("me/legacy/<int:link_id>/not-mine/", views_citizen.not_mine, name="not-mine"),
    path("me/legacy/dose-missing/", views_citizen.dose_missing, name="dose-missing"),
    path("console/corrections/", views_citizen.queue, name="corrections"),
    path("console/corrections/<int:pk>/resolve/", views_citizen.resolve, name="correction-resolve"),
]
