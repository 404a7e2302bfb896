"""levels_compute on the shared tree: figures, levels per unit kind, idempotence, incremental == full."""

import datetime as dt

import pytest

from pccovid.risk import services
from pccovid.risk.models import Capacity, UnitLevel
from pccovid.risk.tests.conftest import TODAY, case, contact, dose, person

pytestmark = pytest.mark.django_db


def levels(on=TODAY) -> dict[str, UnitLevel]:
    return {row.unit.code: row for row in UnitLevel.objects.filter(on=on).select_related("unit")}


def test_every_unit_with_people_gets_a_level(tree, people):
    written = services.levels_compute(on=TODAY)
    rows = levels()
    # People live in the group (An), Sài Gòn (Bình), Hoàn Kiếm (Chi): their units and those above.
    assert set(rows) == {"79", "26743", "26743.001", "26740", "01", "00070"}
    assert written == 6
    assert rows["26743.001"].level == 1 and rows["26743.001"].cell == "group: green zone"
    assert rows["26740"].figures["registered_people"] == 1


def test_a_community_case_counts_on_its_path_only(tree, people):
    case(people["an"])
    services.levels_compute(on=TODAY)
    rows = levels()
    for code in ("26743.001", "26743", "79"):
        assert rows[code].figures["community_cases_week"] == 1
    assert rows["26740"].figures["community_cases_week"] == 0
    # 1 case per 10,000 people = 10 per 100,000: band 1; coverage low (nobody 50+): raised to level 2.
    assert rows["26743"].figures["community_per_100k"] == 10.0
    assert rows["26743"].level == 2 and rows["26743"].cell == "band 1, coverage low, capacity met"
    assert rows["26743.001"].level == 2  # a group with a case is at least yellow
    assert rows["26740"].level == 1 and not rows["26743"].figures["green_zone"]


def test_a_second_run_updates_in_place(tree, people):
    services.levels_compute(on=TODAY)
    case(people["binh"])  # written without its event: the recount finds it
    services.counters_rebuild()
    services.levels_compute(on=TODAY)
    assert UnitLevel.objects.filter(on=TODAY).count() == 6
    assert levels()["26740"].figures["community_cases_week"] == 1


def test_incremental_path_equals_full_recompute(tree, people):
    older = [person(tree["group"], birth=dt.date(1950, 1, 1)) for _ in range(3)]
    dose(older[0])
    contact(case(people["binh"]), older[1])
    case(people["an"], day=TODAY - dt.timedelta(days=3))
    Capacity.objects.create(
        unit=tree["ben_thanh"], beds=5, icu_beds=0, home_care_teams=1, enough=False, entered_at=TODAY_NOON()
    )
    services.levels_compute_path(unit=tree["group"], on=TODAY)
    incremental = {code: (r.level, r.figures, r.cell) for code, r in levels().items()}
    UnitLevel.objects.all().delete()
    services.levels_compute(on=TODAY)
    full = {code: (r.level, r.figures, r.cell) for code, r in levels().items()}
    assert set(incremental) == {"79", "26743", "26743.001"}
    assert all(incremental[code] == full[code] for code in incremental)


def TODAY_NOON():
    from pccovid.risk.tests.conftest import local_noon

    return local_noon(TODAY - dt.timedelta(days=1))
