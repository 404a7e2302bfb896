"""`pccovid quarantine_alerts`: raise a "missed_report" alert for each day an active order has no daily
report (up to yesterday). Idempotent; run it each morning (cron, a systemd timer)."""

from django.core.management.base import BaseCommand, CommandError

from pccovid.core.errors import ApplicationError
from pccovid.quarantine import services


class Command(BaseCommand):
    help = "Raise alerts for the daily health reports of quarantine and isolation that were not sent."

    def handle(self, *args, **options) -> None:
        try:
            raised = services.alerts_raise_missed()
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"Raised {raised} missed-report alerts.")
