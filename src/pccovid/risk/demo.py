"""Demo data for the epidemic levels: a capacity entry for each demo commune, the counters recounted from
the demo's rows (written in bulk, without events), then the levels of the last 14 days (so the "why" pages
have a history and the reports have level changes). `seed_demo` calls it."""

import datetime as dt
import random

from django.db import transaction

from pccovid.core import clock
from pccovid.geography import selectors as geography_selectors
from pccovid.geography.models import AdminUnit
from pccovid.geography.models import Level as UnitKind
from pccovid.risk import services
from pccovid.risk.models import Capacity

DAYS = 14
NOT_ENOUGH_SHARE = 0.1  # one commune in ten declares its capacity not enough


@transaction.atomic
def demo_risk_seed(*, province: AdminUnit, today: dt.date | None = None, seed: int = 2021) -> dict[str, int]:
    """Capacity for the communes of `province` that have none yet (seeded: the same every run), then the
    levels of every unit with people in it for the 14 days ending `today`, from counters recounted first.
    Returns the counts written."""
    today = today or clock.today()
    rng = random.Random(seed)
    communes = list(
        geography_selectors.unit_descendants(province).filter(level=UnitKind.COMMUNE).order_by("path")
    )
    entered = set(Capacity.objects.filter(unit__in=communes).values_list("unit_id", flat=True))
    at = clock.local_midnight(today - dt.timedelta(days=DAYS))
    Capacity.objects.bulk_create(
        Capacity(
            unit=commune,
            beds=rng.randrange(10, 80),
            icu_beds=rng.randrange(0, 6),
            home_care_teams=rng.randrange(2, 12),
            enough=rng.random() >= NOT_ENOUGH_SHARE,
            note="demo",
            entered_at=at,
        )
        for commune in communes
        if commune.pk not in entered
    )
    services.counters_rebuild()
    levels = sum(
        services.levels_compute(on=today - dt.timedelta(days=back), within=province) for back in range(DAYS)
    )
    return {"capacities": len(communes) - len(entered), "levels": levels}
