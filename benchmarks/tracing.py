"""Contact finding for one case (F1 + F2) over millions of check-ins, against a naive full scan.

Measured: `tracing.services.contacts_find(case=...)`, end to end (it reads the case's visits through the
(person, at) index, everyone at each venue within the window through (venue, at), households and fellow
travellers, then the same around each F1, and writes the Contact, ContactPath and access grant rows and
the check-in holds). Each timed run
gets a fresh case for the same person (the previous one closed), so every run writes its contacts anew.

Baseline, same data, same run: read every check-in once, in one sequential pass (a server-side cursor on
PostgreSQL), into three integer columns, then compute the same F1 and F2 sets in Python from them (people
and declarations are read by full scans too). The two must find the same people: a benchmark that
disagrees is a bug, and this one stops.

The city grows with the table: N check-ins over 14 days come from N/20 people at N/2,000 venues (10
million: 500,000 people, 5,000 venues, ~143 check-ins per venue and day, hourly profile of a Vietnamese
city). So a venue is as busy at 1 million as at 10 million: what changes between sizes is the size of the
table, not how crowded a visit is. One case (F0) has 15 visits in its infectious
window, a household of four and a coach trip with 20 fellow travellers; everything is drawn from one seed.

Each size runs in a database of its own: a temporary SQLite file, or a PostgreSQL database created under
the name of `--database-url` and dropped afterwards. Run through `benchmarks/run.py --only tracing`.
"""

import array
import contextlib
import datetime as dt
import json
import os
import platform
import random
import statistics
import tempfile
import threading
import time
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit, urlunsplit

SEED = 2021
DAYS = 14
LOCAL = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
UTC = dt.UTC
FIRST_DAY = dt.date(2021, 8, 1)
DATA_END = dt.datetime(2021, 8, 15, tzinfo=LOCAL)
ONSET = dt.date(2021, 8, 11)
ISOLATED_AT = dt.datetime(2021, 8, 13, 18, tzinfo=LOCAL)
CHECKINS_PER_PERSON = 20
CHECKINS_PER_VENUE = 2_000
COMMUNES = 20
F0_VISITS = 15
FELLOW_TRAVELLERS = 20
F0_VEHICLE = "51B-888.88"
TRANSPORT_SHARE = 0.03
# Share of a day's check-ins in each local hour (0-23): a morning, a lunch and an evening peak.
HOUR_WEIGHTS = (0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 2, 5, 6, 5, 5, 8, 9, 6, 4, 4, 5, 8, 9, 8, 6, 3, 1, 0.3)
CATEGORIES = ("shop", "market", "restaurant", "office", "school", "hospital", "other")
USERNAME = "bench-tracing"
NAME, NAME_KEY = "Nguyễn Văn Bench", "nguyen van bench"
DOC_DATA = "<!-- bench:tracing:data "

# Local midnight of the first day is 17:00 UTC the day before: times are generated as seconds since
# UTC midnight of that day, and written as text in the database's own format.
_BASE = dt.datetime.combine(FIRST_DAY - dt.timedelta(days=1), dt.time(), tzinfo=UTC)
_BASE_EPOCH = int(_BASE.timestamp())
_LOCAL_SHIFT = int((dt.datetime.combine(FIRST_DAY, dt.time(), tzinfo=LOCAL) - _BASE).total_seconds())
_DAY_TEXT = [f"{_BASE.date() + dt.timedelta(days=d):%Y-%m-%d} " for d in range(DAYS + 2)]
_HMS_TEXT = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400)]


@dataclass
class City:
    """What the benchmark needs to know about the generated data (ids are assigned, 1..n)."""

    checkins: int
    people: int
    venues: int
    f0: int
    commune_ids: list[int]
    build_seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class Result:
    database: str
    checkins: int
    people: int
    venues: int
    build_s: float
    service_s: float
    service_runs: list[float]
    reads: int
    read_s: float
    writes: int
    write_s: float
    baseline_s: float
    baseline_read_s: float
    f1: int
    f2: int
    paths: int
    service_extra_mib: float
    baseline_extra_mib: float
    date: str = ""
    machine: str = ""


# --- databases ------------------------------------------------------------------------------------------


