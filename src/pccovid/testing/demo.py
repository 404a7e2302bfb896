"""Demo test results: a sampling site in a few demo communes, a few days of results (mostly negative rapid
tests, some PCR, a couple of positives), bulk-created, and one lab file for people to try the upload
(`var/demo/lab-results.csv`: good rows, two bad ones and a pool of three still waiting for its result).

The results are written in bulk (no per-row audit: nobody read them); the positives emit
`testing.result_recorded` like any recorded positive, so the case-management handler sees them.
"""

import csv
import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from pccovid.core import clock
from pccovid.geography.models import Edition, Level
from pccovid.identity.models import IdentifierKind, Person, PersonIdentifier
from pccovid.testing import selectors, services
from pccovid.testing.models import Result, SiteKind, TestKind, TestResult, TestSite

SITES = 3
PER_SITE = 60
POSITIVES = 2
CSV_HEADER = services.CSV_COLUMNS


def _commune(unit):
    while unit is not None and unit.level != Level.COMMUNE:
        unit = unit.parent
    return unit if unit is not None and unit.edition == Edition.CURRENT else None


def _residents_by_commune(rng: random.Random, limit: int = 5_000) -> dict:
    residents: dict = defaultdict(list)
    for person in Person.objects.select_related("residence_unit__parent").order_by("pk")[:limit]:
        commune = _commune(person.residence_unit)
        if commune is not None:
            residents[commune].append(person)
    return residents


def lab_csv_path() -> Path:
    return Path(settings.VAR_DIR) / "demo" / "lab-results.csv"


@transaction.atomic
def demo_test_results(*, seed: int, days: int = 5) -> dict:
    rng = random.Random(seed)
    residents = _residents_by_commune(rng)
    communes = sorted(residents, key=lambda c: (-len(residents[c]), c.code))[:SITES]
    now = clock.now()
    version = f"testing {selectors.policy().version}"
    results: list[TestResult] = []
    sites = []
    for commune in communes:
        site, _created = TestSite.objects.get_or_create(
            code=f"XN{commune.code}"[:20],
            defaults={
                "name": f"Điểm xét nghiệm {commune.name}"[:120],
                "unit": commune,
                "kind": SiteKind.SAMPLING,
            },
        )
        sites.append(site)
        people = rng.sample(residents[commune], min(PER_SITE, len(residents[commune])))
        for n, person in enumerate(people):
            pcr = rng.random() < 0.15
            results.append(
                TestResult(
                    person=person,
                    kind=TestKind.RT_PCR if pcr else TestKind.RAPID_ANTIGEN,
                    sample_taken_at=now - dt.timedelta(days=rng.randrange(days), hours=rng.randrange(1, 10)),
                    result=Result.NEGATIVE,
                    ct_value=Decimal(rng.randrange(360, 450)) / 10 if pcr and rng.random() < 0.5 else None,
                    site=site,
                    technician_name="Demo",
                    source="demo",
                    external_id=f"DEMO-{seed}-{site.code}-{n}",
                    rules_version=version,
                    created_at=now,
                )
            )
    for result in rng.sample(results, min(POSITIVES, len(results))):
        result.kind, result.result = TestKind.RT_PCR, Result.POSITIVE
        result.ct_value = Decimal(rng.randrange(160, 260)) / 10
    TestResult.objects.bulk_create(results, ignore_conflicts=True)
    stored = {
        r.external_id: r for r in TestResult.objects.filter(external_id__in=[r.external_id for r in results])
    }
    positives = [
        stored[r.external_id] for r in results if r.result == Result.POSITIVE and r.external_id in stored
    ]
    for positive in positives:
        positive.person = next(r.person for r in results if r.external_id == positive.external_id)
    services._emit(positives)
    path = _lab_csv(rng, sites[0], residents[communes[0]], now) if sites else None
    return {"sites": len(sites), "results": len(results), "positives": len(positives), "csv": str(path or "")}


def _lab_csv(rng: random.Random, site: TestSite, people: list, now: dt.datetime) -> Path:
    """The file a lab would send for the first site: ten good rows, two bad ones, a pool of three."""
    chosen = rng.sample(people, min(15, len(people)))
    numbers = dict(
        PersonIdentifier.objects.filter(person__in=chosen, kind=IdentifierKind.CCCD).values_list(
            "person_id", "value"
        )
    )
    local = clock.localdate(now)
    taken = dt.datetime.combine(local, dt.time(7, 30)).strftime("%Y-%m-%d %H:%M")
    rows = []
    for n, person in enumerate(chosen):
        row = dict.fromkeys(CSV_HEADER, "")
        row.update(
            external_id=f"LAB-{local:%Y%m%d}-{n + 1:03d}",
            id_number=numbers.get(person.pk, ""),
            qid="" if numbers.get(person.pk) else person.qid,
            full_name=person.full_name,
            birth_date=person.birth_date.isoformat(),
            kind="rt_pcr",
            sample_taken_at=taken,
            result="negative",
            ct_value="",
            technician="KTV Nguyễn Thị Hoa",
        )
        if n >= 12:
            row.update(kind="pooled_rt_pcr", result="", pool_code=f"POOL-{local:%Y%m%d}-01")
        rows.append(row)
    if len(rows) > 2:
        rows[1].update(kind="rapid_antigen", ct_value="24")  # bad: a Ct value on a rapid test
        rows[2].update(id_number="079000000000", qid="")  # bad: nobody has this ID number
    path = lab_csv_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path
