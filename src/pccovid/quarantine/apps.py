from django.apps import AppConfig


class QuarantineConfig(AppConfig):
    name = "pccovid.quarantine"
    label = "quarantine"