def configure(database_url: str | None) -> None:
    """Django against a placeholder database; each size then runs in a fresh one (`_fresh_database`)."""
    var_dir = tempfile.mkdtemp(prefix="pccovid-bench-tracing-")
    os.environ["PCCOVID_VAR_DIR"] = var_dir
    os.environ["PCCOVID_KEY_DIR"] = os.path.join(var_dir, "keys")
    os.environ["DEBUG"] = "0"  # no query log: measure what production runs
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{os.path.join(var_dir, 'placeholder.sqlite3')}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pccovid.settings")
    import django

    django.setup()


@contextlib.contextmanager
def _fresh_database(database_url: str | None, label: str) -> Iterator[None]:
    from django.core.management import call_command
    from django.db import connection

    connection.close()
    if database_url:
        name = urlsplit(database_url).path.lstrip("/")
        _postgres_admin(database_url, f'CREATE DATABASE "{name}"')
    else:
        name = os.path.join(os.environ["PCCOVID_VAR_DIR"], f"tracing-{label}.sqlite3")
    connection.settings_dict["NAME"] = name
    try:
        call_command("migrate", verbosity=0)
        yield
    finally:
        connection.close()
        if database_url:
            _postgres_admin(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(name + suffix)


def _postgres_admin(database_url: str, statement: str) -> None:
    import psycopg

    parts = urlsplit(database_url)
    admin_url = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(statement)


def _stamp_suffix() -> str:
    from django.db import connection

    return "+00" if connection.vendor == "postgresql" else ""


@contextlib.contextmanager
def _bulk_load() -> Iterator[None]:
    """One transaction, foreign keys not checked row by row (the generator only writes valid ids)."""
    from django.db import connection, transaction

    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            yield
        return
    with connection.constraint_checks_disabled(), transaction.atomic():
        yield


def _load(model, columns: list[str], rows: Iterable[tuple]) -> None:
    """Rows straight into the model's table: `COPY` on PostgreSQL, one `executemany` on SQLite."""
    from django.db import connection

    table = model._meta.db_table
    names = ", ".join(model._meta.get_field(c).column for c in columns)
    raw = connection.connection
    if connection.vendor == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" * len(columns))
        raw.cursor().executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def _reset_sequences(*models) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(sql)


# --- the synthetic city ---------------------------------------------------------------------------------


def _stamp(seconds: int, suffix: str) -> str:
    """Seconds since `_BASE` as the text the database stores for a UTC datetime."""
    return _DAY_TEXT[seconds // 86_400] + _HMS_TEXT[seconds % 86_400] + suffix


def _seconds(moment: dt.datetime) -> int:
    return int((moment - _BASE).total_seconds())


def _units() -> list[int]:
    from pccovid.geography.models import AdminUnit, Edition, Level

    province = AdminUnit.objects.create(
        edition=Edition.CURRENT, code="B9", name="Bench province", level=Level.PROVINCE, path="B9/"
    )
    communes = AdminUnit.objects.bulk_create(
        AdminUnit(
            edition=Edition.CURRENT,
            code=f"B9{n:03d}",
            name=f"Bench commune {n}",
            level=Level.COMMUNE,
            parent=province,
            path=f"B9/B9{n:03d}/",
        )
        for n in range(COMMUNES)
    )
    return [c.pk for c in communes]


def _venues(count: int, commune_ids: list[int], operator, rng: random.Random) -> None:
    from pccovid.checkins.models import Venue

    categories = {
        pk: "transport" if rng.random() < TRANSPORT_SHARE else rng.choice(CATEGORIES)
        for pk in range(1, count + 1)
    }
    Venue.objects.bulk_create(
        (
            Venue(
                pk=pk,
                code=f"BV{pk:06d}",
                name=f"Bench {category} {pk}",
                category=category,
                unit_id=rng.choice(commune_ids),
                operator=operator,
                qr_token=f"bench{pk}",
                qr_issued_at=_BASE,
            )
            for pk, category in categories.items()
        ),
        batch_size=2_000,
    )
    _reset_sequences(Venue)


def _people(count: int, commune_ids: list[int], rng: random.Random) -> None:
    """Households of 1 to 6 (about 3 on average) in one commune each; person ids 1..count. The last
    person is the F0, in a household of four."""
    from pccovid.identity.models import Household, Person

    created = _stamp(_seconds(DATA_END), _stamp_suffix())
    households, people = [], []
    person_id = 0
    while person_id < count:
        household_id = len(households) + 1
        commune = rng.choice(commune_ids)
        households.append((household_id, f"BH{household_id:08d}", commune, ""))
        size = min(rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5, 6)), count - 4 - person_id)
        if size <= 0:
            size = count - person_id
        for member in range(size):
            person_id += 1
            birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(30_000))
            relation = "head" if member == 0 else "other"
            row = (person_id, f"{person_id:012d}", NAME, NAME_KEY, birth.isoformat(), rng.choice("MF"))
            people.append((*row, "VN", commune, household_id, relation, "", created, created))
    _load(Household, ["id", "code", "unit", "address_line"], households)
    _load(
        Person,
        [
            *("id", "qid", "full_name", "name_key", "birth_date", "sex", "nationality", "residence_unit"),
            *("household", "household_relation", "address_line", "created_at", "updated_at"),
        ],
        people,
    )
    _reset_sequences(Household, Person)


