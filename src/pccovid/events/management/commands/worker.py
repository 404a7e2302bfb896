import time

from django.core.management.base import BaseCommand

from pccovid.events import services


class Command(BaseCommand):
    help = "Run the handlers of recorded events that have not succeeded yet (retrying failed ones)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument("--interval", type=float, default=2.0, help="Seconds between passes.")

    def handle(self, *args, once: bool, interval: float, **options) -> None:
        while True:
            pending = services.events_pending()
            failures = sum(services.event_dispatch(event_id=event.pk) for event in pending)
            if pending:
                self.stdout.write(f"{len(pending)} event(s) dispatched, {failures} handler failure(s).")
            if once:
                return
            time.sleep(interval)
