from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "pccovid.core"
    label = "core"
