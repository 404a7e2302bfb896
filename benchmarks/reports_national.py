"""The national daily report at 10 million people (issue 8: "a national daily report in under 10 s at 10
million people"), against a naive per-ward loop of the same selectors, measured in the same run.

Measured: `reports.selectors.report_compute(form=DAILY, unit=Nation("2021"), on=DAY)`: every source of the
form called once for the nation (one grouped query each), rolled up to the 63 provinces in Python.
Baseline: the same sources called once per ward, their figures summed, timed over the wards of Ho Chi Minh
City (2021 map) and scaled to the 10,051 wards of the nation (the full loop takes minutes even at
100,000 people). The baseline's sums must equal `report_compute` for that province; otherwise it stops.

The data: the 2021 unit tree (`geography.services.units_load`), `--people` persons spread evenly over the
wards (bulk INSERT, no households), one test site per ward, and a week of activity at rates of the
September 2021 peak scaled to the population (Viet Nam, about 98 million: some 12,000 cases, 1 million
tests and 1 million doses a day, about 1% of people in quarantine and 0.5% isolated or treated): per
day, 1.2 cases, 100 tests (3% positive) and 100 doses per 10,000 people; 0.3 deaths per million; F1 and
F0 orders active on the day. Everything is drawn from one seed.

Standalone: `.venv/bin/python benchmarks/reports_national.py --people 10000000` (a temporary SQLite
file; `--database-url` for an EMPTY PostgreSQL database created and dropped by the run). `run()` returns
markdown lines.
"""

import argparse
import datetime as dt
import json
import random
import sys
import time
import zoneinfo
from pathlib import Path

SEED = 2021
DAY = dt.date(2021, 10, 20)
DAYS = 7
LOCAL = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
TARGET_S = 10.0
PER_PERSON_DAY = {"cases": 1.2e-4, "tests": 1e-2, "doses": 1e-2, "deaths": 3e-7}
STOCK = {"quarantine": 1e-2, "isolation": 5e-3}


def _json(value) -> str:
    return json.dumps(value)


def _moment(day: dt.date, seconds: int, suffix: str) -> str:
    utc = dt.datetime.combine(day, dt.time(), tzinfo=LOCAL).astimezone(dt.UTC) + dt.timedelta(seconds=seconds)
    return f"{utc:%Y-%m-%d %H:%M:%S}{suffix}"


