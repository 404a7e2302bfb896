"""`pccovid purge_expired`: delete check-ins and health declarations past their retention rule (21 days
by default), except those held for a case investigation. Run it daily (cron, a systemd timer)."""

import logging

from django.core.management.base import BaseCommand, CommandError

from pccovid.checkins import services as checkin_services
from pccovid.core import clock
from pccovid.core.errors import ApplicationError
from pccovid.declarations import services as declaration_services

logger = logging.getLogger("pccovid.checkins")


class Command(BaseCommand):
    help = "Delete check-ins and declarations older than their retention rule (those held for a case stay)."

    def handle(self, *args, **options) -> None:
        now = clock.now()
        try:
            checkins = checkin_services.checkins_purge_expired(now=now)
            declarations = declaration_services.declarations_purge_expired(now=now)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        logger.info(
            "purge_expired at %s: %d check-ins, %d declarations", now.isoformat(), checkins, declarations
        )
        self.stdout.write(f"Deleted {checkins} check-ins and {declarations} declarations (retention rules).")
