"""`pccovid legacy import SOURCE FILE`: stage one legacy extract, resumably and idempotently."""

import contextlib
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from pccovid.core.errors import ApplicationError
from pccovid.migration import formats
from pccovid.migration.services import WORKERS, ImportResult, legacy_import
from pccovid.migration.services import Progress as ProgressCallback


class _RowsPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed or 0:,.0f} rows/s")


class Command(BaseCommand):
    help = (
        "Import a legacy extract into the staging table. Bad rows go to a reject report; the same file again"
        " adds nothing; a killed run is resumed by running the same command again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help=f"One of: {', '.join(formats.SOURCES)}.")
        parser.add_argument("file", type=Path, help="The extract (see docs/legacy-formats.md).")
        parser.add_argument(
            "--batch", type=int, default=10_000, help="Rows per committed batch (checkpoint)."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help=f"Processes that read, clean and write the batches in turns (default {WORKERS}; 0: none).",
        )
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help="Do not draw a progress bar (never drawn off a terminal).",
        )

    def handle(
        self, *args, source: str, file: Path, batch: int, workers: int | None, no_progress: bool, **options
    ) -> None:
        try:
            with _bar(enabled=not no_progress and self.stderr.isatty()) as progress:
                result = legacy_import(
                    source=source, path=file, batch=batch, progress=progress, workers=workers
                )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self._print(result)

    def _print(self, result: ImportResult) -> None:
        run = result.run
        if result.already_imported:
            self.stdout.write(
                f"{run.file_name}: already imported (run {run.pk}, {run.finished_at:%Y-%m-%d %H:%M})."
            )
            return
        if result.resumed_from:
            self.stdout.write(f"Resumed run {run.pk} at row {result.resumed_from:,}.")
        self.stdout.write(
            f"{run.source} {run.file_name}: {run.rows_read:,} read, {run.staged:,} staged, "
            f"{run.unchanged:,} unchanged, {run.updated:,} updated, {run.rejected:,} rejected."
        )
        self.stdout.write(f"Reject report: {run.reject_report}")


@contextlib.contextmanager
def _bar(*, enabled: bool) -> Iterator[ProgressCallback | None]:
    if not enabled:
        yield None
        return
    columns = (TextColumn("rows"), BarColumn(), MofNCompleteColumn(), _RowsPerSecond(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task("rows", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)
