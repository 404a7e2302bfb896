"""`pccovid legacy generate --people N --seed S --out DIR`: the 2021 apps' extracts, dirty, plus the truth."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pccovid.core.errors import ApplicationError
from pccovid.migration import formats
from pccovid.migration.generator import GenerationReport, legacy_extracts_write


class Command(BaseCommand):
    help = (
        "Write the legacy extracts (Bluezone, NCOVI, VNEID, vaccination portal, ward lists, social insurance)"
        " of N people of the demo population, with realistic faults, and truth.csv. Run `seed_demo` first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, required=True, help="How many people of the database.")
        parser.add_argument(
            "--seed", type=int, default=2021, help="The same seed gives byte-identical files."
        )
        parser.add_argument("--out", type=Path, required=True, help="Directory for the extracts.")
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help="Do not draw a progress bar (never drawn off a terminal).",
        )

    def handle(self, *args, people: int, seed: int, out: Path, no_progress: bool, **options) -> None:
        if people < 1:
            raise CommandError(f"--people must be at least 1, not {people}.")
        if out.exists() and not out.is_dir():
            raise CommandError(f"--out {out} is a file, not a directory.")
        try:
            report = legacy_extracts_write(
                people=people, seed=seed, out=out, progress=not no_progress and self.stderr.isatty()
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self._print(report, out)

    def _print(self, report: GenerationReport, out: Path) -> None:
        self.stdout.write(f"{report.people:,} people -> {out}:")
        for extract in formats.SOURCES.values():
            self.stdout.write(f"  {extract.file_name}: {report.records[extract.source]:,} records")
        self.stdout.write(
            f"  {formats.TRUTH_FILE}: {sum(report.records.values()):,} rows (for evaluation only)"
        )
