from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "pccovid.demo"
    label = "demo"
    verbose_name = "Demo city"
