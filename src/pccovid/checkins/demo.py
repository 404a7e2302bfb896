"""Demo venues and a few days of synthetic check-ins, for `pccovid seed_demo`.

A seeding tool, like the demo app: it writes with `bulk_create` and reads the demo people directly. The
same seed on the same demo city gives the same venues (names, categories, addresses) and check-ins (who,
where, when); venue codes and poster tokens are secrets and are drawn fresh.
"""

import datetime as dt
import random
import zoneinfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from pccovid.checkins.models import CheckIn, CheckInHow, Venue, VenueCategory, new_venue_code
from pccovid.core import clock
from pccovid.demo import services as demo_services
from pccovid.identity.models import Person

OPERATOR_USERNAME = "demo-venues"
RESIDENTS_SAMPLED = 2_000  # visitors of a commune's venues are drawn from this many of its residents
VISITS_PER_DAY = (3, 25)
OPEN_HOURS = (7, 21)
NAMES = {
    VenueCategory.SHOP: "Tạp hóa {place}",
    VenueCategory.MARKET: "Chợ {place}",
    VenueCategory.OFFICE: "Trụ sở UBND {commune}",
    VenueCategory.SCHOOL: "Trường Tiểu học {place}",
    VenueCategory.HOSPITAL: "Trạm Y tế {commune}",
    VenueCategory.RESTAURANT: "Quán Cơm Tấm {place}",
    VenueCategory.TRANSPORT: "Trạm xe buýt {place}",
    VenueCategory.CHECKPOINT: "Chốt kiểm soát {place}",
    VenueCategory.OTHER: "Nhà văn hóa {place}",
}


def _operator():
    """The demo citizen's account when it exists (so they see the venues), else a generated operator."""
    users = get_user_model().objects
    citizen = demo_services.demo_citizen()
    account = users.filter(person=citizen).first() if citizen else None
    if account:
        return account
    user, created = users.get_or_create(username=OPERATOR_USERNAME, defaults={"first_name": "Demo"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _venue(rng: random.Random, commune, operator, number: int, now: dt.datetime) -> Venue:
    category = rng.choice(list(NAMES))
    place = commune.name.removeprefix("Phường ").removeprefix("Xã ").removeprefix("Đặc khu ")
    name = NAMES[category].format(place=place, commune=commune.name)
    return Venue(
        code=new_venue_code(),
        name=f"{name} {number}" if number > 1 else name,
        category=category,
        unit=commune,
        address_line=f"{rng.randint(1, 300)} Đường số {rng.randint(1, 30)}",
        operator=operator,
        qr_issued_at=now,
    )


def _residents(commune) -> list[int]:
    return list(
        Person.objects.filter(
            residence_unit__edition=commune.edition, residence_unit__path__startswith=commune.path
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:RESIDENTS_SAMPLED]
    )


def _visits(rng: random.Random, venue: Venue, residents: list[int], day: dt.date, now: dt.datetime):
    local = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    for _visit in range(rng.randint(*VISITS_PER_DAY)):
        minute = rng.randrange((OPEN_HOURS[1] - OPEN_HOURS[0]) * 60)
        at = dt.datetime.combine(day, dt.time(OPEN_HOURS[0]), tzinfo=local) + dt.timedelta(minutes=minute)
        person_id = rng.choice(residents)
        if at <= now:
            yield venue, person_id, at.astimezone(dt.UTC)


@transaction.atomic
def demo_venues_and_checkins(*, seed: int, days: int = 5, venues_per_commune: int = 3) -> dict:
    """Venues in every demo commune with residents, and `days` days (today last) of venue scans of them.

    Does nothing when the operator already runs venues (a second run adds nothing)."""
    province = demo_services.demo_province()
    operator = _operator()
    if province is None or Venue.objects.filter(operator=operator).exists():
        return {"venues": 0, "checkins": 0, "operator": operator.username}
    rng = random.Random(seed)
    now = clock.now()
    today = clock.today()
    venues, visits = [], []
    for commune in demo_services.demo_communes(province=province):
        residents = _residents(commune)
        if not residents:
            continue
        for number in range(1, venues_per_commune + 1):
            venue = _venue(rng, commune, operator, number, now)
            venues.append(venue)
            for offset in range(days - 1, -1, -1):
                visits.extend(_visits(rng, venue, residents, today - dt.timedelta(days=offset), now))
    Venue.objects.bulk_create(venues, batch_size=1_000)
    CheckIn.objects.bulk_create(
        [
            CheckIn(
                person_id=person_id,
                venue=venue,
                at=at,
                how=CheckInHow.VENUE_SCAN,
                recorded_by=operator,
                client_event_id=f"demo-{seed}-{n}",
            )
            for n, (venue, person_id, at) in enumerate(visits)
        ],
        batch_size=5_000,
    )
    return {"venues": len(venues), "checkins": len(visits), "operator": operator.username}
