"""Bulk check-in ingest, events per second: `checkins.services.checkins_bulk_ingest` in batches of 1,000
(recognise and verify each signed personal QR, resolve the person, skip ids already stored, one
transaction per batch) against the baseline of a plain `executemany` INSERT of the same rows, already
resolved, one transaction per batch. A resent batch (every event a duplicate) is timed too.

`run()` needs Django set up and migrated (`benchmarks/run.py` does both in a temporary database); it
creates its own operator, venue and people and deletes them afterwards. Alone:
`.venv/bin/python benchmarks/checkin_ingest.py` migrates a temporary SQLite file.
"""

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time

BATCH = 1_000
USERNAME = "bench-checkins"


def _commune():
    """A commune of the current map to hold the venue and the people (a bench one when none is loaded)."""
    from pccovid.geography.models import AdminUnit, Edition, Level

    commune = AdminUnit.objects.filter(edition=Edition.CURRENT, level=Level.COMMUNE).first()
    if commune:
        return commune
    province = AdminUnit.objects.create(
        edition=Edition.CURRENT, code="B0", name="Bench province", level=Level.PROVINCE, path="B0/"
    )
    return AdminUnit.objects.create(
        edition=Edition.CURRENT,
        code="B0001",
        name="Bench commune",
        level=Level.COMMUNE,
        parent=province,
        path="B0/B0001/",
    )


def _people(count: int, commune, rng: random.Random) -> list:
    from pccovid.identity.models import Person, new_qid

    people = [
        Person(
            qid=new_qid(),
            full_name="Nguyễn Văn Bench",
            name_key="nguyen van bench",
            birth_date=dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(30_000)),
            sex=rng.choice("MF"),
            residence_unit=commune,
        )
        for _ in range(count)
    ]
    return Person.objects.bulk_create(people, batch_size=5_000)


def _signed_codes(people: list, rng: random.Random) -> dict[int, str]:
    from pccovid.core import clock, keys
    from pccovid.qr import formats, selectors

    key = keys.signing_key(selectors.KEY_PURPOSE)
    expires = clock.now() + dt.timedelta(days=30)
    codes = {}
    for person in people:
        fields = formats.PersonalFields(
            document_number=f"079{rng.randrange(10**9):09d}",
            full_name=person.full_name,
            birth_date=person.birth_date,
            qid=person.qid,
        )
        codes[person.pk] = formats.personal_sign(
            formats.personal_unsigned_text(fields), key=key, expires_at=expires
        )
    return codes


def _batches(people: list, codes: dict[int, str], events: int, rng: random.Random, run: int) -> list:
    from pccovid.core import clock

    now = clock.now()
    batches = []
    for start in range(0, events, BATCH):
        batch = []
        for n in range(start, min(start + BATCH, events)):
            person = rng.choice(people)
            at = now - dt.timedelta(seconds=rng.randrange(86_400))
            batch.append(
                {"client_event_id": f"r{run}-{n}", "qr_text": codes[person.pk], "at": at, "pk": person.pk}
            )
        batches.append(batch)
    return batches


def _ingest(operator, venue, batches: list) -> tuple[float, int]:
    from pccovid.checkins import services

    started = time.perf_counter()
    stored = sum(
        services.checkins_bulk_ingest(recorded_by=operator, venue_code=venue.code, events=batch).stored
        for batch in batches
    )
    return time.perf_counter() - started, stored


def _executemany(operator, venue, batches: list) -> float:
    from django.db import connection, transaction

    from pccovid.checkins.models import CheckIn
    from pccovid.core import clock

    table = CheckIn._meta.db_table
    sql = (
        f"INSERT INTO {table} (person_id, venue_id, at, how, recorded_by_id, client_event_id, created_at) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s)"
    )
    adapt = connection.ops.adapt_datetimefield_value
    created = adapt(clock.now())
    rows = [
        [
            (e["pk"], venue.pk, adapt(e["at"]), "venue_scan", operator.pk, e["client_event_id"], created)
            for e in batch
        ]
        for batch in batches
    ]
    started = time.perf_counter()
    for batch in rows:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, batch)
    return time.perf_counter() - started


def run(*, events: int = 10_000, people: int = 5_000, repeat: int = 3, seed: int = 2021) -> list[str]:
    """Markdown lines: a table header and two rows (ingest and resend, events per second)."""
    from django.contrib.auth import get_user_model

    from pccovid.checkins import services
    from pccovid.checkins.models import CheckIn
    from pccovid.identity.models import Person

    rng = random.Random(seed)
    commune = _commune()
    operator, _created = get_user_model().objects.get_or_create(username=USERNAME)
    venue = services.venue_register(
        operator=operator, name="Bench venue", category="shop", unit_code=commune.code
    )
    persons = _people(people, commune, rng)
    codes = _signed_codes(persons, rng)
    ours, resent, baseline = [], [], []
    try:
        for attempt in range(repeat):
            batches = _batches(persons, codes, events, rng, attempt)
            seconds, stored = _ingest(operator, venue, batches)
            if stored != events:
                raise AssertionError(f"stored {stored} of {events} events")
            ours.append(events / seconds)
            seconds, stored = _ingest(operator, venue, batches)
            if stored:
                raise AssertionError(f"a resent batch stored {stored} events")
            resent.append(events / seconds)
            CheckIn.objects.filter(venue=venue).delete()
            baseline.append(events / _executemany(operator, venue, batches))
            CheckIn.objects.filter(venue=venue).delete()
    finally:
        CheckIn.objects.filter(venue=venue).delete()
        venue.delete()
        Person.objects.filter(pk__in=[p.pk for p in persons]).delete()
        operator.delete()
    ours_rate, resent_rate, base_rate = (statistics.median(r) for r in (ours, resent, baseline))
    what = f"plain `executemany` INSERT of the same resolved rows, one transaction per {BATCH:,}"
    rows = [
        (
            f"bulk check-in ingest, batches of {BATCH:,} signed personal QRs (`checkins_bulk_ingest`)",
            ours_rate,
        ),
        ("the same batches resent (every event a duplicate, nothing stored)", resent_rate),
    ]
    return [
        "| operation | pccovid | baseline | pccovid / baseline | baseline is |",
        "|---|---|---|---|---|",
        *(
            f"| {name} | {rate:,.0f} events/s | {base_rate:,.0f} events/s | {rate / base_rate:.2f}x "
            f"| {what} |"
            for name, rate in rows
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
    print("\n".join(run()))
