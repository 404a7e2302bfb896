from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "pccovid.web"
    label = "web"
