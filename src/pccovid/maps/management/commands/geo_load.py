"""`pccovid geo load FILE [--edition 2021|2025] [--illustrative]`: load unit boundaries from GeoJSON."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pccovid.core.errors import ApplicationError
from pccovid.maps import services


class Command(BaseCommand):
    help = (
        "Load unit boundaries from a GeoJSON FeatureCollection whose features carry properties.code (the "
        "unit's code; see docs/map.md). A re-load replaces the units' boundaries. Exits non-zero when "
        "nothing could be loaded."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The GeoJSON file.")
        parser.add_argument(
            "--edition",
            default="2025",
            choices=services.EDITIONS,
            help="Edition of the codes, unless a feature says (properties.edition); 2025 by default.",
        )
        parser.add_argument(
            "--illustrative",
            action="store_true",
            help="The shapes are not real boundaries (the map says so).",
        )
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help="Do not draw progress bars (never drawn off a terminal).",
        )

    def handle(self, *args, file: Path, edition: str, illustrative: bool, no_progress: bool, **options):
        progress = not no_progress and self.stdout.isatty()
        try:
            report = services.boundaries_load(
                path=file, edition=edition, illustrative=illustrative, progress=progress
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        for problem in report.problems:
            self.stderr.write(f"{report.source}: {problem}")
        summary = (
            f"{report.source}: {report.loaded} boundaries loaded ({report.replaced} replaced), "
            f"{len(report.problems)} features skipped."
        )
        if not report.loaded:
            raise CommandError(summary)
        self.stdout.write(summary)
