"""`pccovid operations_export --unit CODE --format fhir|csv --out FILE --as USERNAME`: the cleaned records
of a unit for the national level, written chunk by chunk, each person audited as read by that official."""

import contextlib
from collections.abc import Iterator
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from pccovid.accounts import selectors as account_selectors
from pccovid.core.errors import ApplicationError
from pccovid.operations import selectors, services


class Command(BaseCommand):
    help = (
        "Export the cleaned records (people with their doses and test results) of the people living in a"
        " unit, as a FHIR R4 Bundle or CSV. An export is a personal-data read: it acts as an official"
        " (--as) with the operations.export permission, and every person exported is written to their"
        " audit trail."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", help="Unit code (default: the official's own unit).")
        parser.add_argument("--format", choices=services.FORMATS, default="fhir", dest="fmt")
        parser.add_argument("--out", type=Path, required=True, help="The file to write.")
        parser.add_argument("--as", dest="username", required=True, help="The official who exports.")
        parser.add_argument("--assignment", type=int, help="Their role assignment, when they hold several.")
        parser.add_argument("--chunk", type=int, default=services.CHUNK, help="People read per chunk.")
        parser.add_argument("--no-progress", action="store_true", help="Do not draw a progress bar.")

    def handle(self, *args, unit, fmt, out: Path, username, assignment, chunk, no_progress, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username}.")
        if chunk < 1:
            raise CommandError("--chunk must be at least 1.")
        try:
            acting = account_selectors.acting_assignment(user=user, assignment_id=assignment)
            checked = selectors.dashboard_unit(assignment=acting, unit_code=unit, action=selectors.EXPORT)
            total = selectors.export_count(unit=checked)
            with _bar(total=total, enabled=not no_progress and self.stderr.isatty()) as progress:
                export = services.records_export(
                    assignment=acting, unit_code=checked.code, fmt=fmt, chunk_size=chunk, progress=progress
                )
                _write(out, export.pieces)
        except ApplicationError as error:
            raise CommandError(str(error.message)) from error
        except OSError as error:
            raise CommandError(f"Cannot write {out}: {error}") from error
        size = out.stat().st_size
        self.stdout.write(
            f"{checked.name} ({checked.code}): {total:,} people, {size:,} bytes written to {out}."
        )


def _write(out: Path, pieces: Iterator[str]) -> None:
    with out.open("w", encoding="utf-8", newline="") as file:
        for piece in pieces:
            file.write(piece)


@contextlib.contextmanager
def _bar(*, total: int, enabled: bool) -> Iterator[services.Progress | None]:
    if not enabled:
        yield None
        return
    columns = (TextColumn("people"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task("people", total=total)
        yield lambda done: bar.update(task, completed=done)
