"""GET /geography/units and /geography/units/{edition}/{code}: signed-in callers only, errors as JSON."""

import pytest

from pccovid.accounts.models import User

API = "/api/v1/geography"


@pytest.fixture
def user_client(client, db):
    client.force_login(User.objects.create_user(username="reader"))  # no password: no slow hashing
    return client


def test_list_filters_by_level_parent_and_name(user_client, units_2025):
    provinces = user_client.get(f"{API}/units", {"level": "province", "limit": 500}).json()
    assert provinces["count"] == 34 and len(provinces["items"]) == 34
    wards = user_client.get(f"{API}/units", {"parent": "79", "q": "ben thanh"}).json()
    assert [(u["code"], u["name"], u["parent_code"]) for u in wards["items"]] == [
        ("26743", "Phường Bến Thành", "79")
    ]
    assert wards["items"][0]["population_synthetic"] is True


def test_list_pages_at_most_500(user_client, units_2025):
    page = user_client.get(f"{API}/units", {"limit": 10_000, "offset": 34}).json()
    assert page["count"] == 34 + 3_321 and len(page["items"]) == 500


def test_list_of_the_2021_edition(user_client, units_2021):
    districts = user_client.get(
        f"{API}/units", {"edition": "2021", "parent": "79", "level": "district"}
    ).json()
    assert districts["count"] == 22
    assert districts["items"][0] == {
        **districts["items"][0],
        "code": "760",
        "name": "Quận 1",
        "path": "79/760/",
    }


def test_list_query_count_does_not_grow_with_the_page(user_client, units_2025, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        assert len(user_client.get(f"{API}/units", {"limit": 500}).json()["items"]) == 500


def test_detail_has_the_parent_chain_child_count_and_current_unit(user_client, successions):
    ward = user_client.get(f"{API}/units/2021/26743").json()
    assert [a["code"] for a in ward["ancestors"]] == ["79", "760"]
    assert (ward["name"], ward["level"], ward["child_count"]) == ("Phường Bến Thành", "commune", 0)
    assert ward["current_unit"] == {
        "edition": "2025",
        "code": "26743",
        "name": "Phường Bến Thành",
        "level": "commune",
    }
    province = user_client.get(f"{API}/units/2025/79").json()
    assert (province["ancestors"], province["parent_code"], province["current_unit"]) == ([], None, None)
    assert province["child_count"] == 168


def test_unknown_code_is_404_json(user_client, units_2025):
    response = user_client.get(f"{API}/units/2025/99999")
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "not_found" and "99999" in body["message"]


def test_bad_edition_or_code_is_422_json(user_client, db):
    assert user_client.get(f"{API}/units/1999/79").json()["error"] == "invalid_request"
    assert user_client.get(f"{API}/units/2025/a%00b").status_code == 422
    assert user_client.get(f"{API}/units", {"edition": "1999"}).status_code == 422


def test_anonymous_is_401(client, db):
    response = client.get(f"{API}/units")
    assert (response.status_code, response.json()["error"]) == (401, "unauthenticated")


def test_an_offset_too_large_for_the_database_is_a_422(user_client):
    response = user_client.get(f"{API}/units", {"offset": 17030045075637940224})
    assert response.status_code == 422 and response.json()["field"] == "offset"
