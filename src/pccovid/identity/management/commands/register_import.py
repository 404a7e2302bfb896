"""`pccovid register import FILE`: load a population register extract (CSV) into the register table."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pccovid.core.errors import ApplicationError
from pccovid.identity.register import ImportReport, register_extract_import


class Command(BaseCommand):
    help = (
        "Load a population register extract (CSV, UTF-8). Bad rows are listed and skipped; re-runs are safe."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The extract: so_dinh_danh,cmnd_cu,ho_ten,ngay_sinh,...")
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help="Do not draw a progress bar (never drawn off a terminal).",
        )

    def handle(self, *args, file: Path, no_progress: bool, **options) -> None:
        try:
            report = register_extract_import(path=file, progress=not no_progress and self.stderr.isatty())
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self._print(report)

    def _print(self, report: ImportReport) -> None:
        self.stdout.write(
            f"{report.path}: {report.rows} rows; {report.created} new, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.rejected_rows} rejected."
        )
        for error in report.rejected:
            column = f" {error.field}" if error.field else ""
            self.stdout.write(f"  row {error.row}{column}: {error.reason}")
