from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "pccovid.audit"
    label = "audit"
