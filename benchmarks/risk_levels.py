"""Epidemic levels of every unit of the country for one day: `risk.services.levels_compute` against a
naive loop that runs one set of queries per ward (what a first version would write).

The country: the 2021 edition (63 provinces, 696 districts, 10,051 wards) with its synthetic population
figures (about 110 million in all: the rates per 100,000 use them). Rows for 98 million people cannot be
built here, so the inputs the computation reads are generated at a feasible size with realistic rates:
`people` residents spread over the wards in proportion to their figures (ages as Vietnam's 2019 census,
roughly), a first dose for about 75 % of adults and 90 % of people over 50, the cases of the last 14
days at the country's October 2021 pace (`cases_per_day`, spread over a fifth of the wards, so most of the
country is a green zone), 3 active F1 contacts per case, and a capacity entry for every ward.

Both sides compute the same figures for every ward and write them: pccovid with one grouped query per
figure and one upsert (and the districts and provinces besides); the baseline calls the same selectors
once per ward (`first_dose_counts`, `new_case_counts` twice, `active_f1_counts`, the latest capacity)
and `update_or_create`s the ward's row. The baseline is timed on `baseline_sample` wards picked at random
and scaled to all wards (linear: one ward's queries do not depend on the others).

Standalone: `.venv/bin/python benchmarks/risk_levels.py [people]` (a temporary SQLite database).
"""

import datetime as dt
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

DAY = dt.date(2021, 10, 20)
TARGET_SECONDS = 2.0
BATCH = 20_000
# Share of the population per age from 0 to 99 (a smoothed pyramid close to the 2019 census).
AGE_WEIGHTS = [1.6] * 15 + [1.5] * 15 + [1.6] * 15 + [1.3] * 10 + [1.0] * 10 + [0.6] * 10 + [0.25] * 25


def _insert(table: str, columns: list[str], rows) -> int:
    from django.db import connection, transaction

    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    count, batch = 0, []
    with transaction.atomic(), connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                count, batch = count + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _wards():
    from pccovid.geography import services as geography_services
    from pccovid.geography.models import AdminUnit, Edition, Level

    geography_services.units_load(edition=Edition.PRE_2025)
    return list(
        AdminUnit.objects.filter(edition=Edition.PRE_2025, level=Level.COMMUNE).values_list(
            "pk", "population"
        )
    )


