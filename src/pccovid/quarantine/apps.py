from django.apps import AppConfig


class QuarantineConfig(AppConfig):
    name = "pccovid.quarantine"
    label = "quarantine"

    def ready(self) -> None:
        from pccovid.events import services as event_services
        from pccovid.quarantine import services

        event_services.subscribe("tracing.case_opened")(services.case_opened_handle)
        event_services.subscribe("tracing.case_closed")(services.case_closed_handle)
        event_services.subscribe("testing.result_recorded")(services.result_recorded_handle)
