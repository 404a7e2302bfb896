from django.urls import path

app_name = "status"
urlpatterns: list = []
