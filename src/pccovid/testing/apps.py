from django.apps import AppConfig


class TestingConfig(AppConfig):
    name = "pccovid.testing"
    label = "testing"