def _declarations(city: City, rng: random.Random) -> None:
    """Domestic travel declarations: the F0's coach with its fellow travellers, and one person in a
    hundred on one of 300 coaches, trains or flights some day of the fortnight."""
    from pccovid.declarations.models import Declaration

    rules_version = "bench"
    unit = city.commune_ids[0]
    trip_day = ONSET - dt.timedelta(days=1)
    fellow = rng.sample(range(1, city.f0), FELLOW_TRAVELLERS)
    trips = [(city.f0, F0_VEHICLE, "coach", trip_day)] + [(p, F0_VEHICLE, "coach", trip_day) for p in fellow]
    vehicles = [(f"VN{n:04d}", rng.choice(("plane", "train", "coach"))) for n in range(300)]
    for person in rng.sample(range(1, city.f0), max(city.people // 100, 100)):
        number, transport = rng.choice(vehicles)
        trips.append((person, number, transport, FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))))
    Declaration.objects.bulk_create(
        (
            Declaration(
                kind="domestic",
                person_id=person,
                declared_by_id=person,
                declared_at=dt.datetime.combine(day, dt.time(7), tzinfo=LOCAL),
                rules_version=rules_version,
                stay_unit_id=unit,
                stay_address="Bench",
                transport=transport,
                vehicle_number=number,
                travel_date=day,
            )
            for person, number, transport, day in trips
        ),
        batch_size=2_000,
    )


