from django.urls import path

from pccovid.testing import views

app_name = "testing"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("record/", views.record, name="record"),
    path("upload/", views.upload, name="upload"),
    path("retests/", views.retests, name="retests"),
]
