from django.apps import AppConfig


class RiskConfig(AppConfig):
    """Epidemic levels (Resolution 128/NQ-CP, Decision 4800/QĐ-BYT) per province, district, commune and
    residential group, household risk classes, treatment capacity, and the map."""

    name = "pccovid.risk"
    label = "risk"

    def ready(self) -> None:
        from pccovid.events.services import subscribe
        from pccovid.risk import services

        for name, handler in services.HANDLERS.items():
            subscribe(name)(handler)
