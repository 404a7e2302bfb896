from django.apps import AppConfig


class DeclarationsConfig(AppConfig):
    name = "pccovid.declarations"
    label = "declarations"
