"""Map fixtures: a fixed clock (15 Oct 2021, 10:00 in Ho Chi Minh City), boundaries for the test tree, people
and cases, and the levels of the day computed by the risk app."""

import datetime as dt
import json

import pytest

from pccovid.core import clock
from pccovid.identity import services as identity_services
from pccovid.maps import services
from pccovid.risk import services as risk_services
from pccovid.testkit import make_person
from pccovid.tracing import services as tracing_services

NOW = dt.datetime(2021, 10, 15, 3, 0, tzinfo=dt.UTC)
DAY = dt.date(2021, 10, 15)


@pytest.fixture(autouse=True)
def frozen_now():
    with clock.frozen(NOW):
        yield NOW


def square(west: float, south: float, size: float = 0.01) -> dict:
    ring = [[west, south], [west + size, south], [west + size, south + size], [west, south + size]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


SHAPES = {
    "26743": square(106.69, 10.77),
    "26740": square(106.70, 10.77),
    "26743.001": square(106.69, 10.77, 0.005),
    "00070": square(105.85, 21.02),
}


@pytest.fixture
def boundaries(tree, tmp_path):
    features = [
        {"type": "Feature", "properties": {"code": code}, "geometry": geometry}
        for code, geometry in SHAPES.items()
    ]
    path = tmp_path / "test.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return services.boundaries_load(path=path, illustrative=True)


def residents(unit, n: int, first: int = 0) -> list:
    """`n` people, one household each."""
    return [
        make_person(
            unit,
            name=f"Người {i}",
            cccd=f"079090{i:06d}",
            phone=None,
            household=identity_services.household_create(
                code=f"HH{i:04d}", unit=unit, address_line=f"{i} Lê Lợi"
            ),
        )
        for i in range(first, first + n)
    ]


@pytest.fixture
def city(tree, official, boundaries):
    """Bến Thành (in its group): 7 residents, all community cases this week; Sài Gòn: 6 residents, 3 of them
    cases. Levels computed for the day."""
    _user, tracer = official("tracer", "hcmc", username="map-tracer")
    groups = residents(tree["group"], 7)
    sai_gon = residents(tree["sai_gon"], 6, first=100)
    for person in [*groups, *sai_gon[:3]]:
        tracing_services.case_open(assignment=tracer, person_qid=person.qid, reason="Positive at a hospital")
    risk_services.levels_compute(on=DAY)
    return {"group": groups, "sai_gon": sai_gon}


@pytest.fixture
def citizen(city, tree, django_user_model):
    """A signed-up citizen living in Bến Thành's residential group (not a case)."""
    person = make_person(tree["group"], name="Nguyễn Văn An", cccd="079090001234", phone="0903123456")
    user = django_user_model.objects.create(username="+84903123456", phone="+84903123456", person=person)
    user.set_unusable_password()
    user.save()
    return user
