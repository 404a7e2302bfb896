from django.apps import AppConfig


class TracingConfig(AppConfig):
    name = "pccovid.tracing"
    label = "tracing"
