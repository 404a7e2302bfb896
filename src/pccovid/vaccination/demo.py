"""Demo vaccinations: a site per demo commune, lots of the 2021 vaccines, and 1-3 doses for a share of the
demo adults, with realistic 2021 dates and intervals that pass every rule of `services.dose_record`.

Rows are bulk-created (the demo city has many thousands of adults): no event is recorded for them, and
no access grant or audit row is written, since no official reads anybody. Running it again adds no doses
once the demo sites hold any.
"""

import datetime as dt
import random

from django.db import transaction
from django.db.models import Q

from pccovid.geography.models import AdminUnit, Edition, Level
from pccovid.identity.models import Person
from pccovid.vaccination import selectors, services
from pccovid.vaccination.models import Dose, Lot, VaccinationSite, VaccineProduct

ADULT_BORN_BY = dt.date(2003, 12, 31)  # 18 or older by the end of 2021
FIRST_DOSES_FROM = dt.date(2021, 6, 15)  # Ho Chi Minh City's mass campaign began in June-July 2021
FIRST_DOSES_TO = dt.date(2021, 10, 31)
LAST_DAY = dt.date(2021, 12, 31)
LOT_EXPIRY = dt.date(2022, 6, 30)
# The mix of first doses in Ho Chi Minh City in 2021, roughly: mostly AstraZeneca and Sinopharm.
PRIMARY_MIX = [
    ("EU/1/21/1529", 0.40),  # Vaxzevria
    ("BBIBP-CorV", 0.30),
    ("EU/1/20/1528", 0.15),  # Comirnaty
    ("EU/1/20/1507", 0.10),  # Spikevax
    ("EU/1/20/1525", 0.05),  # Janssen
]
BOOSTER_PRODUCT = "EU/1/20/1528"  # boosters in December 2021 were mostly Pfizer


def _demo_communes() -> list[AdminUnit]:
    """Communes where demo people live (directly or in one of their residential groups)."""
    lived_in = AdminUnit.objects.filter(pk__in=Person.objects.values("residence_unit_id"))
    ids = {pk for pair in lived_in.values_list("pk", "parent_id") for pk in pair if pk}
    return list(
        AdminUnit.objects.filter(edition=Edition.CURRENT, level=Level.COMMUNE, pk__in=ids).order_by("path")
    )


def _sites(communes: list[AdminUnit]) -> dict[int, VaccinationSite]:
    """One commune health station ("Trạm Y tế") per commune, as in 2021."""
    sites = {}
    for commune in communes:
        site, _new = VaccinationSite.objects.get_or_create(
            code=f"TYT-{commune.code}", defaults={"name": f"Trạm Y tế {commune.name}", "unit": commune}
        )
        sites[commune.pk] = site
    return sites


def _lots(products: dict[str, VaccineProduct]) -> dict[str, list[Lot]]:
    lots: dict[str, list[Lot]] = {}
    for code, product in products.items():
        prefix = "".join(ch for ch in code if ch.isalnum())[-4:].upper()
        lots[code] = [
            Lot.objects.get_or_create(
                product=product, number=f"{prefix}-{n:03d}", defaults={"expiry_date": LOT_EXPIRY}
            )[0]
            for n in range(1, 4)
        ]
    return lots


def _day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def _schedule(rng: random.Random, product: VaccineProduct, booster_wait: int) -> list[tuple[str, dt.date]]:
    """(product code, date) of 1-3 doses: a first dose, the rest of the primary series after the
    product's interval plus a few weeks' delay, and sometimes a booster after the booster interval."""
    wanted = rng.choice([1, 2, 2, 3])
    given = [(product.code, _day_between(rng, FIRST_DOSES_FROM, FIRST_DOSES_TO))]
    while len(given) < wanted:
        last = given[-1][1]
        if len(given) < product.doses_in_primary_series:
            code = product.code
            day = last + dt.timedelta(days=product.min_interval_days + rng.randrange(0, 35))
        else:
            code, day = BOOSTER_PRODUCT, last + dt.timedelta(days=booster_wait + rng.randrange(0, 30))
        if day > LAST_DAY:
            break
        given.append((code, day))
    return given


@transaction.atomic
def demo_vaccinations(*, seed: int, share: float = 0.7) -> dict:
    """Sites, lots and doses for about `share` of the demo adults. Returns what was created."""
    rng = random.Random(seed)
    services.products_install()
    products = {p.code: p for p in VaccineProduct.objects.all()}
    communes = _demo_communes()
    sites = _sites(communes)
    lots = _lots({code: products[code] for code, _w in PRIMARY_MIX})
    ruleset = selectors.policy(at=LAST_DAY)
    booster_wait = ruleset.values["booster_min_interval_days"]
    groups = AdminUnit.objects.filter(parent_id__in=sites).values_list("pk", "parent_id")
    site_of_unit = {pk: sites[parent_id] for pk, parent_id in groups}
    site_of_unit.update(sites)
    units = AdminUnit.objects.filter(Q(pk__in=list(sites)) | Q(parent_id__in=list(sites))).values("pk")
    adults = (
        Person.objects.filter(birth_date__lte=ADULT_BORN_BY, residence_unit_id__in=units)
        .exclude(pk__in=Dose.objects.values("person_id"))
        .order_by("pk")
        .values_list("pk", "residence_unit_id")
    )
    if Dose.objects.filter(site__in=list(sites.values())).exists():
        adults = adults.none()  # already vaccinated: a re-run adds nothing
    codes, weights = zip(*PRIMARY_MIX, strict=True)
    doses: list[Dose] = []
    people = 0
    for person_id, unit_id in adults.iterator(chunk_size=5_000):
        if rng.random() >= share:
            continue
        people += 1
        site = site_of_unit[unit_id]
        product = products[rng.choices(codes, weights)[0]]
        for number, (code, day) in enumerate(_schedule(rng, product, booster_wait), start=1):
            doses.append(
                Dose(
                    person_id=person_id,
                    product=products[code],
                    lot=rng.choice(lots[code]),
                    dose_number=number,
                    given_on=day,
                    site=site,
                    source="recorded",
                    rules_version=ruleset.version,
                )
            )
    Dose.objects.bulk_create(doses, batch_size=5_000)
    return {
        "sites": len(sites),
        "lots": sum(len(v) for v in lots.values()),
        "people": people,
        "doses": len(doses),
    }
