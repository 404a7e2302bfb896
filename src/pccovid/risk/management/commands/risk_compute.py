"""`pccovid risk_compute [--date D] [--days N] [--recount]`: compute and store the epidemic levels of every
unit with people in it, for a day (default today) or the N days ending on it, with a progress bar.
`--recount` first rebuilds the counters the levels read from the people, dose and case rows (nightly)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import Progress

from pccovid.core import clock
from pccovid.core.errors import ApplicationError
from pccovid.risk import services


class Command(BaseCommand):
    help = "Compute the epidemic levels (Resolution 128/NQ-CP) of every unit for a day or several."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="The last day, YYYY-MM-DD (default: today, Vietnam time).")
        parser.add_argument("--days", type=int, default=1, help="How many days ending on --date (1-366).")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (logs, cron).")
        parser.add_argument(
            "--recount", action="store_true", help="Rebuild the counters from the rows first (nightly)."
        )

    def handle(self, *args, date: str | None, days: int, no_progress: bool, recount: bool, **options) -> None:
        try:
            last = dt.date.fromisoformat(date) if date else clock.today()
        except ValueError:
            raise CommandError(f"Not a date: {date} (write YYYY-MM-DD).", returncode=2) from None
        if not 1 <= days <= 366:
            raise CommandError("--days is from 1 to 366.", returncode=2)
        if recount:
            rebuilt = services.counters_rebuild()
            self.stdout.write(
                f"Counters recounted: {rebuilt['population']} population rows, {rebuilt['cases']} case rows."
            )
        written = 0
        with Progress(disable=no_progress or days == 1) as bar:
            task = bar.add_task("levels", total=days)
            for back in reversed(range(days)):
                try:
                    written += services.levels_compute(on=last - dt.timedelta(days=back))
                except ApplicationError as error:
                    raise CommandError(str(error.message), returncode=1) from None
                bar.advance(task)
        self.stdout.write(f"{written} levels computed for {days} day(s) ending {last.isoformat()}.")
