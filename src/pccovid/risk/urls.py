from django.urls import path

from pccovid.risk import views

app_name = "risk"
CODE = "<str:code>"
urlpatterns = [
    path("", views.levels, name="levels"),
    path("compute/", views.compute, name="compute"),
    path(f"units/{CODE}/", views.unit_detail, name="unit"),
    path(f"units/{CODE}/households/", views.households, name="households"),
    path("capacity/", views.capacity, name="capacity"),
    path("adjustments/", views.adjustments, name="adjustments"),
    path("care-needs/", views.care_needs, name="care-needs"),
]
