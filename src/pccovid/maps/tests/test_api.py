"""The GeoJSON API: jurisdiction (anonymous, no role, no risk.view, inside, outside), levels and
boundaries, drill-down, and the public map's suppression of counts under 5."""

import pytest

from pccovid.maps import selectors
from pccovid.maps.models import Boundary
from pccovid.maps.tests.conftest import DAY, NOW, SHAPES

UNITS = "/api/v1/map/units"
PUBLIC = "/api/v1/map/public"


def features(response) -> dict[str, dict]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["type"] == "FeatureCollection"
    return {f["id"]: f for f in body["features"]}


@pytest.fixture
def as_official(client, official):
    def _login(role: str = "commune_official", unit_key: str = "ben_thanh"):
        user, _assignment = official(role, unit_key)
        client.force_login(user)
        return client

    return _login


def test_anonymous_is_401_and_a_citizen_without_role_403(client, city, citizen):
    assert client.get(UNITS).status_code == 401
    client.force_login(citizen)
    response = client.get(UNITS)
    assert (response.status_code, response.json()["error"]) == (403, "no_role")


def test_a_role_without_risk_view_sees_nothing(as_official, city):
    response = as_official("checkpoint_officer").get(UNITS)
    assert (response.status_code, response.json()["error"]) == (404, "not_found")


def test_a_province_sees_its_communes_coloured_with_shapes_and_why(as_official, city):
    client = as_official("province_official", "hcmc")
    client.cookies["django_language"] = "en"
    shown = features(client.get(UNITS, {"date": DAY.isoformat()}))
    assert set(shown) == {"26743", "26740"}
    ben_thanh = shown["26743"]
    assert ben_thanh["geometry"] == SHAPES["26743"]
    props = ben_thanh["properties"]
    assert (props["level"], props["colour"], props["has_children"]) == (4, "red", True)
    assert props["figures"]["community_cases_week"] == 7
    assert props["reason"].startswith("7 community cases in the week")
    assert shown["26740"]["properties"]["colour"] == "orange"
    # Officials see small counts: the console is not a public page.
    assert shown["26740"]["properties"]["figures"]["community_cases_week"] == 3


def test_drill_down_to_residential_groups(as_official, city):
    client = as_official("province_official", "hcmc")
    shown = features(client.get(UNITS, {"unit": "26743", "date": DAY.isoformat()}))
    assert set(shown) == {"26743.001"}
    assert shown["26743.001"]["properties"]["unit_level"] == "group"
    assert shown["26743.001"]["properties"]["colour"] == "red"
    assert features(client.get(UNITS, {"unit": "26743.001"})) == {}  # a group has nothing below


def test_inside_is_200_outside_and_above_are_404(as_official, city):
    client = as_official()  # commune official of Bến Thành
    assert set(features(client.get(UNITS, {"date": DAY.isoformat()}))) == {"26743.001"}
    for outside in ("00070", "26740", "79", "01", "nope"):
        response = client.get(UNITS, {"unit": outside})
        assert response.status_code == 404, outside
        assert response.json()["error"] == "not_found"


def test_a_day_without_levels_is_grey_and_a_unit_without_shape_has_null_geometry(as_official, city, tree):
    from pccovid.testkit import make_unit

    make_unit("26741", "Phường Không Hình", "commune", tree["hcmc"])
    shown = features(as_official("province_official", "hcmc").get(UNITS, {"date": "2021-09-01"}))
    assert {f["properties"]["colour"] for f in shown.values()} == {"grey"}
    assert {f["properties"]["level"] for f in shown.values()} == {None}
    assert shown["26741"]["geometry"] is None


def test_bad_dates_and_codes_are_422(as_official, city):
    client = as_official()
    assert client.get(UNITS, {"date": "15/10/2021"}).status_code == 422
    assert client.get(UNITS, {"unit": "26743'; --"}).status_code == 422


def test_the_list_takes_a_fixed_number_of_queries(as_official, city, tree, django_assert_max_num_queries):
    from pccovid.testkit import make_unit

    client = as_official("province_official", "hcmc")
    for n in range(20):
        make_unit(f"2690{n:02d}", f"Phường {n}", "commune", tree["hcmc"])
    with django_assert_max_num_queries(12):
        assert len(features(client.get(UNITS, {"date": DAY.isoformat()}))) == 22


def test_public_map_suppresses_counts_under_5_and_never_shows_groups(client, city):
    shown = features(client.get(PUBLIC, {"unit": "79", "date": DAY.isoformat()}))
    assert set(shown) == {"26743", "26740"}
    sai_gon = shown["26740"]["properties"]
    assert sai_gon["figures"]["community_cases_week"] is None  # 3 cases
    assert sai_gon["figures"]["community_per_100k"] is None  # made from them
    assert {"community_cases_week", "community_per_100k"} <= set(sai_gon["suppressed"])
    assert sai_gon["colour"] == "orange"
    ben_thanh = shown["26743"]["properties"]
    assert ben_thanh["figures"]["community_cases_week"] == 7
    assert "community_cases_week" not in ben_thanh["suppressed"]
    assert "reason" not in ben_thanh and "f1_active" not in ben_thanh["figures"]


def test_public_map_of_a_commune_is_it_and_its_neighbours(client, city, tree):
    from pccovid.testkit import make_unit

    far = make_unit("26799", "Phường Xa", "commune", tree["hcmc"])
    Boundary.objects.create(unit=far, geometry=SHAPES["00070"], source="t", loaded_at=NOW)
    shown = features(client.get(PUBLIC, {"unit": "26743", "date": DAY.isoformat()}))
    assert set(shown) == {"26743", "26740"}  # Phường Xa's shape is far away
    assert shown["26743"]["properties"]["selected"] and not shown["26740"]["properties"]["selected"]


def test_public_map_refuses_groups_and_unknown_units(client, city):
    for code in ("26743.001", "99999"):
        response = client.get(PUBLIC, {"unit": code})
        assert (response.status_code, response.json()["error"]) == (404, "not_found")


def test_public_figures_suppress_again_whatever_the_risk_app_hands_over():
    shown, suppressed = selectors.public_figures(
        {
            "community_cases_week": 3,
            "community_per_100k": 30.0,
            "cases_week": 12,
            "beds": 2,
            "population": 900,
        }
    )
    assert shown == {
        "population": 900,
        "community_cases_week": None,
        "cases_week": 12,
        "community_per_100k": None,
    }
    assert set(suppressed) == {"community_cases_week", "community_per_100k"}
