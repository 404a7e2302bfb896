"""Epidemic levels of every unit of the country for one day (issue 8: "recomputing the levels of all 10,051
pre-2025 wards for a nation-sized synthetic day in under 2 s, against a naive per-unit query loop").

`risk.services.levels_compute` reads counters kept per unit (`risk.counters`: residents and first doses per
age group, new cases per unit and day by origin), never the people, doses or cases: so a nation-sized day
is built directly in those tables, and the rows behind them are measured separately, smaller.

1. Nation: the 2021 map (63 provinces, 696 districts, 10,051 wards) with synthetic ward populations
   summing to 98.5 million (the seven largest provinces near their 2019 census figures, the rest shared by
   their number of wards, wards log-normal inside a province; the figures loaded with the map are
   synthetic and sum to 236 million, so they are replaced); residents aged 18+ and 50+ and their first
   doses (coverage drawn per ward around 75 % of adults and 85 % of people over 50); 15,000 community
   cases a day for 21 days (plus as many found in quarantine and 0.5 % imported), 45 % in Ho Chi Minh
   City, 20 % in Binh Duong, 8 % in Dong Nai, 5 % in Long An, 2 % in Hanoi, the rest by population, two
   in five wards of a province "hot"; a capacity entry for 60 % of wards (one in ten not enough) and one
   province adjustment (HCMC: a 21-day green-zone window). pccovid: `levels_compute(on=DAY)` for every
   ward, district and province (median of 3). Baseline: a per-ward loop that reads the same counters with
   its own queries (population, the ward's case days, its latest capacity, its province's adjustment),
   decides with the same rules and `update_or_create`s the ward's row (wards only), run on every ward
   (or timed on `nation_sample` random wards and scaled).
2. Rows, end to end: `people` residents (ages as the 2019 census, roughly) in the wards in proportion to
   their population, first doses, 14 days of cases at 3,500 a day in a fifth of the wards, 3 active F1
   per case, a capacity entry per ward. pccovid: the nightly recount (`counters_rebuild`: two grouped
   queries on people and doses, one on the cases of the 14 days) then `levels_compute`. Baseline: the
   per-ward loop over the rows (`first_dose_counts`, `new_case_counts` twice, `active_f1_counts`, the
   latest capacity, `update_or_create`), timed on `rows_sample` random wards and scaled.

Standalone: `.venv/bin/python benchmarks/risk_levels.py [people]` (a temporary SQLite database; default
1,000,000 people for part 2). `run()` returns markdown lines.
"""

import datetime as dt
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

DAY = dt.date(2021, 10, 20)
TARGET_SECONDS = 2.0
BATCH = 20_000
NATION = 98_500_000
# 2019 census, rounded: the provinces whose size matters most for where cases fall.
CENSUS = {"79": 9_000_000, "01": 8_050_000, "38": 3_640_000, "40": 3_330_000, "75": 3_100_000,
          "74": 2_430_000, "31": 2_030_000}  # fmt: skip
CASE_SHARES = {"79": 0.45, "74": 0.20, "75": 0.08, "80": 0.05, "01": 0.02}
COMMUNITY_PER_DAY = 15_000
CASE_DAYS = 21
# Share of the population per age from 0 to 99 (a smoothed pyramid close to the 2019 census).
AGE_WEIGHTS = [1.6] * 15 + [1.5] * 15 + [1.6] * 15 + [1.3] * 10 + [1.0] * 10 + [0.6] * 10 + [0.25] * 25
ADULT_SHARE = sum(AGE_WEIGHTS[18:]) / sum(AGE_WEIGHTS)
OLDER_SHARE = sum(AGE_WEIGHTS[50:]) / sum(AGE_WEIGHTS)


# 1. Nation-sized counters ------------------------------------------------------------------------------


def _units():
    """(id, code, level, path) of every 2021 unit, loaded once."""
    from pccovid.geography import services as geography_services
    from pccovid.geography.models import AdminUnit, Edition

    geography_services.units_load(edition=Edition.PRE_2025)
    return list(AdminUnit.objects.filter(edition=Edition.PRE_2025).values_list("pk", "code", "level", "path"))


