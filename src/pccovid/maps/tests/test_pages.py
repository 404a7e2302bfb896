"""The officials' map page, its side panel, drill-down and households; the citizens' public map."""

import json
import re

import pytest

from pccovid.audit.models import PersonalDataRead
from pccovid.maps.tests.conftest import DAY

MAP = "/map/"
DATE = {"date": DAY.isoformat()}


@pytest.fixture
def signed_in(client, official):
    def _login(role: str = "commune_official", unit_key: str = "ben_thanh"):
        user, _assignment = official(role, unit_key)
        client.cookies["django_language"] = "en"
        client.force_login(user)
        return client

    return _login


def map_data(response) -> dict:
    found = re.search(r'<script id="map-data" type="application/json">(.*?)</script>', response.text, re.S)
    return json.loads(found.group(1))


def test_jurisdiction_of_the_map_page(client, signed_in, city, citizen):
    response = client.get(MAP)
    assert response.status_code == 302 and "/console/login/" in response.url
    client.force_login(citizen)
    assert client.get(MAP).status_code == 403  # no official role
    assert signed_in("checkpoint_officer").get(MAP).status_code == 404  # no risk.view
    official = signed_in()
    assert official.get(MAP, DATE).status_code == 200
    assert official.get(MAP, {"unit": "00070"}).status_code == 404
    assert official.get(MAP, {"unit": "79"}).status_code == 404
    assert official.get("/map/units/26740/").status_code == 404


def test_the_map_draws_the_children_with_legend_table_and_leaflet_from_the_package(signed_in, city):
    response = signed_in("province_official", "hcmc").get(MAP, DATE)
    assert response.status_code == 200
    text = response.text
    assert "/static/leaflet/leaflet.js" in text and "/static/leaflet/leaflet.css" in text
    assert "http://" not in text.replace("http://www.w3.org", "") and "https://" not in text  # no CDN
    data = map_data(response)
    assert {f["id"]: f["properties"]["colour"] for f in data["features"]} == {
        "26743": "red",
        "26740": "orange",
    }
    assert 'data-testid="legend"' in text and "Not computed" in text
    assert "Illustrative cells, not real boundaries" in text
    assert re.search(r'<tr data-code="26743" data-colour="red">', text)  # the table fallback
    assert 'value="2021-10-15"' in text


def test_the_date_filter_changes_the_day(signed_in, city):
    data = map_data(signed_in("province_official", "hcmc").get(MAP, {"date": "2021-10-01"}))
    assert {f["properties"]["colour"] for f in data["features"]} == {"grey"}


def test_the_tile_layer_is_off_by_default_and_a_setting_adds_it(signed_in, city, settings):
    client = signed_in()
    assert 'data-tile-url=""' in client.get(MAP).text
    settings.PCCOVID_MAP_TILE_URL = "https://tiles.example.vn/{z}/{x}/{y}.png"
    assert 'data-tile-url="https://tiles.example.vn/{z}/{x}/{y}.png"' in client.get(MAP).text


def test_the_panel_shows_level_figures_and_why_and_offers_drill_down(signed_in, city):
    client = signed_in("province_official", "hcmc")
    response = client.get("/map/units/26743/", DATE, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text  # a partial
    assert "Red (very high risk)" in response.text
    assert "7 community cases in the week from 2021-10-09" in response.text
    assert "Community cases this week" in response.text
    assert "/map/?unit=26743&amp;date=2021-10-15" in response.text  # drill down
    drilled = map_data(client.get(MAP, {"unit": "26743", **DATE}))
    assert [f["id"] for f in drilled["features"]] == ["26743.001"]
    full = client.get("/map/units/26743/", DATE)  # without JavaScript: a page of its own
    assert "<html" in full.text and "Red (very high risk)" in full.text


def test_households_only_for_roles_allowed_to_see_persons(signed_in, city, official, client):
    reads = PersonalDataRead.objects.count()  # opening the fixture's cases read some
    viewer = signed_in("health_worker")  # risk.view only
    panel = viewer.get("/map/units/26743.001/", DATE, headers={"HX-Request": "true"})
    assert "show-households" not in panel.text
    assert viewer.get("/map/units/26743.001/households/").status_code == 404
    assert PersonalDataRead.objects.count() == reads

    user, _assignment = official("tracer", "ben_thanh", username="tracer-bt")
    client.force_login(user)
    panel = client.get("/map/units/26743.001/", DATE, headers={"HX-Request": "true"})
    assert "show-households" in panel.text
    response = client.get("/map/units/26743.001/households/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.count("data-household=") == 7 and "Người 0" in response.text
    assert PersonalDataRead.objects.filter(actor=user).count() == 7
    assert client.get("/map/units/00070/households/").status_code == 404


def test_public_map_for_anonymous_visitors_offers_a_picker_and_suppresses_small_counts(client, city):
    client.cookies["django_language"] = "en"
    picker = client.get("/map/public/")
    assert picker.status_code == 200 and "Thành phố Hồ Chí Minh" in picker.text
    assert 'id="map-data"' not in picker.text
    response = client.get("/map/public/", {"unit": "79", **DATE})
    assert response.status_code == 200
    data = map_data(response)
    assert {f["id"] for f in data["features"]} == {"26743", "26740"}
    sai_gon = next(f for f in data["features"] if f["id"] == "26740")["properties"]
    assert sai_gon["figures"]["community_cases_week"] is None and sai_gon["reason"] == ""
    listed = re.search(r'<li data-code="26740".*?</li>', response.text, re.S).group(0)
    assert "under 5" in listed and ">3<" not in listed
    assert "Khu phố" not in response.text  # no residential group, no household
    assert client.get("/map/public/", {"unit": "26743.001"}).status_code == 404


def test_a_citizen_sees_their_own_commune_and_its_neighbours(client, citizen, city):
    client.cookies["django_language"] = "en"
    client.force_login(citizen)
    response = client.get("/map/public/", DATE)
    assert response.status_code == 200
    data = map_data(response)
    assert [f["id"] for f in data["features"]] == ["26743", "26740"]
    assert data["features"][0]["properties"]["selected"]
    assert '<li data-code="26743" data-colour="red" data-selected="true">' in response.text