def _people(wards, people: int, rng: random.Random) -> list[tuple[int, int, int]]:
    """(person id, ward id, age) of each resident, inserted with one executemany per batch."""
    from django.utils import timezone

    from pccovid.identity.models import Person, new_qid

    ward_ids = rng.choices([w for w, _ in wards], weights=[p for _, p in wards], k=people)
    ages = rng.choices(range(100), weights=AGE_WEIGHTS, k=people)
    now = timezone.now()
    first = (Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    columns = ["id", "qid", "full_name", "name_key", "birth_date", "sex", "nationality", "residence_unit_id",
               "household_relation", "address_line", "created_at", "updated_at"]  # fmt: skip
    rows = (
        (
            first + i,
            new_qid(),
            f"Người {i}",
            f"nguoi {i}",
            DAY.replace(year=DAY.year - ages[i]) - dt.timedelta(days=i % 300),
            "MF"[i % 2],
            "VN",
            ward_ids[i],
            "",
            "",
            now,
            now,
        )
        for i in range(people)
    )
    _insert(Person._meta.db_table, columns, rows)
    return [(first + i, ward_ids[i], ages[i]) for i in range(people)]


def _doses(residents, rng: random.Random) -> int:
    from django.utils import timezone

    from pccovid.vaccination.models import Dose, VaccineProduct

    product = VaccineProduct.objects.get(code="EU/1/21/1529").pk
    now = timezone.now()
    share = {True: 0.9, False: 0.75}
    rows = (
        (person, product, 1, DAY - dt.timedelta(days=rng.randrange(1, 120)), "bench", "", now)
        for person, _ward, age in residents
        if age >= 18 and rng.random() < share[age >= 50]
    )
    columns = ["person_id", "product_id", "dose_number", "given_on", "source", "rules_version", "created_at"]
    return _insert(Dose._meta.db_table, columns, rows)


def _cases_and_contacts(residents, wards, cases_per_day: int, rng: random.Random) -> tuple[int, int]:
    from pccovid.core import clock
    from pccovid.tracing.models import Case, Contact

    by_ward: dict[int, list[int]] = {}
    for person, ward, _age in residents:
        by_ward.setdefault(ward, []).append(person)
    hot = rng.sample(sorted(by_ward), k=max(1, len(by_ward) // 5))
    chosen = set()
    cases = []
    for day in range(14):
        opened = clock.local_midnight(DAY - dt.timedelta(days=day)) + dt.timedelta(hours=10)
        for _ in range(cases_per_day):
            ward = rng.choice(hot)
            person = rng.choice(by_ward[ward])
            if person not in chosen:
                chosen.add(person)
                cases.append((person, ward, opened))
    first = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    columns = ["id", "code", "person_id", "unit_id", "source", "reason", "infectious_from", "isolated_at",
               "isolation_place", "outcome", "opened_at", "rules_version"]  # fmt: skip
    rows = (
        (
            first + i,
            f"F0-B{i:07d}",
            person,
            ward,
            "manual",
            "bench",
            opened - dt.timedelta(days=2),
            opened,
            "home",
            "",
            opened,
            "bench",
        )
        for i, (person, ward, opened) in enumerate(cases)
    )
    _insert(Case._meta.db_table, columns, rows)
    contacts = []
    for i, (person, ward, opened) in enumerate(cases):
        for other in rng.sample(by_ward[ward], k=min(3, len(by_ward[ward]))):
            if other != person:
                contacts.append((first + i, other, ward, 1, "quarantined", opened, opened, opened))
    columns = ["case_id", "person_id", "unit_id", "degree", "status", "first_exposure_at", "last_exposure_at",
               "found_at"]  # fmt: skip
    return len(cases), _insert(Contact._meta.db_table, columns, contacts)


def _capacities(wards, rng: random.Random) -> int:
    from django.utils import timezone

    from pccovid.risk.models import Capacity

    now = timezone.now() - dt.timedelta(days=400)
    rows = ((w, rng.randrange(0, 60), rng.randrange(0, 5), rng.randrange(1, 6), rng.random() < 0.9, "", now)
            for w, _ in wards)  # fmt: skip
    columns = ["unit_id", "beds", "icu_beds", "home_care_teams", "enough", "note", "entered_at"]
    return _insert(Capacity._meta.db_table, columns, rows)


def _naive(ward_ids: list[int]) -> float:
    """One set of queries per ward: the same selectors, called with the ward as the unit, and one
    update_or_create per ward. Returns seconds."""
    from django.db import transaction

    from pccovid.core import clock
    from pccovid.geography.models import AdminUnit
    from pccovid.risk import rules, services
    from pccovid.risk.models import Capacity, UnitLevel
    from pccovid.tracing import selectors as tracing_selectors
    from pccovid.vaccination import selectors as vaccination_selectors

    values = services.policy(at=DAY).values
    ages = (values["coverage"]["older_age"], values["coverage"]["adult_age"])
    started = time.perf_counter()
    with transaction.atomic():
        for ward in AdminUnit.objects.filter(pk__in=ward_ids):
            people = vaccination_selectors.first_dose_counts(unit=ward, on=DAY, ages=ages).get(ward.pk, {})
            week = tracing_selectors.new_case_counts(unit=ward, start=DAY - dt.timedelta(days=6), end=DAY)
            window = tracing_selectors.new_case_counts(unit=ward, start=DAY - dt.timedelta(days=13), end=DAY)
            f1 = tracing_selectors.active_f1_counts(unit=ward, on=DAY).get(ward.pk, 0)
            entry = Capacity.objects.filter(unit=ward).order_by("-entered_at").first()
            counts = {
                **people,
                "f1_active": f1,
                "fortnight_community": window.get(ward.pk, {}).get("community", 0),
            }
            counts |= {f"week_{k}": v for k, v in week.get(ward.pk, {}).items()}
            capacity = {
                "capacity_source": "own" if entry else None,
                "capacity_enough": entry.enough if entry else None,
                **{name: getattr(entry, name, None) for name in ("beds", "icu_beds", "home_care_teams")},
            }
            row = services.UnitRow(ward.pk, ward.code, ward.level, ward.path, ward.edition, ward.population)
            figures = services.unit_figures(unit=row, on=DAY, values=values, counts=counts, capacity=capacity)
            level, cell = services.unit_decide(unit=row, values=values, figures=figures)
            UnitLevel.objects.update_or_create(
                unit=ward, on=DAY,
                defaults={"level": level, "figures": figures, "cell": cell, "reason": cell,
                          "rules_version": rules.DOMAIN, "computed_at": clock.now()},
            )  # fmt: skip
    return time.perf_counter() - started


def run(
    *, people: int = 1_000_000, cases_per_day: int = 3_500, baseline_sample: int = 300, seed: int = 2021
) -> list[str]:
    """Markdown lines: what was measured, a table (pccovid, the per-ward loop) and the target line."""
    from django.db import connection
    from django.db.models import Count

    from pccovid.core import clock
    from pccovid.risk import services
    from pccovid.risk.models import UnitLevel

    rng = random.Random(seed)
    started = time.perf_counter()
    wards = _wards()
    residents = _people(wards, people, rng)
    doses = _doses(residents, rng)
    cases, contacts = _cases_and_contacts(residents, wards, cases_per_day, rng)
    _capacities(wards, rng)
    del residents
    built = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE") if connection.vendor == "sqlite" else cursor.execute("VACUUM ANALYZE")
    with clock.frozen(clock.local_midnight(DAY) + dt.timedelta(hours=20)):
        samples = []
        for _ in range(3):
            begun = time.perf_counter()
            written = services.levels_compute(on=DAY)
            samples.append(time.perf_counter() - begun)
        seconds = statistics.median(samples)
        sample = rng.sample([w for w, _ in wards], k=min(baseline_sample, len(wards)))
        naive = _naive(sample) * len(wards) / len(sample)
    levels = dict(
        UnitLevel.objects.filter(on=DAY, unit__level="commune").values_list("level").annotate(n=Count("pk"))
    )
    shares = ", ".join(f"{n:,} at level {k}" for k, n in sorted(levels.items()))
    missed = "" if seconds < TARGET_SECONDS else " (missed)"
    return [
        f"On {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{connection.vendor}: the 2021 map ({len(wards):,} wards), {people:,} people, {doses:,} first "
        f"doses, {cases:,} cases in 14 days, {contacts:,} active F1 contacts, a capacity entry per ward "
        f"(built in {built:.0f} s). Ward levels: {shares}.",
        "",
        "| operation | pccovid | baseline | baseline / pccovid | target | baseline is |",
        "|---|---|---|---|---|---|",
        f"| `levels_compute` for one day: {written:,} units (every ward, district and province), figures, "
        f"matrix, one upsert | {seconds:.2f} s | {naive:.1f} s | {naive / seconds:.0f}x | "
        f"< {TARGET_SECONDS:.0f} s{missed} | the same selectors and rules called once per ward (5 queries) + "
        f"`update_or_create`, wards only; timed on {len(sample):,} random wards and scaled to "
        f"{len(wards):,} |",
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    os.environ["PCCOVID_VAR_DIR"] = tempfile.mkdtemp(prefix="pccovid-bench-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pccovid.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print("\n".join(run(people=int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)))