def _populations(units, rng: random.Random) -> dict[int, int]:
    """Ward id -> synthetic population (98.5 million in all); districts and provinces get their wards' sum,
    stored as `AdminUnit.population` (what the rates per 100,000 divide by)."""
    from django.db import connection, transaction

    from pccovid.geography.models import AdminUnit

    wards = [(pk, path) for pk, _code, level, path in units if level == "commune"]
    by_province: dict[str, list[int]] = {}
    for pk, path in wards:
        by_province.setdefault(path.split("/")[0], []).append(pk)
    rest = NATION - sum(CENSUS.values())
    others = sum(len(ids) for code, ids in by_province.items() if code not in CENSUS)
    population: dict[int, int] = {}
    for code, ids in by_province.items():
        total = CENSUS.get(code) or rest * len(ids) / others
        weights = [rng.lognormvariate(0, 0.6) for _ in ids]
        scale = total / sum(weights)
        population |= {pk: max(200, round(w * scale)) for pk, w in zip(ids, weights, strict=True)}
    sums: Counter = Counter()
    by_path = {path: pk for pk, _code, _level, path in units}
    for pk, path in wards:
        parts = path.split("/")[:-1]
        for i in range(len(parts)):
            sums[by_path["/".join(parts[: i + 1]) + "/"]] += population[pk]
    table = AdminUnit._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET population = %s WHERE id = %s", [(n, pk) for pk, n in sums.items()]
        )
    return population


def _counters_population(population: dict[int, int], rng: random.Random) -> int:
    from pccovid.risk.models import UnitPopulation

    now = dt.datetime.now(dt.UTC)
    rows = []
    for pk, people in population.items():
        adults, older = round(people * ADULT_SHARE), round(people * OLDER_SHARE)
        adult_share = min(1.0, max(0.3, rng.gauss(0.75, 0.12)))
        older_share = min(1.0, max(0.4, rng.gauss(0.85, 0.08)))
        older_dosed = round(older * older_share)
        adult_dosed = max(older_dosed, round(adults * adult_share))
        rows += [(pk, 0, people, adult_dosed, now), (pk, 18, adults, adult_dosed, now),
                 (pk, 50, older, older_dosed, now)]  # fmt: skip
    columns = ["unit_id", "min_age", "people", "first_dosed", "counted_at"]
    return _insert(UnitPopulation._meta.db_table, columns, rows)


