"""`pccovid legacy link`: link staged legacy records to persons, then merge what was linked.

Step 1 links by identifiers (deterministic); step 2 (unless `--step deterministic`) scores the rest
against the register with the Fellegi-Sunter model and writes links and review pairs; last, every linked
record is merged into its person (provenance, doses, health-insurance card). `--save-model` writes the
model the run trained; `--model` scores with such a file instead of training (one model for every city).
"""

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from pccovid.core.errors import ApplicationError
from pccovid.linkage.evaluate import Evaluation
from pccovid.migration import formats, linking, merge, probabilistic
from pccovid.migration.linking import LinkReport
from pccovid.migration.models import LinkRun


class Command(BaseCommand):
    help = (
        "Link staged legacy records to persons by a consistent CCCD, a CMND (held, or mapped to a CCCD by the"
        " population register) or a health-insurance card number, then probabilistically (name, birth date,"
        " phone, sex, commune); merge what was linked. Running it again adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", help=f"Only this source's records: {', '.join(formats.SOURCES)}.")
        parser.add_argument("--truth", type=Path, help="The generator's truth.csv: print precision/recall.")
        parser.add_argument("--json", dest="as_json", action="store_true", help="Print one JSON object.")
        parser.add_argument("--batch", type=int, default=5000, help="Records per query round and insert.")
        parser.add_argument("--no-progress", action="store_true", help="Do not draw a progress bar.")
        parser.add_argument(
            "--model", type=Path, help="Score with this saved model (see --save-model) instead of training."
        )
        parser.add_argument(
            "--save-model", type=Path, help="Write the probabilistic run's model (JSON) here."
        )
        parser.add_argument(
            "--step",
            choices=("deterministic", "all"),
            default="all",
            help="'deterministic': identifiers only (the baseline); 'all' (default): then probabilistic.",
        )

    def handle(
        self, *args, source, truth, as_json: bool, batch: int, no_progress: bool, step: str, **options
    ):
        if truth is not None and not truth.is_file():
            raise CommandError(f"{truth}: no such truth file.")
        trained, save_model = options.get("model"), options.get("save_model")
        if trained is not None and not trained.is_file():
            raise CommandError(f"{trained}: no such model file.")
        if (trained or save_model) and step != "all":
            raise CommandError("--model and --save-model are for the probabilistic step (--step all).")
        bars = not no_progress and not as_json and self.stderr.isatty()
        try:
            with _bar(enabled=bars) as progress:
                report = linking.link_deterministic(source=source, batch=batch, progress=progress)
            run = probabilistic.link_probabilistic(source=source, trained=trained) if step == "all" else None
            if run and save_model:
                model_save(run, save_model)
            merged = merge.links_merge()
            evaluation = linking.links_evaluate(truth=truth, source=source) if truth else None
        except ApplicationError as error:
            raise CommandError(error.message) from error
        if as_json:
            self._print_json(report, run, merged, evaluation)
        else:
            self._print(report, run, merged, evaluation)

    def _print_json(
        self, report: LinkReport, run: LinkRun | None, merged: int, evaluation: Evaluation | None
    ) -> None:
        result = report.as_json()
        if run:
            result["probabilistic"] = {
                "considered": run.considered,
                "linked": run.linked,
                "review": run.review,
            }
        result["merged"] = merged
        if evaluation:
            result.update(
                precision=evaluation.precision, recall=evaluation.recall, review=evaluation.review,
                truth=evaluation.pairs,
            )  # fmt: skip
        self.stdout.write(json.dumps(result))

    def _print(
        self, report: LinkReport, run: LinkRun | None, merged: int, evaluation: Evaluation | None
    ) -> None:
        methods = ", ".join(f"{method} {count:,}" for method, count in report.as_json()["linked"].items())
        self.stdout.write(
            f"{report.considered:,} unlinked records: {report.total_linked:,} linked ({methods}); "
            f"{report.left:,} left for the probabilistic step."
        )
        if run:
            self.stdout.write(
                f"Probabilistic (run {run.pk}): {run.considered:,} considered, {run.linked:,} linked, "
                f"{run.review:,} waiting for review."
            )
            if run.note:
                self.stdout.write(run.note)
        self.stdout.write(f"{merged:,} linked records merged into their persons.")
        if evaluation:
            self.stdout.write(
                f"Against the truth ({evaluation.pairs:,} staged records): "
                f"precision {evaluation.precision:.4f}, recall {evaluation.recall:.4f}, "
                f"{evaluation.review:,} in review."
            )


def model_save(run: LinkRun, path: Path) -> None:
    if not run.model:
        raise CommandError(
            f"Run {run.pk} trained no model ({run.note or 'nothing to score'}): {path} not written."
        )
    try:
        path.write_text(json.dumps(run.model, indent=2), encoding="utf-8")
    except OSError as error:
        raise CommandError(f"Cannot write {path}: {error.strerror or error}.") from error


@contextlib.contextmanager
def _bar(*, enabled: bool) -> Iterator[linking.Progress | None]:
    if not enabled:
        yield None
        return
    columns = (TextColumn("records"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task("records", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)