def _f0_visits(city: City, rng: random.Random) -> list[tuple[int, int]]:
    """(venue, seconds) of the F0's visits: distinct venues, at busy hours, inside the infectious window."""
    start = _seconds(_infectious_from())
    end = _seconds(ISOLATED_AT)
    visits: list[tuple[int, int]] = []
    for venue in rng.sample(range(1, city.venues + 1), F0_VISITS):
        while True:
            day = rng.randrange(start // 86_400, end // 86_400 + 1)
            hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
            moment = day * 86_400 + (hour * 3_600 + rng.randrange(3_600) + _LOCAL_SHIFT) % 86_400
            if start <= moment <= end:
                visits.append((venue, moment))
                break
    return visits


def _infectious_from() -> dt.datetime:
    return dt.datetime.combine(ONSET - dt.timedelta(days=2), dt.time(), tzinfo=LOCAL)


def _checkin_rows(city: City, operator_id: int, rng: random.Random) -> Iterator[tuple]:
    """Everyone but the F0 at random venues, days and seconds (hours weighted), then the F0's visits."""
    suffix = _stamp_suffix()
    created = _stamp(_seconds(DATA_END), suffix)
    people, venues, days, hours, seconds = (
        range(1, city.f0),
        range(1, city.venues + 1),
        range(DAYS),
        range(24),
        range(3_600),
    )
    cumulative = list(_accumulate(HOUR_WEIGHTS))
    chunk = 100_000
    for start in range(0, city.checkins - F0_VISITS, chunk):
        n = min(chunk, city.checkins - F0_VISITS - start)
        for person, venue, day, hour, second in zip(
            rng.choices(people, k=n),
            rng.choices(venues, k=n),
            rng.choices(days, k=n),
            rng.choices(hours, cum_weights=cumulative, k=n),
            rng.choices(seconds, k=n),
            strict=True,
        ):
            moment = _stamp(_LOCAL_SHIFT + day * 86_400 + hour * 3_600 + second, suffix)
            yield (person, venue, moment, "citizen_scan", operator_id, created)
    for venue, moment in _f0_visits(city, rng):
        yield (city.f0, venue, _stamp(moment, suffix), "citizen_scan", operator_id, created)


def _accumulate(weights: Iterable[float]) -> Iterator[float]:
    total = 0.0
    for weight in weights:
        total += weight
        yield total


def _checkins(city: City, operator_id: int, rng: random.Random) -> None:
    """Load without the three secondary indexes, then build them (a sort each, instead of 10 million
    random B-tree inserts), exactly as the model declares them."""
    from django.db import connection

    from pccovid.checkins.models import CheckIn

    indexes = CheckIn._meta.indexes
    with connection.schema_editor() as editor:
        for index in indexes:
            editor.remove_index(CheckIn, index)
    with _bulk_load():
        _load(
            CheckIn,
            ["person", "venue", "at", "how", "recorded_by", "created_at"],
            _checkin_rows(city, operator_id, rng),
        )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET maintenance_work_mem = '1GB'")
        else:
            cursor.execute("PRAGMA cache_size = -524288")  # 512 MiB for the index sorts
            cursor.execute("PRAGMA threads = 2")
    with connection.schema_editor() as editor:
        for index in indexes:
            editor.add_index(CheckIn, index)
    city.build_seconds["indexes"] = time.perf_counter() - started


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("PRAGMA analysis_limit = 1000")
            cursor.execute("ANALYZE")


def build_city(checkins: int, seed: int = SEED) -> City:
    """The whole synthetic city, ids assigned 1..n, every random draw from one `random.Random(seed)`."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    rng = random.Random(seed)
    people = checkins // CHECKINS_PER_PERSON
    city = City(
        checkins=checkins,
        people=people,
        venues=max(checkins // CHECKINS_PER_VENUE, F0_VISITS),
        f0=people,
        commune_ids=[],
    )
    timings = city.build_seconds
    started = time.perf_counter()
    city.commune_ids = _units()
    operator = get_user_model().objects.create(username=USERNAME)
    _venues(city.venues, city.commune_ids, operator, rng)
    with _bulk_load():
        _people(people, city.commune_ids, rng)
    _declarations(city, rng)
    timings["people, venues, declarations"] = time.perf_counter() - started
    mark = time.perf_counter()
    _checkins(city, operator.pk, rng)
    timings["check-ins"] = time.perf_counter() - mark - timings["indexes"]
    mark = time.perf_counter()
    _analyze()
    timings["analyze"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started
    connection.close()  # the next connection has the default settings again (cache, work memory)
    return city


# --- the measured service -------------------------------------------------------------------------------


def _new_case(city: City):
    """A fresh open case of the F0 (closing the previous one), as the positive result would open it."""
    from pccovid.identity.models import Person
    from pccovid.rules import services as rule_services
    from pccovid.tracing.models import Case

    Case.objects.filter(person_id=city.f0, closed_at__isnull=True).update(closed_at=DATA_END)
    version = rule_services.current("tracing", at=ONSET).version
    person = Person.objects.get(pk=city.f0)
    return Case.objects.create(
        person=person,
        unit_id=person.residence_unit_id,
        source="manual",
        reason="benchmark",
        onset_date=ONSET,
        infectious_from=_infectious_from(),
        isolated_at=ISOLATED_AT,
        opened_at=ISOLATED_AT,
        rules_version=version,
    )


def _release_holds() -> None:
    """Every run holds the check-ins it used as evidence: undone between runs, so each does it again."""
    from pccovid.checkins.models import CheckIn

    CheckIn.objects.filter(held_for_case__isnull=False).update(held_for_case=None)


def _contacts_find() -> Callable:
    """Imported late: the harness runs (and its baseline can be checked) before the service exists."""
    from pccovid.tracing.services import contacts_find

    return contacts_find


@dataclass
class Statements:
    """What one run sent to the database: reads (SELECT) and writes (the rest), count and seconds."""

    reads: int = 0
    read_s: float = 0.0
    writes: int = 0
    write_s: float = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seconds = time.perf_counter() - started
            if sql.lstrip().upper().startswith("SELECT"):
                self.reads += 1
                self.read_s += seconds
            else:
                self.writes += 1
                self.write_s += seconds


ServiceMeasure = tuple[list[float], Statements, set[int], set[int], int, float]


def measure_service(city: City, repeat: int) -> ServiceMeasure:
    """Seconds of each run; the statements, F1 and F2 people and path count of one more run; peak extra
    MiB."""
    from django.db import connection

    from pccovid.core import clock
    from pccovid.tracing.models import Contact, ContactPath

    contacts_find = _contacts_find()
    runs = []
    peak = 0.0
    statements = Statements()
    with clock.frozen(DATA_END):
        for _ in range(repeat):
            _release_holds()
            case = _new_case(city)
            with _PeakRss() as rss:
                started = time.perf_counter()
                contacts_find(case=case)
                runs.append(time.perf_counter() - started)
            peak = max(peak, rss.extra_mib)
        _release_holds()
        case = _new_case(city)
        with connection.execute_wrapper(statements):
            contacts_find(case=case)
    found = Contact.objects.filter(case=case).values_list("person_id", "degree")
    f1 = {person for person, degree in found if degree == 1}
    f2 = {person for person, degree in found if degree == 2}
    return runs, statements, f1, f2, ContactPath.objects.filter(contact__case=case).count(), peak


# --- the baseline: one full scan ------------------------------------------------------------------------


@dataclass
class Scan:
    """Every check-in as three parallel integer columns (24 bytes a row)."""

    person: array.array
    venue: array.array
    at: array.array


def scan_checkins() -> Scan:
    """`SELECT` of the whole table in one sequential pass, streamed (server-side cursor on PostgreSQL)."""
    from django.db import connection, transaction

    from pccovid.checkins.models import CheckIn

    epoch = (
        "EXTRACT(EPOCH FROM at)::bigint"
        if connection.vendor == "postgresql"
        else "CAST(strftime('%s', at) AS INTEGER)"
    )
    scan = Scan(array.array("q"), array.array("q"), array.array("q"))
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(f"SELECT person_id, venue_id, {epoch} FROM {CheckIn._meta.db_table}")
        while rows := cursor.fetchmany(20_000):
            person, venue, at = zip(*rows, strict=True)
            scan.person.extend(person)
            scan.venue.extend(venue)
            scan.at.extend(at)
    return scan


def _windows(rules: dict) -> dict[int, int]:
    """Co-presence window in seconds of every venue (full scan of the venue table)."""
    from pccovid.checkins.models import Venue

    default = rules["copresence_minutes"] * 60
    special = {category: minutes * 60 for category, minutes in rules["category_minutes"].items()}
    venues = Venue.objects.values_list("pk", "category")
    return {pk: special.get(category, default) for pk, category in venues}


def _households() -> tuple[dict[int, int], dict[int, list[int]]]:
    from pccovid.identity.models import Person

    of_person, members = {}, defaultdict(list)
    for person, household in Person.objects.filter(household__isnull=False).values_list("pk", "household"):
        of_person[person] = household
        members[household].append(person)
    return of_person, members


def _trips() -> tuple[dict[int, list[tuple[str, dt.date]]], dict[tuple[str, dt.date], list[int]]]:
    from pccovid.declarations.models import Declaration

    of_person, travellers = defaultdict(list), defaultdict(list)
    for person, number, day in Declaration.objects.exclude(vehicle_number="").values_list(
        "person", "vehicle_number", "travel_date"
    ):
        of_person[person].append((number, day))
        travellers[(number, day)].append(person)
    return of_person, travellers


def _copresent(scan: Scan, visits: dict[int, list[tuple[int, int]]]) -> dict[int, int]:
    """Everyone at a venue within the window of one of `visits` (venue -> [(at, window)]), with the
    moment of their earliest such check-in."""
    found: dict[int, int] = {}
    for person, venue, at in zip(scan.person, scan.venue, scan.at, strict=True):
        around = visits.get(venue)
        if around is not None:
            for moment, window in around:
                if moment - window <= at <= moment + window:
                    found[person] = min(found.get(person, at), at)
                    break
    return found


def _visits_of(
    scan: Scan, people: dict[int, tuple[int, int]], windows: dict[int, int]
) -> dict[int, list[tuple[int, int]]]:
    """The check-ins of `people` (person -> (from, to) seconds), grouped by venue with their window."""
    visits = defaultdict(list)
    for person, venue, at in zip(scan.person, scan.venue, scan.at, strict=True):
        period = people.get(person)
        if period is not None and period[0] <= at <= period[1]:
            visits[venue].append((at, windows[venue]))
    return visits


def _midnight(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(), tzinfo=LOCAL).timestamp())


def contacts_by_scan(
    scan: Scan, f0: int, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> tuple[set[int], set[int]]:
    """F1 and F2 person sets from the scanned columns, by the rules the service applies. F1: at a venue
    within the window of one of the F0's visits in [start, end], in its household, or on its vehicle on a
    day of that period. F2: the same around each F1, over [its first exposure, now] (not yet notified)."""
    from pccovid.core import clock
    from pccovid.rules import services as rule_services

    rules = rule_services.current("tracing", at=clock.localdate(start)).values
    windows = _windows(rules)
    household_of, members = _households()
    trips_of, travellers = _trips()

    def around(sources: dict[int, tuple[int, int]]) -> dict[int, int]:
        """Everyone met by `sources` (person -> (from, to)), with their first exposure."""
        found = _copresent(scan, _visits_of(scan, sources, windows))
        for person, (begin, finish) in sources.items():
            exposures = [(member, begin) for member in members.get(household_of.get(person), ())]
            first, last = clock.localdate(_aware(begin)), clock.localdate(_aware(finish))
            for number, day in trips_of.get(person, ()):
                if first <= day <= last:
                    exposures += [(traveller, _midnight(day)) for traveller in travellers[(number, day)]]
            for met, moment in exposures:
                found[met] = min(found.get(met, moment), moment)
        return found

    f1 = around({f0: (int(start.timestamp()), int(end.timestamp()))})
    f1.pop(f0, None)
    f2 = around({person: (moment, int(now.timestamp())) for person, moment in f1.items()})
    return set(f1), set(f2) - set(f1) - {f0}


def _aware(epoch: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, tz=UTC)


def measure_baseline(city: City, repeat: int) -> tuple[list[float], float, set[int], set[int], float]:
    """Seconds of each run (read + compute), the median read alone, F1 and F2, peak extra MiB."""
    runs, reads = [], []
    peak = 0.0
    for _ in range(repeat):
        with _PeakRss() as rss:
            started = time.perf_counter()
            scan = scan_checkins()
            reads.append(time.perf_counter() - started)
            f1, f2 = contacts_by_scan(scan, city.f0, _infectious_from(), ISOLATED_AT, DATA_END)
            runs.append(time.perf_counter() - started)
            del scan
        peak = max(peak, rss.extra_mib)
    return runs, statistics.median(reads), f1, f2, peak


# --- memory ---------------------------------------------------------------------------------------------


class _PeakRss:
    """Highest resident set size above the starting one while the block runs (sampled every 5 ms)."""

    def __enter__(self) -> "_PeakRss":
        self._start = self._peak = _rss_bytes()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._done.wait(0.005):
            self._peak = max(self._peak, _rss_bytes())

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()
        self._peak = max(self._peak, _rss_bytes())

    @property
    def extra_mib(self) -> float:
        return (self._peak - self._start) / 2**20


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# --- one size, and the report ---------------------------------------------------------------------------


def bench_size(checkins: int, repeat: int) -> Result:
    from django.db import connection

    city = build_city(checkins)
    print(f"  built {checkins:,} check-ins: {_timings(city.build_seconds)}", flush=True)
    base_runs, base_read, base_f1, base_f2, base_mib = measure_baseline(city, repeat)
    base_s = statistics.median(base_runs)
    print(f"  baseline {base_s:.2f} s, F1 {len(base_f1)}, F2 {len(base_f2)}", flush=True)
    runs, statements, f1, f2, paths, service_mib = measure_service(city, repeat)
    print(f"  service {statistics.median(runs):.3f} s ({statements})", flush=True)
    _check_same(f1, base_f1, "F1")
    _check_same(f2, base_f2, "F2")
    return Result(
        database=connection.vendor,
        checkins=checkins,
        people=city.people,
        venues=city.venues,
        build_s=city.build_seconds["total"],
        service_s=statistics.median(runs),
        service_runs=runs,
        reads=statements.reads,
        read_s=statements.read_s,
        writes=statements.writes,
        write_s=statements.write_s,
        baseline_s=base_s,
        baseline_read_s=base_read,
        f1=len(f1),
        f2=len(f2),
        paths=paths,
        service_extra_mib=service_mib,
        baseline_extra_mib=base_mib,
        **_machine(),
    )


def _timings(timings: dict[str, float]) -> str:
    return ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items())


def _check_same(service: set[int], baseline: set[int], degree: str) -> None:
    if service != baseline:
        raise AssertionError(
            f"{degree}: the service and the full scan disagree: {len(service)} against {len(baseline)}; "
            f"only the service: {sorted(service - baseline)[:20]}, "
            f"only the scan: {sorted(baseline - service)[:20]}"
        )


def run(*, sizes: list[int], database_url: str | None, repeat: int) -> list[Result]:
    """Every size in a fresh database of its own (Django must be `configure`d first)."""
    results = []
    for size in sizes:
        print(f"tracing benchmark: {size:,} check-ins, {database_url or 'SQLite'}", flush=True)
        with _fresh_database(database_url, str(size)):
            results.append(bench_size(size, repeat))
    return results


def section(previous: str, results: list[Result], start: str, end: str) -> str:
    """The doc section: results of this run replace the earlier ones of the same database, the others
    stay (kept as JSON in a comment of the section), and the tables are written again from all of them."""
    kept = []
    if DOC_DATA in previous:
        kept = json.loads(previous.split(DOC_DATA, 1)[1].split(" -->", 1)[0])
    databases = {r.database for r in results}
    rows = [row for row in kept if row["database"] not in databases] + [asdict(r) for r in results]
    rows.sort(key=lambda row: (row["database"] != "sqlite", row["checkins"]))
    return "\n".join([start, *_report(rows), DOC_DATA + json.dumps(rows) + " -->", end])


def _machine() -> dict[str, str]:
    """The date, the machine and the database engine's version (asked while the database exists)."""
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            engine = "PostgreSQL " + cursor.fetchone()[0].split()[0]
        else:
            cursor.execute("SELECT sqlite_version()")
            engine = "SQLite " + cursor.fetchone()[0]
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "date": f"{dt.date.today():%Y-%m-%d}",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {memory:.0f} GiB RAM, "
        f"Python {platform.python_version()}, Django {django.get_version()}, {engine}",
    }