def _counters_cases(units, population: dict[int, int], rng: random.Random) -> tuple[int, int]:
    """21 days of cases per ward and day, skewed to the cities of the September 2021 wave; the days are
    marked counted. Returns (community cases, rows)."""
    from pccovid.risk.models import CaseDayCounted, UnitDayCases

    province_of = {pk: path.split("/")[0] for pk, _c, level, path in units if level == "commune"}
    hot = {pk for pk in population if rng.random() < 0.4}
    base = {pk: n * (5 if pk in hot else 1) for pk, n in population.items()}
    outside = sum(n for pk, n in base.items() if province_of[pk] not in CASE_SHARES)
    inside = Counter()
    for pk, n in base.items():
        inside[province_of[pk]] += n
    weights = {
        pk: (CASE_SHARES[province_of[pk]] * n / inside[province_of[pk]])
        if province_of[pk] in CASE_SHARES
        else (1 - sum(CASE_SHARES.values())) * n / outside
        for pk, n in base.items()
    }
    ids, cumulative, total = list(weights), [], 0.0
    for pk in ids:
        total += weights[pk]
        cumulative.append(total)
    rows, community = [], 0
    for back in range(CASE_DAYS):
        day = DAY - dt.timedelta(days=back)
        found = Counter(rng.choices(ids, cum_weights=cumulative, k=COMMUNITY_PER_DAY))
        watched = Counter(rng.choices(ids, cum_weights=cumulative, k=COMMUNITY_PER_DAY))
        imported = Counter(rng.choices(ids, k=COMMUNITY_PER_DAY // 200))
        for pk in found.keys() | watched.keys() | imported.keys():
            counts = (imported[pk], watched[pk], found[pk])
            rows.append((pk, day, *counts, sum(counts)))
        community += COMMUNITY_PER_DAY
    columns = ["unit_id", "on", "imported", "in_quarantine", "community", "total"]
    written = _insert(UnitDayCases._meta.db_table, columns, rows)
    now = dt.datetime.now(dt.UTC)
    days = [(DAY - dt.timedelta(days=back), now) for back in range(CASE_DAYS)]
    _insert(CaseDayCounted._meta.db_table, ["on", "counted_at"], days)
    return community, written


def _nation_capacity_and_adjustment(units, rng: random.Random) -> int:
    from django.contrib.auth import get_user_model

    from pccovid.risk.models import Capacity, ProvinceAdjustment

    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1000)
    rows = [(pk, rng.randrange(0, 60), rng.randrange(0, 5), rng.randrange(1, 6), rng.random() < 0.9, "", now)
            for pk, _c, level, _p in units if level == "commune" and rng.random() < 0.6]  # fmt: skip
    columns = ["unit_id", "beds", "icu_beds", "home_care_teams", "enough", "note", "entered_at"]
    _insert(Capacity._meta.db_table, columns, rows)
    user = get_user_model().objects.create(username="risk-bench")
    hcmc = next(pk for pk, code, level, _p in units if level == "province" and code == "79")
    ProvinceAdjustment.objects.create(
        province_id=hcmc, values={"green_zone_days": 21}, reason="benchmark",
        effective_from=DAY - dt.timedelta(days=30), set_by=user, set_at=now,
    )  # fmt: skip
    return len(rows)


def _naive_counters(ward_ids: list[int]) -> float:
    """One ward at a time, from the same counters: its population rows, its case days (week and green-zone
    window summed by the database), its latest capacity, its province's adjustment; the same figures and
    rules; `update_or_create`. Returns seconds."""
    from django.db import transaction
    from django.db.models import Q, Sum

    from pccovid.core import clock
    from pccovid.geography.models import AdminUnit
    from pccovid.risk import rules, services
    from pccovid.risk.models import Capacity, ProvinceAdjustment, UnitDayCases, UnitLevel, UnitPopulation

    base = services.policy(at=DAY).values
    week_start = DAY - dt.timedelta(days=base["week_days"] - 1)
    started = time.perf_counter()
    with transaction.atomic():
        for ward in AdminUnit.objects.filter(pk__in=ward_ids):
            province = ward.path.split("/")[0]
            adjustment = (
                ProvinceAdjustment.objects.filter(
                    province__edition=ward.edition, province__code=province, effective_from__lte=DAY
                ).order_by("-effective_from", "-set_at").first()
            )  # fmt: skip
            values = rules.merged_values(base, adjustment.values if adjustment else None)
            window_start = DAY - dt.timedelta(days=values["green_zone_days"] - 1)
            counts: dict[str, int] = {}
            for age, people, dosed in UnitPopulation.objects.filter(unit=ward).values_list(
                "min_age", "people", "first_dosed"
            ):
                suffix = "" if age == 0 else f"_{age}"
                counts["people" + suffix], counts["dosed" + suffix] = people, dosed
            in_week = Q(on__gte=week_start)
            sums = UnitDayCases.objects.filter(unit=ward, on__gte=window_start, on__lte=DAY).aggregate(
                week_community=Sum("community", filter=in_week), week_total=Sum("total", filter=in_week),
                week_imported=Sum("imported", filter=in_week),
                week_in_quarantine=Sum("in_quarantine", filter=in_week),
                fortnight_community=Sum("community"),
            )  # fmt: skip
            counts |= {name: value or 0 for name, value in sums.items()}
            entry = Capacity.objects.filter(unit=ward).order_by("-entered_at").first()
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
                defaults={"level": level, "figures": figures, "cell": cell,
                          "reason": services.reason_record(level=level, cell=cell, figures=figures),
                          "rules_version": rules.DOMAIN, "adjustment": adjustment,
                          "computed_at": clock.now()},
            )  # fmt: skip
    return time.perf_counter() - started


def _timed_compute(repeat: int = 3) -> tuple[float, int]:
    from pccovid.risk import services

    samples, written = [], 0
    for _ in range(repeat):
        begun = time.perf_counter()
        written = services.levels_compute(on=DAY)
        samples.append(time.perf_counter() - begun)
    return statistics.median(samples), written


def _ward_levels() -> str:
    from django.db.models import Count

    from pccovid.risk.models import UnitLevel

    levels = dict(
        UnitLevel.objects.filter(on=DAY, unit__level="commune").values_list("level").annotate(n=Count("pk"))
    )
    return ", ".join(f"{n:,} at level {k}" for k, n in sorted(levels.items()))


def run_nation(*, nation_sample: int | None = None, seed: int = 2021) -> list[str]:
    """Part 1: the nation-sized day in the counters. Markdown lines."""
    from pccovid.core import clock

    rng = random.Random(seed)
    started = time.perf_counter()
    units = _units()
    population = _populations(units, rng)
    population_rows = _counters_population(population, rng)
    community, case_rows = _counters_cases(units, population, rng)
    capacities = _nation_capacity_and_adjustment(units, rng)
    _analyze()
    built = time.perf_counter() - started
    with clock.frozen(clock.local_midnight(DAY) + dt.timedelta(hours=20)):
        seconds, written = _timed_compute()
        sample = rng.sample(sorted(population), k=min(nation_sample or len(population), len(population)))
        naive = _naive_counters(sample) * len(population) / len(sample)
    missed = "" if seconds < TARGET_SECONDS else " (missed)"
    return [
        f"Nation-sized day: the 2021 map ({len(population):,} wards, {len(units):,} units), "
        f"{sum(population.values()):,} people, {COMMUNITY_PER_DAY:,} community cases a day for "
        f"{CASE_DAYS} days ({community:,}), in {population_rows:,} population and {case_rows:,} unit-day "
        f"counter rows; "
        f"{capacities:,} capacity entries (built in {built:.0f} s). Ward levels: {_ward_levels()}.",
        "",
        "| operation | pccovid | baseline | baseline / pccovid | target | baseline is |",
        "|---|---|---|---|---|---|",
        f"| `levels_compute` for one day from the counters: {written:,} units (every ward, district and "
        f"province), roll-up, matrix, one upsert | {seconds:.2f} s | {naive:.1f} s | "
        f"{naive / seconds:.0f}x | < {TARGET_SECONDS:.0f} s{missed} | the same counters read ward by ward "
        f"(4 queries) + "
        f"`update_or_create`, wards only; {_sampled(sample, population)} |",
    ]


