"""A few days of life in the demo city: venues with check-ins, health declarations, doses, test results,
and a traced case with its contacts in quarantine.

Declarations go through `declarations.services.declaration_submit` (the same validation, flagging and
access grants as a citizen's), with the clock set to the moment each one was made.
"""

import datetime as dt
import random

from pccovid.checkins.demo import demo_venues_and_checkins
from pccovid.core import clock
from pccovid.declarations import services as declaration_services
from pccovid.geography import selectors as geography_selectors
from pccovid.identity.models import Person
from pccovid.testing.demo import demo_test_results
from pccovid.tracing.demo import demo_case
from pccovid.vaccination.demo import demo_vaccinations

FLIGHTS = ["VN213", "VJ133", "QH205", "VN7241", "VJ122"]
ADULT_BORN_BY = dt.date(2003, 1, 1)


def demo_activity_seed(*, seed: int, focus, days: int = 5, declarations: int = 200) -> dict[str, int]:
    """Venues and check-ins over `days` days, and about `declarations` domestic declarations of adults
    arriving by air; about one in ten declares a symptom (flagged for their ward's health station).
    A quarter of the declarations come from the `focus` commune (the demo officials' ward), so its
    console has work to show."""
    venues = demo_venues_and_checkins(seed=seed, days=days)
    rng = random.Random(seed)
    adults = Person.objects.filter(birth_date__lte=ADULT_BORN_BY).order_by("pk")
    local = list(adults.filter(residence_unit__path__startswith=focus.path).values_list("pk", flat=True))
    chosen = set(rng.sample(local, min(declarations // 4, len(local))))
    others = [pk for pk in adults.values_list("pk", flat=True) if pk not in chosen]
    chosen |= set(rng.sample(others, min(declarations - len(chosen), len(others))))
    origins = list(
        geography_selectors.units_list(edition="2025", level="province")
        .exclude(code="79")
        .values_list("code", flat=True)
    )
    now = clock.now()
    for pk in sorted(chosen):
        person = Person.objects.select_related("residence_unit__parent").get(pk=pk)
        moment = now - dt.timedelta(days=rng.randrange(days), hours=rng.randrange(12))
        with clock.frozen(moment):
            declaration_services.declaration_submit(
                declared_by=person, person=person, data=_trip(rng, person, moment, origins)
            )
    doses = demo_vaccinations(seed=seed)
    tests = demo_test_results(seed=seed, days=days)
    case = demo_case(focus=focus)
    return {
        "venues": venues["venues"],
        "checkins": venues["checkins"],
        "declarations": len(chosen),
        "doses": doses["doses"],
        "test_results": tests["results"],
        "contacts": case["contacts"],
        "quarantine_orders": case["orders"],
    }


def _trip(rng: random.Random, person: Person, moment: dt.datetime, origins: list[str]) -> dict:
    """A flight into Ho Chi Minh City from another province (no trip where no other province is loaded)."""
    unit = person.residence_unit
    commune = unit if unit.level == "commune" else unit.parent
    answers = {
        "kind": "domestic",
        "stay_unit": commune.code,
        "stay_address": person.address_line or commune.name,
        "fever": rng.random() < 0.05,
        "cough": rng.random() < 0.05,
    }
    if origins:
        answers.update(
            travel_from=rng.choice(origins),
            travel_to="79",
            transport="plane",
            vehicle_number=rng.choice(FLIGHTS),
            travel_date=clock.localdate(moment),
        )
    return answers
