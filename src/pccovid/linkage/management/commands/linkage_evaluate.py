"""`pccovid linkage evaluate --matches matches.csv --truth TRUTH.csv [--json]`.

Prints precision, recall, F1 (only "link" rows count as predicted links) and the number sent to review;
with --json exactly one object {"precision", "recall", "f1", "review", "pairs"} (pairs: true pairs in
the truth file).
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pccovid.linkage.config import LinkageError
from pccovid.linkage.evaluate import evaluation_run


class Command(BaseCommand):
    help = "Score a matches CSV against the truth: precision, recall, F1, pairs sent to review."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--matches", type=Path, required=True, help="The output of `pccovid linkage run`."
        )
        parser.add_argument(
            "--truth",
            type=Path,
            required=True,
            help="left_id,right_id pairs or record_id,cluster_id clusters.",
        )
        parser.add_argument("--json", dest="as_json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, matches: Path, truth: Path, as_json: bool, **options) -> None:
        try:
            result = evaluation_run(matches=matches, truth=truth)
        except LinkageError as error:
            raise CommandError(str(error)) from error
        if as_json:
            self.stdout.write(json.dumps(result.as_json()))
            return
        self.stdout.write(
            f"precision {result.precision:.4f}  recall {result.recall:.4f}  f1 {result.f1:.4f}  "
            f"review {result.review}  (true pairs {result.pairs})"
        )