def _sampled(sample: list, wards) -> str:
    if len(sample) == len(wards):
        return f"run on all {len(wards):,} wards"
    return f"timed on {len(sample):,} random wards and scaled to {len(wards):,}"


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE") if connection.vendor == "sqlite" else cursor.execute("VACUUM ANALYZE")


def _reset() -> None:
    """Part 2 starts from empty counters and levels (the units stay)."""
    from django.contrib.auth import get_user_model

    from pccovid.risk import models

    for name in (
        "UnitLevel",
        "ProvinceAdjustment",
        "Capacity",
        "UnitDayCases",
        "CaseDayCounted",
        "UnitPopulation",
    ):
        getattr(models, name).objects.all().delete()
    get_user_model().objects.filter(username="risk-bench").delete()


# 2. Rows, end to end ----------------------------------------------------------------------------------


def _insert(table: str, columns: list[str], rows) -> int:
    from django.db import connection, transaction

    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
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


def run_rows(*, people: int = 1_000_000, cases_per_day: int = 3_500, rows_sample: int = 300,
             seed: int = 2021) -> list[str]:  # fmt: skip
    """Part 2: rows, the nightly recount, the levels from it, and the per-ward loop over the rows."""
    from pccovid.core import clock
    from pccovid.risk import services

    rng = random.Random(seed)
    started = time.perf_counter()
    wards = _wards()
    residents = _people(wards, people, rng)
    doses = _doses(residents, rng)
    cases, contacts = _cases_and_contacts(residents, wards, cases_per_day, rng)
    _capacities(wards, rng)
    del residents
    _analyze()
    built = time.perf_counter() - started
    with clock.frozen(clock.local_midnight(DAY) + dt.timedelta(hours=20)):
        begun = time.perf_counter()
        rebuilt = services.counters_rebuild()
        recount = time.perf_counter() - begun
        seconds, written = _timed_compute()
        sample = rng.sample([w for w, _ in wards], k=min(rows_sample, len(wards)))
        naive = _naive(sample) * len(wards) / len(sample)
    missed = "" if seconds < TARGET_SECONDS else " (missed)"
    return [
        f"Rows, end to end: {people:,} people in the {len(wards):,} wards, {doses:,} first doses, {cases:,} "
        f"cases in 14 days, {contacts:,} active F1 contacts, a capacity entry per ward (built in "
        f"{built:.0f} s). Ward levels: {_ward_levels()}.",
        "",
        "| operation | pccovid | baseline | baseline / pccovid | target | baseline is |",
        "|---|---|---|---|---|---|",
        f"| `counters_rebuild` (nightly, `risk_compute --recount`): {rebuilt['population']:,} population and "
        f"{rebuilt['cases']:,} case counter rows from the rows | {recount:.1f} s | | | | |",
        f"| `levels_compute` for one day after it: {written:,} units | {seconds:.2f} s | {naive:.1f} s | "
        f"{naive / seconds:.0f}x | < {TARGET_SECONDS:.0f} s{missed} | the selectors called once per ward on "
        f"the rows (5 queries) + `update_or_create`, wards only; timed on {len(sample):,} random wards and "
        f"scaled to {len(wards):,} |",
    ]


def run(
    *, people: int = 1_000_000, nation_sample: int | None = None, rows_sample: int = 300, seed: int = 2021
) -> list[str]:
    """Markdown lines: the machine and the date, part 1 (nation-sized counters), part 2 (rows)."""
    from django.db import connection

    lines = [
        f"On {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{connection.vendor}, {dt.date.today().isoformat()}.",
        "",
        *run_nation(nation_sample=nation_sample, seed=seed),
        "",
    ]
    _reset()
    return [*lines, *run_rows(people=people, rows_sample=rows_sample, seed=seed)]


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
