"""Pages and API: anonymous, no role, inside (200), outside (404), bad input (4xx)."""

import datetime as dt

import pytest

from pccovid.accounts.models import User
from pccovid.risk import services
from pccovid.risk.models import Capacity, ProvinceAdjustment
from pccovid.risk.tests.conftest import TODAY, case

pytestmark = pytest.mark.django_db
API = "/api/v1/risk"
PAGES = ["/risk/", "/risk/units/26743/", "/risk/capacity/", "/risk/adjustments/", "/risk/care-needs/",
         "/risk/units/26743/households/"]  # fmt: skip


@pytest.fixture
def computed(tree, people):
    case(people["an"])
    services.levels_compute(on=TODAY)


@pytest.fixture
def commune(client, official, computed):
    user, assignment = official("commune_official", "ben_thanh")
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return assignment


def test_anonymous_is_sent_to_sign_in(client, tree):
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302 and "/console/login/" in response["Location"], url
    assert client.get(f"{API}/levels").status_code == 401
    assert client.post(f"{API}/capacity", {}, content_type="application/json").status_code == 401


def test_no_role_is_refused(client, tree):
    client.force_login(User.objects.create_user(username="nobody", password="pw-123456"))
    for url in PAGES:
        assert client.get(url).status_code == 403, url
    assert client.get(f"{API}/levels").status_code == 403


def test_province_official_sees_the_levels_of_the_communes(client, official, computed):
    user, _assignment = official("province_official", "hcmc")
    client.force_login(user)
    client.cookies["django_language"] = "en"
    page = client.get("/risk/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-unit="26743"' in text and 'data-unit="26740"' in text and "00070" not in text
    assert "Yellow (medium risk)" in text  # Bến Thành: one case, low coverage
    api = client.get(f"{API}/levels", {"on": TODAY.isoformat()}).json()
    assert {row["unit_code"]: row["level"] for row in api} == {"26743": 2, "26740": 1}


def test_the_why_page_shows_figures_and_rule(client, commune):
    page = client.get("/risk/units/26743/", {"on": TODAY.isoformat()})
    assert page.status_code == 200
    text = page.content.decode()
    assert "band 1, coverage low, capacity met" in text and "10.0 per 100,000" in text
    assert text.count('data-level="') >= 15  # the level and 14 days of history
    one = client.get(f"{API}/levels/26743", {"on": TODAY.isoformat()}).json()
    assert one["level"] == 2 and one["figures"]["community_cases_week"] == 1
    history = client.get(f"{API}/levels/26743/history", {"end": TODAY.isoformat(), "days": 3}).json()
    assert [row["level"] for row in history] == [0, 0, 2]


def test_outside_the_jurisdiction_is_not_found(client, commune):
    for url in (
        "/risk/units/00070/",
        "/risk/units/26740/",
        "/risk/?unit=00070",
        "/risk/units/00070/households/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(f"{API}/levels/00070").status_code == 404
    assert client.get(f"{API}/levels", {"unit": "26740"}).status_code == 404
    assert client.get(f"{API}/households", {"unit": "00070"}).status_code == 404
    assert client.get("/risk/units/NOSUCH/").status_code == 404


def test_bad_input_is_a_4xx(client, commune):
    assert client.get(f"{API}/levels", {"on": "20-10-2021"}).status_code == 422
    assert client.get(f"{API}/levels", {"unit": "26743'; --"}).status_code == 422
    bad = client.post(f"{API}/capacity", {"beds": -1, "icu_beds": 0, "home_care_teams": 0, "enough": True},
                      content_type="application/json")  # fmt: skip
    assert bad.status_code == 422
    page = client.post("/risk/capacity/", {"beds": "x", "icu_beds": 0, "home_care_teams": 0, "enough": "yes"})
    assert page.status_code == 400 and not Capacity.objects.exists()
    assert client.get("/risk/", {"on": "not a day"}).status_code == 400


def test_capacity_form_and_api(client, commune):
    page = client.post("/risk/capacity/", {"beds": 10, "icu_beds": 2, "home_care_teams": 3, "enough": "no"})
    assert page.status_code == 302
    created = client.post(
        f"{API}/capacity",
        {"unit": "26743.001", "beds": 1, "icu_beds": 0, "home_care_teams": 1, "enough": True},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["unit_code"] == "26743.001"
    outside = client.post(
        f"{API}/capacity",
        {"unit": "26740", "beds": 1, "icu_beds": 0, "home_care_teams": 1, "enough": True},
        content_type="application/json",
    )
    assert outside.status_code == 404
    assert Capacity.objects.count() == 2
    assert client.get(f"{API}/levels/26743").json()["figures"]["capacity_enough"] is False


def test_adjustments_by_province_officials_only(client, official, computed):
    user, _a = official("province_official", "hcmc")
    client.force_login(user)
    body = {"values": {"green_zone_days": 21}, "reason": "Longer watch", "effective_from": TODAY.isoformat()}
    created = client.post(f"{API}/adjustments", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["province_code"] == "79"
    bad = client.post(f"{API}/adjustments", {**body, "values": {"case_bands": [3, 2, 1]}},
                      content_type="application/json")  # fmt: skip
    assert bad.status_code == 400 and bad.json()["field"] == "case_bands"
    form = client.post("/risk/adjustments/", {
        "band_2": 10, "band_3": 40, "band_4": 120, "older_age": 65, "older_threshold": 80,
        "adult_threshold": 70, "green_zone_days": 14, "effective_from": TODAY.isoformat(),
        "reason": "HCMC's own bands",
    })  # fmt: skip
    assert form.status_code == 302 and ProvinceAdjustment.objects.count() == 2
    commune_user, _b = official("commune_official", "ben_thanh")
    client.force_login(commune_user)
    assert client.post(f"{API}/adjustments", body, content_type="application/json").status_code == 403
    assert len(client.get(f"{API}/adjustments").json()) == 2  # a commune reads its province's adjustments


def test_compute_now_button(client, commune):
    response = client.post("/risk/compute/", {"on": (TODAY - dt.timedelta(days=1)).isoformat()})
    assert response.status_code == 302
    history = client.get(f"{API}/levels/26743/history", {"end": TODAY.isoformat(), "days": 2}).json()
    assert [row["level"] for row in history] == [1, 2]


def test_public_levels_suppress_small_counts(client, computed):
    client.cookies["django_language"] = "en"
    rows = {row["unit_code"]: row for row in client.get(f"{API}/public/levels", {"unit": "79"}).json()}
    ben_thanh = rows["26743"]
    assert ben_thanh["level"] == 2
    assert ben_thanh["figures"]["community_cases_week"] is None
    assert ben_thanh["figures"]["community_per_100k"] is None
    assert "fewer than 5" in ben_thanh["reason"]
    assert client.get(f"{API}/public/levels", {"unit": "99999"}).status_code == 404


def test_levels_list_queries_do_not_grow(client, commune, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert client.get(f"{API}/levels", {"unit": "26743"}).status_code == 200


def test_care_need_page(client, commune, people):
    response = client.post("/risk/care-needs/", {"person": people["an"].qid, "kind": "pregnant"})
    assert response.status_code == 302
    assert (
        client.post("/risk/care-needs/", {"person": people["binh"].qid, "kind": "pregnant"}).status_code
        == 404
    )
    api = client.post(f"{API}/care-needs", {"person_qid": people["an"].qid, "kind": "disability"},
                      content_type="application/json")  # fmt: skip
    assert api.status_code == 201
