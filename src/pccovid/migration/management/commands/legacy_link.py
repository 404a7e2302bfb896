"""`pccovid legacy link`: link staged legacy records to persons by their identifiers (deterministic step)."""

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from pccovid.core.errors import ApplicationError
from pccovid.linkage.evaluate import Evaluation
from pccovid.migration import formats, linking
from pccovid.migration.linking import LinkReport


class Command(BaseCommand):
    help = (
        "Link staged legacy records to persons by a consistent CCCD, a CMND (held, or mapped to a CCCD by the"
        " population register) or a health-insurance card number. Running it again adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", help=f"Only this source's records: {', '.join(formats.SOURCES)}.")
        parser.add_argument("--truth", type=Path, help="The generator's truth.csv: print precision/recall.")
        parser.add_argument("--json", dest="as_json", action="store_true", help="Print one JSON object.")
        parser.add_argument("--batch", type=int, default=5000, help="Records per query round and insert.")
        parser.add_argument("--no-progress", action="store_true", help="Do not draw a progress bar.")

    def handle(self, *args, source, truth, as_json: bool, batch: int, no_progress: bool, **options) -> None:
        if truth is not None and not truth.is_file():
            raise CommandError(f"{truth}: no such truth file.")
        try:
            with _bar(enabled=not no_progress and not as_json and self.stderr.isatty()) as progress:
                report = linking.link_deterministic(source=source, batch=batch, progress=progress)
            evaluation = linking.links_evaluate(truth=truth, source=source) if truth else None
        except ApplicationError as error:
            raise CommandError(error.message) from error
        if as_json:
            self._print_json(report, evaluation)
        else:
            self._print(report, evaluation)

    def _print_json(self, report: LinkReport, evaluation: Evaluation | None) -> None:
        result = report.as_json()
        if evaluation:
            result.update(precision=evaluation.precision, recall=evaluation.recall, truth=evaluation.pairs)
        self.stdout.write(json.dumps(result))

    def _print(self, report: LinkReport, evaluation: Evaluation | None) -> None:
        methods = ", ".join(f"{method} {count:,}" for method, count in report.as_json()["linked"].items())
        self.stdout.write(
            f"{report.considered:,} unlinked records: {report.total_linked:,} linked ({methods}); "
            f"{report.left:,} left for the probabilistic step."
        )
        if evaluation:
            self.stdout.write(
                f"Against the truth ({evaluation.pairs:,} staged records): "
                f"precision {evaluation.precision:.4f}, recall {evaluation.recall:.4f}."
            )


@contextlib.contextmanager
def _bar(*, enabled: bool) -> Iterator[linking.Progress | None]:
    if not enabled:
        yield None
        return
    columns = (TextColumn("records"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task("records", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)
