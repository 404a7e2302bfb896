from django.apps import AppConfig


class VaccinationConfig(AppConfig):
    name = "pccovid.vaccination"
    label = "vaccination"
