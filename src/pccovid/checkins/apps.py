from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "pccovid.checkins"
    label = "checkins"
