from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pccovid.accounts"
    label = "accounts"
