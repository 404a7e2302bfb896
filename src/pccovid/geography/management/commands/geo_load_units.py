"""`pccovid geo load-units --edition 2025|2021|both [--succession]`: load the administrative trees."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pccovid.core.errors import ApplicationError
from pccovid.geography import selectors, services
from pccovid.geography.models import Edition

EDITIONS = {
    "2021": [Edition.PRE_2025],
    "2025": [Edition.CURRENT],
    "both": [Edition.PRE_2025, Edition.CURRENT],
}


class Command(BaseCommand):
    help = (
        "Load the administrative units of one edition (2025: 34 provinces, 3,321 communes; "
        "2021: 63 provinces, 696 districts, 10,051 wards) or both. Re-runs are safe: existing units are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--edition", default="2025", help="2025 (default), 2021 or both.")
        parser.add_argument(
            "--succession", action="store_true", help="Then derive the 2021 -> 2025 successions."
        )
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help="Do not draw progress bars (never drawn off a terminal).",
        )

    def handle(self, *args, edition: str, succession: bool, no_progress: bool, **options) -> None:
        if edition not in EDITIONS:
            raise CommandError(f"Unknown edition {edition!r}: use 2021, 2025 or both.")
        progress = not no_progress and self.stdout.isatty()
        try:
            for each in EDITIONS[edition]:
                created = services.units_load(edition=each, progress=progress)
                total = selectors.units_list(edition=each).count()
                self.stdout.write(f"Edition {each}: {created} new units, {total} in all.")
            if succession:
                self._succession()
        except ApplicationError as error:
            raise CommandError(error.message) from error

    def _succession(self) -> None:
        counts = services.succession_derive()
        self.stdout.write("Successions: " + ", ".join(f"{n} {method}" for method, n in counts.items()) + ".")
