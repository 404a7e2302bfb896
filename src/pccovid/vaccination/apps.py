from django.apps import AppConfig
from django.db.models.signals import post_migrate


class VaccinationConfig(AppConfig):
    name = "pccovid.vaccination"
    label = "vaccination"

    def ready(self) -> None:
        from pccovid.vaccination import services

        post_migrate.connect(services.products_install_after_migrate, sender=self)
