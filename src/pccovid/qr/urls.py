from django.urls import path

app_name = "qr"
urlpatterns: list = []
