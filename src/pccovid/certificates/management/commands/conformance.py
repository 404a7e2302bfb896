"""`pccovid conformance dcc DIR [--json]`: run the EU DCC test vectors in DIR against our codec and verifier.

Walks DIR recursively; for every vector runs each check its EXPECTEDRESULTS names; prints one line per
disagreement and a closing line `N passed, N failed` (checks), or with --json one object
{"files", "checks", "agree", "disagree": [{file, check, expected, actual, reason}], "not_tested": [...]}.
Exit status 0 when every check agrees, 1 otherwise, 2 for a usage error.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pccovid.certificates import conformance


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "suite", choices=["dcc"], help="The conformance suite: dcc (EU DCC test vectors)."
        )
        parser.add_argument("directory", help="A folder of test vectors (searched recursively).")
        parser.add_argument("--json", dest="as_json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, suite: str, directory: str, as_json: bool, **options) -> None:
        root = Path(directory)
        if not root.is_dir():
            raise CommandError(f"No such directory: {directory}", returncode=2)
        report = conformance.run(root)
        if as_json:
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        else:
            for o in report.disagree:
                self.stdout.write(
                    f"{o.file}: {o.check} expected {json.dumps(o.expected)}, "
                    f"got {json.dumps(o.actual)}: {o.reason}"
                )
            if report.not_tested:
                by_check: dict[str, int] = {}
                for o in report.not_tested:
                    by_check[o.check] = by_check.get(o.check, 0) + 1
                listed = ", ".join(f"{check} x{n}" for check, n in sorted(by_check.items()))
                self.stdout.write(f"not tested: {listed}")
            self.stdout.write(f"{report.agree} passed, {len(report.disagree)} failed")
        if report.disagree:
            sys.exit(1)
