from django.apps import AppConfig


class GeographyConfig(AppConfig):
    name = "pccovid.geography"
    label = "geography"
