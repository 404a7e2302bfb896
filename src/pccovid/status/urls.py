from django.urls import path

from pccovid.status import views

app_name = "status"
urlpatterns = [path("checkpoint/", views.checkpoint, name="checkpoint")]
