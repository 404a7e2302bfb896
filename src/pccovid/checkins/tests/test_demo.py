"""Demo venues and check-ins: deterministic by seed, in communes with residents, run once."""

from pccovid.checkins.demo import demo_venues_and_checkins
from pccovid.checkins.models import CheckIn, Venue
from pccovid.checkins.tests.conftest import NOW


def _snapshot() -> tuple[list, list]:
    venues = sorted(Venue.objects.values_list("name", "category", "address_line", "unit__code"))
    visits = sorted(CheckIn.objects.values_list("venue__name", "person_id", "at"))
    return venues, visits


def test_demo_venues_and_checkins_are_deterministic(people):
    report = demo_venues_and_checkins(seed=7, days=3, venues_per_commune=2)
    # Bến Thành (An) and Sài Gòn (Bình) have residents in HCMC: two venues each.
    assert report["venues"] == 4 and report["checkins"] == CheckIn.objects.count() > 0
    assert report["operator"] == "demo-venues"
    assert all(at <= NOW for at in CheckIn.objects.values_list("at", flat=True))
    assert demo_venues_and_checkins(seed=7)["venues"] == 0  # a second run adds nothing
    first = _snapshot()
    CheckIn.objects.all().delete()
    Venue.objects.all().delete()
    demo_venues_and_checkins(seed=7, days=3, venues_per_commune=2)
    assert _snapshot() == first
