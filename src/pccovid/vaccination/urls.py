from django.urls import path

from pccovid.vaccination import views

app_name = "vaccination"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("doses/new/", views.dose_new, name="dose-new"),
    path("coverage/", views.coverage, name="coverage"),
]
