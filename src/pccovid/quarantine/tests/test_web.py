"""Pages and API endpoints: anonymous, citizen, official in reach (200), official elsewhere (404)."""

import datetime as dt

import pytest
from django.urls import reverse

from pccovid.core import clock
from pccovid.quarantine import services
from pccovid.quarantine.models import Alert, Order
from pccovid.quarantine.tests.conftest import NOW
from pccovid.testing.models import TestResult

END = dt.datetime(2022, 1, 2, 3, 0, tzinfo=dt.UTC)


@pytest.fixture
def order(officer, people) -> Order:
    return services.order_create(
        assignment=officer[1], person_qid=people["an"].qid, kind="quarantine", place="home"
    )


@pytest.fixture
def citizen_client(client, people, django_user_model):
    user = django_user_model.objects.create(
        username="+84903123456", phone="+84903123456", person=people["an"]
    )
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    return client


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer[0])
    return client


@pytest.fixture
def elsewhere_client(client, official):
    user, _assignment = official("commune_official", "hoan_kiem")
    client.force_login(user)
    return client


OFFICIAL_PAGES = ["quarantine:orders", "quarantine:alerts", "quarantine:facilities", "quarantine:tests-due"]


@pytest.mark.parametrize("name", [*OFFICIAL_PAGES, "quarantine:mine"])
def test_anonymous_is_sent_to_sign_in(client, name, db):
    assert client.get(reverse(name)).status_code == 302


def test_official_pages_in_reach(officer_client, order, people):
    for name in OFFICIAL_PAGES:
        response = officer_client.get(reverse(name))
        assert response.status_code == 200, name
    assert people["an"].full_name in officer_client.get(reverse("quarantine:orders")).content.decode()
    assert people["an"].full_name in officer_client.get(reverse("quarantine:tests-due")).content.decode()
    detail = officer_client.get(reverse("quarantine:order", args=[order.pk]))
    assert detail.status_code == 200 and "Ends on 02/01/2022" in detail.content.decode()
    table = officer_client.get(
        reverse("quarantine:orders") + "?kind=isolation", headers={"HX-Request": "true"}
    )
    assert people["an"].full_name not in table.content.decode()


def test_an_official_elsewhere_sees_nothing(elsewhere_client, order, people):
    assert elsewhere_client.get(reverse("quarantine:order", args=[order.pk])).status_code == 404
    assert people["an"].full_name not in elsewhere_client.get(reverse("quarantine:orders")).content.decode()
    assert elsewhere_client.post(reverse("quarantine:order-release", args=[order.pk])).status_code == 404


def test_release_from_the_page_and_the_verify_page(officer_client, order, people):
    refused = officer_client.post(reverse("quarantine:order-release", args=[order.pk]), follow=True)
    assert "Ends on 02/01/2022" in refused.content.decode()
    with clock.frozen(END):
        result = TestResult.objects.create(person=people["an"], kind="rapid_antigen", sample_taken_at=END,
                                           result="negative", site=order.scheduled_tests.first().site,
                                           source="recorded", rules_version="t", created_at=END)  # fmt: skip
        order.scheduled_tests.filter(day_number=14).update(result=result, done_at=END)
        officer_client.post(reverse("quarantine:order-release", args=[order.pk]))
        order.refresh_from_db()
        assert order.status == "released" and order.release_code.startswith("PCQR1|")
        verified = officer_client.post(reverse("quarantine:verify"), {"text": order.release_code})
        assert 'data-status="valid"' in verified.content.decode()
        tampered = {"text": order.release_code.replace("|Q|", "|I|")}
        answer = officer_client.post(reverse("quarantine:verify"), tampered).content.decode()
        assert 'data-status="invalid_signature"' in answer


def test_citizen_page_and_daily_report(citizen_client, order):
    page = citizen_client.get(reverse("quarantine:mine"))
    assert page.status_code == 200 and 'data-testid="report-form"' in page.content.decode()
    sent = citizen_client.post(
        reverse("quarantine:mine"),
        {"person": order.person.qid, "temperature": "38.0", "symptoms": ["cough"], "note": ""},
    )
    assert sent.status_code == 302
    assert set(Alert.objects.values_list("kind", flat=True)) == {"fever", "symptoms"}
    bad = citizen_client.post(reverse("quarantine:mine"), {"person": order.person.qid, "temperature": "44.0"})
    assert bad.status_code == 400
    other = citizen_client.post(reverse("quarantine:mine"), {"person": "ZZZZZZZZZZZZ", "temperature": "36.5"})
    assert other.status_code == 404


