"""CSV import of test results, rows per second: `testing.services.results_import_csv` on a lab file of
20,000 rows (parse, check every row, resolve each person by CCCD, store in one transaction, access grants,
audit, one outbox event per result) against the baseline of `csv.reader` + one `executemany` INSERT of the
same rows, already valid and resolved, in one transaction. A re-upload of the same file (every row
"unchanged", nothing written) is timed too.

`run()` needs Django set up and migrated (`benchmarks/run.py` does both in a temporary database); it
creates its own commune, site, official and people and leaves them there (audit rows are append-only, so
the people they name cannot be deleted). Alone: `.venv/bin/python benchmarks/csv_import.py` migrates a
temporary SQLite file.
"""

import csv
import datetime as dt
import io
import os
import random
import secrets
import sys
import tempfile
import time

HEADER = [
    "external_id",
    "id_number",
    "full_name",
    "birth_date",
    "kind",
    "sample_taken_at",
    "result",
    "ct_value",
]


def _commune():
    from pccovid.geography.models import AdminUnit, Edition, Level

    commune = AdminUnit.objects.filter(edition=Edition.CURRENT, level=Level.COMMUNE).order_by("pk").first()
    if commune:
        return commune
    province = AdminUnit.objects.create(
        edition=Edition.CURRENT, code="B0", name="Bench province", level=Level.PROVINCE, path="B0/"
    )
    return AdminUnit.objects.create(
        edition=Edition.CURRENT, code="B0001", name="Bench commune", level=Level.COMMUNE, parent=province,
        path="B0/B0001/",
    )  # fmt: skip


def _people(count: int, commune, rng: random.Random, tag: str) -> list[tuple]:
    """(person id, CCCD, name, birth date) of `count` new people living in `commune`."""
    from pccovid.identity.models import IdentifierKind, Person, PersonIdentifier, new_qid

    people = Person.objects.bulk_create(
        [
            Person(
                qid=new_qid(),
                full_name="Nguyễn Văn Bench",
                name_key="nguyen van bench",
                birth_date=dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(30_000)),
                sex="M",
                residence_unit=commune,
            )
            for _ in range(count)
        ],
        batch_size=5_000,
    )
    base = rng.randrange(10**8)
    numbers = {p.pk: f"9{tag}{(base + n) % 10**8:08d}"[:12].ljust(12, "0") for n, p in enumerate(people)}
    PersonIdentifier.objects.bulk_create(
        [
            PersonIdentifier(person=p, kind=IdentifierKind.CCCD, value=numbers[p.pk], source="bench")
            for p in people
        ],
        batch_size=5_000,
    )
    return [(p.pk, numbers[p.pk], p.full_name, p.birth_date) for p in people]


def _lab_file(people: list[tuple], rng: random.Random, tag: str) -> bytes:
    from pccovid.core import clock

    now = clock.localdate(clock.now())
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADER)
    for n, (_pk, number, name, born) in enumerate(people):
        pcr = rng.random() < 0.2
        day = now - dt.timedelta(days=rng.randrange(3))
        taken = f"{day:%Y-%m-%d} 0{rng.randrange(7, 10)}:{rng.randrange(60):02d}"
        result = "positive" if rng.random() < 0.01 else "negative"
        ct = f"{rng.randrange(200, 450) / 10}" if pcr else ""
        kind = "rt_pcr" if pcr else "rapid_antigen"
        writer.writerow([f"B{tag}-{n:06d}", number, name, born.isoformat(), kind, taken, result, ct])
    return text.getvalue().encode("utf-8")


def _import(assignment, site, data: bytes) -> tuple[float, object]:
    from pccovid.testing import services

    upload = io.BytesIO(data)
    upload.name = "bench.csv"
    started = time.perf_counter()
    report = services.results_import_csv(assignment=assignment, site_code=site.code, file=upload)
    return time.perf_counter() - started, report


def _baseline(site, people: list[tuple], data: bytes, user) -> float:
    """csv.reader + one executemany of the same rows, already valid and resolved (person ids known)."""
    from django.db import connection, transaction

    from pccovid.core import clock
    from pccovid.testing.models import TestResult

    table = TestResult._meta.db_table
    columns = ("person_id", "kind", "sample_taken_at", "result", "ct_value", "site_id", "technician_name",
               "recorded_by_id", "source", "external_id", "needs_retest", "rules_version",
               "created_at")  # fmt: skip
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    person_of = {number: pk for pk, number, _name, _born in people}
    adapt = connection.ops.adapt_datetimefield_value
    created = adapt(clock.now())
    started = time.perf_counter()
    reader = csv.reader(io.StringIO(data.decode("utf-8")))
    next(reader)
    rows = []
    for external_id, number, _name, _born, kind, taken, result, ct in reader:
        moment = dt.datetime.fromisoformat(taken).replace(tzinfo=dt.timezone(dt.timedelta(hours=7)))
        rows.append((person_of[number], kind, adapt(moment), result, ct or None, site.pk, "", user.pk,
                     "baseline", "X" + external_id, False, "testing 2021.1", created))  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return time.perf_counter() - started


def run(*, rows: int = 20_000, seed: int = 2021) -> list[str]:
    """Markdown lines: a table header and two rows (import and re-upload, rows per second)."""
    from django.contrib.auth import get_user_model

    from pccovid.accounts import services as account_services
    from pccovid.testing.models import TestResult, TestSite

    rng = random.Random(seed)
    tag = secrets.token_hex(2).upper()
    commune = _commune()
    site = TestSite.objects.create(code=f"BENCH{tag}", name="Bench lab", unit=commune, kind="lab")
    user = get_user_model().objects.create(username=f"bench-lab-{tag}")
    assignment = account_services.role_assign(user=user, role="health_worker", unit=commune)
    people = _people(rows, commune, rng, str(rng.randrange(10, 99)))
    data = _lab_file(people, rng, tag)
    seconds, report = _import(assignment, site, data)
    if report.stored != rows or report.rejected:
        raise AssertionError(f"stored {report.stored} of {rows}; first refusals: {report.rejected[:3]}")
    again_seconds, again = _import(assignment, site, data)
    if again.stored or again.unchanged != rows:
        raise AssertionError(f"a re-upload stored {again.stored} rows")
    baseline = _baseline(site, people, data, user)
    if TestResult.objects.filter(site=site).count() != 2 * rows:
        raise AssertionError("the baseline did not store every row")
    what = "`csv.reader` + one `executemany` INSERT of the same valid, resolved rows, one transaction"
    lines = [
        (f"CSV import of {rows:,} test results (`results_import_csv`: check, resolve by CCCD, store, audit, "
         "events)", rows / seconds),
        ("the same file uploaded again (every row unchanged, nothing written)", rows / again_seconds),
    ]  # fmt: skip
    base_rate = rows / baseline
    return [
        "| operation | pccovid | baseline | pccovid / baseline | baseline is |",
        "|---|---|---|---|---|",
        *(
            f"| {name} | {rate:,.0f} rows/s | {base_rate:,.0f} rows/s | {rate / base_rate:.2f}x | {what} |"
            for name, rate in lines
        ),
    ]


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
    os.environ["PCCOVID_VAR_DIR"] = tempfile.mkdtemp(prefix="pccovid-bench-")
    os.environ["PCCOVID_KEY_DIR"] = os.path.join(os.environ["PCCOVID_VAR_DIR"], "keys")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pccovid.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print("\n".join(run(rows=int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)))
