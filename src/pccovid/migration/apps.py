from django.apps import AppConfig


class MigrationConfig(AppConfig):
    """Legacy sources (Bluezone, NCOVI, VNEID, the e-health book, the vaccination portal, city lists, the
    social-insurance register): extract formats, the dirty-data generator, cleaning, staging."""

    name = "pccovid.migration"
    label = "migration"

    def ready(self) -> None:
        from pccovid.events.services import subscribe
        from pccovid.migration import claims

        subscribe(claims.PHONE_VERIFIED)(claims.on_phone_verified)
