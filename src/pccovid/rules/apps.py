from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RulesConfig(AppConfig):
    name = "pccovid.rules"
    label = "rules"

    def ready(self) -> None:
        from pccovid.rules import services

        post_migrate.connect(services.install_defaults_after_migrate, sender=self)
