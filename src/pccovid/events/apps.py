from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "pccovid.events"
    label = "events"
