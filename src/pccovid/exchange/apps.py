from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "pccovid.exchange"
    label = "exchange"
