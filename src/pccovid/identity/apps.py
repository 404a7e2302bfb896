from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "pccovid.identity"
    label = "identity"
