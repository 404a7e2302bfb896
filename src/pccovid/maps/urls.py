from django.urls import path

from pccovid.maps import views

app_name = "maps"
CODE = "<str:code>"
urlpatterns = [
    path("", views.official_map, name="map"),
    path("public/", views.public_map, name="public"),
    path(f"units/{CODE}/", views.unit_panel, name="unit"),
    path(f"units/{CODE}/households/", views.unit_households, name="households"),
]
