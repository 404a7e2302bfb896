from django.urls import path

from pccovid.operations import views

app_name = "operations"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("quality/", views.quality, name="quality"),
    path("export/<str:fmt>/", views.export, name="export"),
]