def test_facility_register_page(officer_client):
    response = officer_client.post(
        reverse("quarantine:facilities"),
        {"code": "KTX-1", "name": "Ký túc xá", "kind": "facility", "capacity": 50},
    )
    assert response.status_code == 302
    assert "KTX-1" in officer_client.get(reverse("quarantine:facilities")).content.decode()


def test_verify_page_is_public(client, db):
    assert client.get(reverse("quarantine:verify")).status_code == 200
    assert (
        'data-status="malformed"' in client.post(reverse("quarantine:verify"), {"text": "x"}).content.decode()
    )


# --- API --------------------------------------------------------------------------------------------------


def test_api_orders_in_and_out_of_reach(officer_client, order, people, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        listed = officer_client.get("/api/v1/quarantine/orders").json()
    assert listed["count"] == 1 and listed["items"][0]["person_qid"] == people["an"].qid
    detail = officer_client.get(f"/api/v1/quarantine/orders/{order.pk}").json()
    assert detail["release_blockers"] == ["Ends on 02/01/2022.", "Day 14 test has no result yet."]
    assert [t["day_number"] for t in detail["tests"]] == [1, 7, 14]
    refused = officer_client.post(f"/api/v1/quarantine/orders/{order.pk}/release")
    assert refused.status_code == 400 and refused.json()["error"] == "not_releasable"


def test_api_elsewhere_is_404(elsewhere_client, order):
    assert elsewhere_client.get(f"/api/v1/quarantine/orders/{order.pk}").status_code == 404
    assert elsewhere_client.get("/api/v1/quarantine/orders").json()["count"] == 0


def test_api_create_facility_alerts_and_tests_due(officer_client, people, neighbour):
    created = officer_client.post("/api/v1/quarantine/facilities",
                                  {"code": "KCL-2", "name": "Khu 2", "kind": "facility", "capacity": 1},
                                  content_type="application/json")  # fmt: skip
    assert created.status_code == 201 and created.json()["free"] == 1
    body = {
        "person_qid": people["an"].qid,
        "kind": "quarantine",
        "place": "facility",
        "facility_code": "KCL-2",
    }
    assert (
        officer_client.post("/api/v1/quarantine/orders", body, content_type="application/json").status_code
        == 201
    )
    full = officer_client.post("/api/v1/quarantine/orders", {**body, "person_qid": neighbour.qid},
                               content_type="application/json")  # fmt: skip
    assert full.status_code == 400 and full.json()["error"] == "facility_full"
    assert officer_client.get("/api/v1/quarantine/facilities").json()[0]["occupied"] == 1
    assert len(officer_client.get("/api/v1/quarantine/tests-due").json()) == 1
    with clock.frozen(NOW + dt.timedelta(days=2)):
        alerts = officer_client.get("/api/v1/quarantine/alerts").json()
    assert [(a["kind"], a["on"]) for a in alerts] == [
        ("missed_report", "2021-12-21"),
        ("missed_report", "2021-12-20"),
    ]
    resolved = officer_client.post(f"/api/v1/quarantine/alerts/{alerts[0]['id']}/resolve", {"note": "gọi"},
                                   content_type="application/json")  # fmt: skip
    assert resolved.status_code == 200 and resolved.json()["resolved_at"]


def test_api_citizen_report_and_public_verify(citizen_client, order, db):
    sent = citizen_client.post("/api/v1/quarantine/me/reports",
                               {"person_qid": order.person.qid, "temperature": 37.6, "symptoms": []},
                               content_type="application/json")  # fmt: skip
    assert sent.status_code == 201 and sent.json()["temperature"] == 37.6
    mine = citizen_client.get("/api/v1/quarantine/me").json()
    assert mine[0]["reports"][0]["temperature"] == 37.6
    keys = citizen_client.get("/api/v1/quarantine/keys").json()["keys"]
    assert keys and keys[0]["alg"] == "ES256"
    verdict = citizen_client.post(
        "/api/v1/quarantine/verify", {"text": "nope"}, content_type="application/json"
    )
    assert verdict.json()["status"] == "malformed"