def _build(people: int, rng: random.Random) -> dict[str, float]:
    from tracing import _bulk_load, _load, _reset_sequences, _stamp_suffix

    from pccovid.geography import services as geography_services
    from pccovid.geography.models import AdminUnit, Level
    from pccovid.identity.models import Person
    from pccovid.quarantine.models import Order
    from pccovid.testing.models import TestResult, TestSite
    from pccovid.tracing.models import Case
    from pccovid.vaccination import services as vaccination_services
    from pccovid.vaccination.models import Dose, VaccineProduct

    seconds: dict[str, float] = {}
    started = time.perf_counter()
    geography_services.units_load(edition="2021")
    vaccination_services.products_install()
    seconds["units"] = time.perf_counter() - started
    wards = list(
        AdminUnit.objects.filter(edition="2021", level=Level.COMMUNE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    suffix = _stamp_suffix()
    created = _moment(DAY, 0, suffix)
    home_of = lambda person_id: wards[person_id % len(wards)]  # noqa: E731
    started = time.perf_counter()
    with _bulk_load():
        _load(
            Person,
            [
                "id",
                "qid",
                "full_name",
                "name_key",
                "birth_date",
                "sex",
                "nationality",
                "residence_unit",
                "household_relation",
                "address_line",
                "created_at",
                "updated_at",
            ],
            (
                (
                    i,
                    f"{i:012d}",
                    "Nguyễn Văn Bench",
                    "nguyen van bench",
                    "1980-01-01",
                    "MF"[i % 2],
                    "VN",
                    home_of(i),
                    "",
                    "",
                    created,
                    created,
                )
                for i in range(1, people + 1)
            ),
        )
    seconds["people"] = time.perf_counter() - started
    started = time.perf_counter()
    days = [DAY - dt.timedelta(days=d) for d in range(DAYS)]
    product = VaccineProduct.objects.order_by("pk").values_list("pk", flat=True).first()
    with _bulk_load():
        _load(
            TestSite,
            ["id", "code", "name", "unit", "kind", "created_at"],
            ((n + 1, f"S{ward}", "Trạm", ward, "sampling_site", created) for n, ward in enumerate(wards)),
        )
        site_of = {ward: n + 1 for n, ward in enumerate(wards)}
        tests = []
        for day in days:
            for person_id in rng.sample(range(1, people + 1), int(people * PER_PERSON_DAY["tests"])):
                result = "positive" if rng.random() < 0.03 else "negative"
                at = _moment(day, rng.randrange(86_400), suffix)
                tests.append(
                    (
                        person_id,
                        "rt_pcr",
                        at,
                        result,
                        site_of[home_of(person_id)],
                        "bench",
                        False,
                        "bench",
                        at,
                        "",
                    )
                )
        _load(
            TestResult,
            [
                "person",
                "kind",
                "sample_taken_at",
                "result",
                "site",
                "source",
                "needs_retest",
                "rules_version",
                "created_at",
                "technician_name",
            ],
            tests,
        )
        seconds["tests"] = len(tests)
        infected = rng.sample(range(1, people + 1), int(people * PER_PERSON_DAY["cases"] * DAYS) + 1)
        cases = []
        for n, person_id in enumerate(infected):
            day = days[n % DAYS]
            opened = _moment(day, rng.randrange(86_400), suffix)
            dead = rng.random() < PER_PERSON_DAY["deaths"] / PER_PERSON_DAY["cases"]
            cases.append(
                (
                    f"F0-B{n:08d}",
                    person_id,
                    home_of(person_id),
                    "test_result",
                    "",
                    opened,
                    opened,
                    "home",
                    "deceased" if dead else "",
                    day.isoformat() if dead else None,
                    opened if dead else None,
                    opened,
                    "bench",
                )
            )
        _load(
            Case,
            [
                "code",
                "person",
                "unit",
                "source",
                "reason",
                "infectious_from",
                "isolated_at",
                "isolation_place",
                "outcome",
                "outcome_on",
                "closed_at",
                "opened_at",
                "rules_version",
            ],
            cases,
        )
        doses = []
        for day in days:
            for person_id in rng.sample(range(1, people + 1), int(people * PER_PERSON_DAY["doses"])):
                doses.append(
                    (person_id, product, rng.choice((1, 2, 2, 3)), day.isoformat(), "bench", "bench", created)
                )
        doses = list({(d[0], d[2]): d for d in doses}.values())  # one dose number per person
        _load(
            Dose,
            ["person", "product", "dose_number", "given_on", "source", "rules_version", "created_at"],
            doses,
        )
        ordered = rng.sample(range(1, people + 1), int(people * (STOCK["quarantine"] + STOCK["isolation"])))
        orders = []
        for n, person_id in enumerate(ordered):
            kind = "isolation" if n % 3 == 0 else "quarantine"
            place = rng.choice(
                ("home", "home", "home", "facility", "hospital" if kind == "isolation" else "home")
            )
            starts = DAY - dt.timedelta(days=rng.randrange(10))
            orders.append(
                (
                    person_id,
                    kind,
                    place,
                    home_of(person_id),
                    starts.isoformat(),
                    (starts + dt.timedelta(days=7)).isoformat(),
                    _json([]),
                    "bench",
                    "active",
                    "",
                    _moment(starts, 3600, suffix),
                    "bench",
                    "bench",
                )
            )
        _load(
            Order,
            [
                "person",
                "kind",
                "place",
                "unit",
                "starts_on",
                "ends_on",
                "test_days",
                "basis",
                "status",
                "release_code",
                "ordered_at",
                "rules_domain",
                "rules_version",
            ],
            orders,
        )
    _reset_sequences(TestSite, TestResult, Case, Dose, Order)
    seconds["activity"] = time.perf_counter() - started
    from django.db import connection

    if connection.vendor == "sqlite":
        connection.cursor().execute("ANALYZE")
    else:
        connection.cursor().execute("ANALYZE")
    return seconds


def _baseline(form, on: dt.date, province) -> dict:
    """Every source once per ward of `province`, summed: the naive way to fill a form. Run on one province
    (a loop over all 10,051 wards takes minutes even at 100,000 people); its time is scaled to the nation."""
    from pccovid.geography.models import AdminUnit, Level
    from pccovid.reports.selectors import _resolve

    start, end = form.period(on)
    selectors_of = {}
    for f in form.fields:
        if f.selector:
            selectors_of.setdefault(f.selector, []).append(f)
    totals = {f.key: 0 for fields in selectors_of.values() for f in fields}
    wards = AdminUnit.objects.filter(edition="2021", level=Level.COMMUNE, path__startswith=province.path)
    for ward in wards.order_by("path"):
        for selector, fields in selectors_of.items():
            for values in _resolve(selector)(ward, start, end).values():
                for f in fields:
                    totals[f.key] += values.get(f.value, 0)
    return totals


def run(*, people: int, repeat: int = 3) -> list[str]:
    """Build the data in the configured (empty, migrated) database, time both, return markdown lines."""
    from pccovid.core import clock
    from pccovid.geography.models import AdminUnit
    from pccovid.reports import rules
    from pccovid.reports.selectors import Nation, report_compute

    rng = random.Random(SEED)
    started = time.perf_counter()
    built = _build(people, rng)
    build_s = time.perf_counter() - started
    nation = Nation(edition="2021")
    with clock.frozen(dt.datetime.combine(DAY + dt.timedelta(days=1), dt.time(10), tzinfo=LOCAL)):
        runs = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            report = report_compute(form=rules.DAILY, unit=nation, on=DAY)
            runs.append(time.perf_counter() - t0)
        province = AdminUnit.objects.get(edition="2021", code="79")
        wards = AdminUnit.objects.filter(edition="2021", level="commune", path__startswith=province.path)
        share = wards.count() / AdminUnit.objects.filter(edition="2021", level="commune").count()
        t0 = time.perf_counter()
        naive = _baseline(rules.DAILY, DAY, province)
        baseline_s = (time.perf_counter() - t0) / share
        of_province = report_compute(form=rules.DAILY, unit=province, on=DAY)
    summed = {key: of_province.figures[key] for key in naive}
    if summed != naive:
        raise SystemExit(f"report and baseline disagree: {summed} != {naive}")
    ours = sorted(runs)[len(runs) // 2]
    figures = ", ".join(
        f"{k} {report.figures[k]:,}"
        for k in ("cases_total", "tests_done", "doses_1", "f1_total", "f0_total", "deaths")
    )
    return [
        f"National daily report (2021 map: {len(report.children)} provinces, 10,051 wards), "
        f"{people:,} people, "
        f"{int(built['tests']):,} test results over {DAYS} days; built in {build_s:.0f} s (units "
        f"{built['units']:.0f} s, people {built['people']:.0f} s, activity {built['activity']:.0f} s).",
        "",
        "| operation | pccovid | baseline | speed-up | target | baseline is |",
        "|---|---|---|---|---|---|",
        f"| `report_compute` for the nation, daily form | {ours:.2f} s | {baseline_s:.2f} s | "
        f"{baseline_s / ours:.1f}x | < {TARGET_S:.0f} s | "
        "the same selectors once per ward, summed (timed on HCMC wards, scaled to 10,051) |",
        "",
        f"Figures of the day: {figures}. Median of {repeat} runs; the baseline ran once.",
    ]


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import tracing

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", help="an EMPTY PostgreSQL database (created and dropped)")
    args = parser.parse_args()
    tracing.configure(args.database_url)
    with tracing._fresh_database(args.database_url, "reports"):
        print("\n".join(run(people=args.people, repeat=args.repeat)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
