from django.apps import AppConfig


class QrConfig(AppConfig):
    name = "pccovid.qr"
    label = "qr"
