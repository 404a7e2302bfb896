from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "pccovid.certificates"
    label = "certificates"
