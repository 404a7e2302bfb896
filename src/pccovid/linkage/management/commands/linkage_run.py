"""`pccovid linkage run --left A.csv [--right B.csv] --config MAP.toml --out matches.csv`.

Links two CSV files through a column map (deduplicates one when --right is left out) with Splink on
DuckDB (or Spark with `--backend spark`); writes the matches CSV and, beside it, the trained model
(`matches.model.json`). With `--model` an earlier run's model scores the files as it is, untrained: one
model for every province's files.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from pccovid.linkage.config import LinkageError, config_load
from pccovid.linkage.engine import BACKENDS, PHASES, RunReport, linkage_run


class Command(BaseCommand):
    help = "Link two CSV files (or deduplicate one) through a column map; write matches with explanations."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--left", type=Path, required=True, help="The first CSV file (UTF-8, header row)."
        )
        parser.add_argument(
            "--right", type=Path, help="The second CSV file; leave out to deduplicate --left."
        )
        parser.add_argument("--config", type=Path, required=True, help="The column map (TOML).")
        parser.add_argument("--out", type=Path, required=True, help="Where to write the matches CSV.")
        parser.add_argument(
            "--backend",
            choices=BACKENDS,
            default="duckdb",
            help="duckdb (in-process, the default) or spark (pyspark and Java; the same model).",
        )
        parser.add_argument(
            "--model",
            type=Path,
            help="Score with a saved model (an earlier run's .model.json, same fields) instead of training.",
        )
        parser.add_argument("--no-progress", action="store_true", help="Do not draw the progress bar.")

    def handle(
        self,
        *args,
        left: Path,
        right: Path | None,
        config: Path,
        out: Path,
        backend: str,
        model: Path | None = None,
        **options,
    ) -> None:
        enabled = not options["no_progress"] and self.stderr.isatty()
        columns = (TextColumn("linkage {task.description}"), BarColumn(), TimeElapsedColumn())
        try:
            settings = config_load(config)
            with Progress(*columns, console=Console(stderr=True), disable=not enabled) as bar:
                task = bar.add_task(PHASES[0], total=len(PHASES))
                step = iter(range(len(PHASES)))
                report = linkage_run(
                    left=left,
                    right=right,
                    config=settings,
                    out=out,
                    on_phase=lambda phase: bar.update(task, description=phase, completed=next(step)),
                    backend=backend,
                    trained=model,
                )
                bar.update(task, completed=len(PHASES))
        except (LinkageError, OSError) as error:
            raise CommandError(str(error)) from error
        self._print(report)

    def _print(self, report: RunReport) -> None:
        sizes = (
            f"{report.left_rows} x {report.right_rows}" if report.right_rows is not None else report.left_rows
        )
        self.stdout.write(
            f"{sizes} records compared on {', '.join(report.comparisons)}: {report.links} links, "
            f"{report.reviews} to review -> {report.out} (model {report.model})"
        )