def _report(rows: list[dict]) -> list[str]:
    machines = sorted({f"{row['date']}: {row['machine']}" for row in rows})
    lines = [
        "## Contact tracing, F1 + F2 of one case (`benchmarks/run.py --only tracing`)",
        "",
        *(f"Measured {m}." for m in machines),
        "",
        "| database | check-ins | people / venues | data built in | `contacts_find` | its SELECTs "
        "| its writes | full scan (of it, reading) | scan / service | F1 | F2 | paths | service per contact "
        "| extra memory: service, scan |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        engine = "PostgreSQL" if row["database"] == "postgresql" else "SQLite"
        lines.append(
            f"| {engine} | {row['checkins']:,} | {row['people']:,} / {row['venues']:,} | "
            f"{row['build_s']:.0f} s | {row['service_s']:.2f} s | "
            f"{row['reads']:,} in {row['read_s']:.2f} s | {row['writes']:,} in {row['write_s']:.2f} s | "
            f"{row['baseline_s']:.1f} s ({row['baseline_read_s']:.1f} s) | "
            f"{row['baseline_s'] / row['service_s']:.1f}x | {row['f1']:,} | {row['f2']:,} | "
            f"{row['paths']:,} | {row['service_s'] * 1000 / (row['f1'] + row['f2']):.2f} ms | "
            f"{row['service_extra_mib']:.0f} MiB, {row['baseline_extra_mib']:.0f} MiB |"
        )
    return [*lines, "", *_growth(rows), *(" ".join(paragraph.split()) + "\n" for paragraph in EXPLANATION)]


def _growth(rows: list[dict]) -> list[str]:
    """One line per database: how each side grew from its smallest to its largest table."""
    lines = []
    for database in sorted({row["database"] for row in rows}, reverse=True):
        own = sorted((row for row in rows if row["database"] == database), key=lambda row: row["checkins"])
        small, large = own[0], own[-1]
        if small is large:
            continue
        per_contact = [row["service_s"] / (row["f1"] + row["f2"]) for row in (small, large)]
        engine = "PostgreSQL" if database == "postgresql" else "SQLite"
        lines.append(
            f"Growth on {engine}, {small['checkins']:,} to {large['checkins']:,} check-ins "
            f"({large['checkins'] / small['checkins']:.0f}x the table): the service took "
            f"{large['service_s'] / small['service_s']:.2f}x the time for "
            f"{(large['f1'] + large['f2']) / (small['f1'] + small['f2']):.2f}x the contacts "
            f"({per_contact[1] / per_contact[0]:.2f}x per contact, its SELECTs "
            f"{large['read_s'] / small['read_s']:.2f}x); the full scan took "
            f"{large['baseline_s'] / small['baseline_s']:.1f}x.\n"
        )
    return lines


EXPLANATION = (
    """`contacts_find` is the real service, end to end, median of 3 runs (each on a fresh case of the same
    person, the check-in holds of the previous run undone); its SELECTs and writes (count, and seconds
    spent in the database) and its paths are from a fourth run. The full scan reads every check-in once
    (server-side cursor on PostgreSQL) into three integer columns, then computes the same F1 and F2 sets in
    Python (people and declarations by full scans too); the run stops if the two disagree. Extra memory is
    the peak resident set above the one before the step. Data: the city grows with the table (N/20
    people, N/2,000 venues, 14 days, hourly profile), so a venue is as busy at every size; one F0 with 15
    visits in a 4.75-day infectious window, a household of four and a coach trip with 20 others, every
    draw from one seed. F1 and F2 still differ between sizes: the F0's visits are drawn anew, and in the
    50,000-person city a second generation of tens of thousands of people meets the same people again, so
    it finds fewer new ones.""",
    """Why the service is flat: it never reads the table, only index ranges whose number and length
    depend on the case. For each source (the F0, then each F1, over its own window: an F1 from its first
    exposure until notified) one range scan of (person, at) for its visits, then one range scan of
    (venue, at) per visit (±60 min, ±120 min at transport), plus one household lookup and one lookup of
    its declared trips (and of each vehicle-day). So the SELECTs number about (1 + F1) x 3 + (the visits
    of the F0 and of the F1s), each costing log N to find its range plus the people in it: from 1 to 10
    million check-ins only the log N grows (and, on SQLite, more of the index pages come from the
    operating system's cache than from its own 2 MiB one), and the time per contact found stays the same. On
    PostgreSQL a SELECT costs about 1 ms, nearly all of it fixed per statement (at 1 million, `EXPLAIN
    ANALYZE` of a co-presence range: 0.3 ms planning, 0.3 ms executing 21 rows; the rest is the round trip
    and Django building the query), against 0.05-0.1 ms in-process on SQLite. The full scan
    reads all N rows whatever the case: it grows linearly with the table, and a national table (hundreds
    of millions of check-ins over the retention period) is out of its reach.""",
    """Where the service's time goes. On SQLite little of it is in the database (the two columns): the
    rest is Python work that follows the size of what is found, not of the table. Profiled at 1 million:
    about two fifths is building the evidence from the ~3,300 range scans, mostly Django compiling each
    small query rather than the database running it; about half is storing the result, which the scan
    does not do: one Contact per person, one ContactPath per piece of evidence (a co-present pair of
    check-ins, a shared household or vehicle-day: about 1.5 per contact here), one access grant per
    contact living outside the case's commune, and the check-ins held as evidence. On PostgreSQL more
    than half is in the database: the ~1 ms per SELECT above, and the writes (at 1 million: 2.2 s to
    insert 40,000 paths, 2.0 s for 24,000 contacts, 1.3 s for the grants, 1.4 s for the UPDATE holding
    the check-ins); the writes grow somewhat with the table (more index pages to touch), which is why
    its time per contact stays level rather than falling like SQLite's. At this density an F2 generation
    is tens of thousands of people, and the cost follows it (the "per contact" column).""",
)
