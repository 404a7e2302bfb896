from django.apps import AppConfig


class StatusConfig(AppConfig):
    name = "pccovid.status"
    label = "status"
