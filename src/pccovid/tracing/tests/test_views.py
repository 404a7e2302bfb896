"""Web pages and API endpoints: anonymous, no role, in reach (200), out of reach (404)."""

import datetime as dt
import json

import pytest

from pccovid.accounts.models import User
from pccovid.tracing.models import Case, Contact

pytestmark = pytest.mark.django_db
VISIT = dt.datetime(2021, 10, 13, 5, 0, tzinfo=dt.UTC)
API = "/api/v1/tracing"


@pytest.fixture
def traced(open_case, venue, checkin, people):
    market = venue()
    checkin(people["an"], market, VISIT)
    checkin(people["chi"], market, VISIT + dt.timedelta(minutes=20))
    return open_case(people["an"])


@pytest.fixture
def citizen(people):
    user = User(username="+84987000222", phone="+84987000222", person=people["chi"])
    user.set_unusable_password()
    user.save()
    return user


def test_anonymous_is_sent_to_sign_in(client, traced):
    for url in ("/tracing/", f"/tracing/cases/{traced.code}/", "/tracing/queue/"):
        response = client.get(url)
        assert response.status_code == 302 and "/console/login/" in response["Location"]
    assert client.get("/tracing/exposures/").status_code == 302
    assert client.get(f"{API}/cases").status_code == 401


def test_no_role_403(client, citizen, traced):
    client.force_login(citizen)
    assert client.get("/tracing/").status_code == 403
    assert client.get(f"{API}/cases").status_code == 403


def test_console_in_and_out_of_reach(client, traced, tracer, official, people):
    client.force_login(tracer[0])
    listing = client.get("/tracing/").content.decode()
    assert traced.code in listing and people["an"].full_name in listing
    page = client.get(f"/tracing/cases/{traced.code}/")
    assert page.status_code == 200 and people["chi"].full_name in page.content.decode()
    partial = client.get(f"/tracing/cases/{traced.code}/?degree=2", headers={"HX-Request": "true"})
    assert partial.status_code == 200 and "<html" not in partial.content.decode()
    assert people["chi"].full_name not in partial.content.decode()
    chain = client.get(f"/tracing/cases/{traced.code}/chain/")
    assert chain.status_code == 200 and 'aria-current="true"' in chain.content.decode()
    hanoi_user, _assignment = official("tracer", "hoan_kiem", "tracer-hk")
    client.force_login(hanoi_user)
    assert traced.code not in client.get("/tracing/").content.decode()
    assert client.get(f"/tracing/cases/{traced.code}/").status_code == 404
    assert client.get(f"/tracing/cases/{traced.code}/chain/").status_code == 404
    assert client.post(f"/tracing/cases/{traced.code}/find/").status_code == 404
    queue = client.get("/tracing/queue/").content.decode()
    assert people["chi"].full_name in queue and traced.code not in queue


def test_open_a_case_by_cccd_and_refusals(client, tracer, people):
    client.force_login(tracer[0])
    form = {"person": "079090001234", "reason": "", "isolation_place": "home"}
    assert client.post("/tracing/", form).status_code == 400
    response = client.post("/tracing/", {**form, "reason": "Private clinic PCR"})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tracing/cases/{case.code}/"
    again = client.post("/tracing/", {**form, "reason": "again"})
    assert again.status_code == 400 and case.code in again.content.decode()
    out_of_reach = client.post("/tracing/", {**form, "person": "001301009999", "reason": "x"})
    assert out_of_reach.status_code == 400 and Case.objects.count() == 1


def test_actions_on_a_case(client, traced, tracer, people, person):
    client.force_login(tracer[0])
    contact = traced.contacts.get()
    url = f"/tracing/cases/{traced.code}"
    assert client.post(f"{url}/bulk/", {"action": "notify", "contact": [contact.pk]}).status_code == 302
    contact.refresh_from_db()
    assert contact.status == "notified"
    named = person()
    declared = client.post(
        f"{url}/contacts/", {"person": named.qid, "at": "2021-10-13T12:30", "note": "lunch"}
    )
    assert declared.status_code == 302 and Contact.objects.filter(person=named, degree=1).exists()
    assert client.post(f"{url}/find/").status_code == 302
    assert client.post(f"{url}/outcome/", {"outcome": "recovered", "on": "2021-10-15"}).status_code == 302
    traced.refresh_from_db()
    assert not traced.is_open


def test_bulk_quarantine_calls_the_quarantine_app(client, traced, tracer, monkeypatch):
    from types import SimpleNamespace

    from pccovid.quarantine import services as quarantine_services

    calls = []

    def fake(**kwargs):
        calls.append(kwargs)
        return SimpleNamespace(created=[object()], skipped=[(1, "Already under an active order.")])

    monkeypatch.setattr(quarantine_services, "orders_for_contacts", fake)
    client.force_login(tracer[0])
    contact = traced.contacts.get()
    response = client.post(
        f"/tracing/cases/{traced.code}/bulk/",
        {"action": "quarantine_home", "contact": [contact.pk]},
        follow=True,
    )
    assert calls == [
        {
            "assignment": calls[0]["assignment"],
            "contact_ids": [contact.pk],
            "place": "home",
            "facility_code": None,
        }
    ]
    assert "Already under an active order." in response.content.decode()


def test_citizen_exposures_page(client, traced, tracer, citizen, people):
    client.force_login(citizen)
    assert "No exposure" in client.get("/tracing/exposures/").content.decode()
    Contact.objects.update(status="notified", notified_at=traced.opened_at)
    page = client.get("/tracing/exposures/").content.decode()
    assert "13/10/2021" in page and 'data-kind="copresence"' in page and "covid-red" in page
    assert traced.code not in page and people["an"].full_name not in page and "Chợ Bến Thành" not in page
    exposures = client.get(f"{API}/me/exposures").json()
    assert exposures == [
        {"on": "2021-10-13", "kind": "copresence", "label": exposures[0]["label"], "degree": 1,
         "status": "notified", "active": True}
    ]  # fmt: skip
    assert "Chợ Bến Thành" not in exposures[0]["label"]


def test_api_cases(client, traced, tracer, official, people, person):
    client.force_login(tracer[0])
    listing = client.get(f"{API}/cases").json()
    assert listing["count"] == 1 and listing["items"][0]["code"] == traced.code
    assert client.get(f"{API}/cases/{traced.code}").json()["person_qid"] == people["an"].qid
    contacts = client.get(f"{API}/cases/{traced.code}/contacts").json()
    assert contacts[0]["person_qid"] == people["chi"].qid and contacts[0]["paths"][0]["kind"] == "copresence"
    assert contacts[0]["paths"][0]["venue_name"] == "Chợ Bến Thành"
    assert client.get(f"{API}/cases/{traced.code}/contacts?degree=2").json() == []
    found = client.post(f"{API}/cases/{traced.code}/find").json()
    assert found == {"case_code": traced.code, "new_contacts": {}, "new_paths": {}, "contacts": 1}
    named = person()
    declared = client.post(
        f"{API}/cases/{traced.code}/contacts",
        json.dumps({"person_qid": named.qid, "at": "2021-10-13T12:00:00", "note": "lunch"}),
        content_type="application/json",
    )
    assert declared.status_code == 201 and declared.json()["degree"] == 1
    notified = client.post(
        f"{API}/cases/{traced.code}/notify",
        json.dumps({"contact_ids": [c["id"] for c in contacts]}),
        content_type="application/json",
    )
    assert notified.json() == {"notified": 1}
    outcome = client.post(
        f"{API}/cases/{traced.code}/outcome",
        json.dumps({"outcome": "hospitalised", "on": "2021-10-15"}),
        content_type="application/json",
    )
    assert outcome.json()["isolation_place"] == "hospital"
    assert client.get(f"{API}/queue").json()["count"] == 1  # the named contact lives in Bến Thành


def test_api_open_and_refusals(client, tracer, official, people):
    client.force_login(tracer[0])
    body = {"person_qid": people["an"].qid, "reason": "Private clinic", "onset_date": "2021-10-13"}
    created = client.post(f"{API}/cases", json.dumps(body), content_type="application/json")
    assert created.status_code == 201 and created.json()["onset_date"] == "2021-10-13"
    again = client.post(f"{API}/cases", json.dumps(body), content_type="application/json")
    assert again.status_code == 400 and again.json()["error"] == "case_already_open"
    far = {**body, "person_qid": people["binh"].qid, "onset_date": "1900-01-01"}
    assert client.post(f"{API}/cases", json.dumps(far), content_type="application/json").status_code == 400
    chi = {**body, "person_qid": people["chi"].qid}
    assert client.post(f"{API}/cases", json.dumps(chi), content_type="application/json").status_code == 404
    code = created.json()["code"]
    hanoi_user, _a = official("tracer", "hoan_kiem", "tracer-hk")
    client.force_login(hanoi_user)
    assert client.get(f"{API}/cases/{code}").status_code == 404
    assert client.get(f"{API}/cases/F0-\x00").status_code == 404
    worker, _w = official("health_worker", "ben_thanh")
    client.force_login(worker)
    assert client.get(f"{API}/cases/{code}").status_code == 200
    assert client.post(f"{API}/cases/{code}/find").status_code == 403


def test_list_queries_are_bounded(client, traced, tracer, django_assert_max_num_queries):
    client.force_login(tracer[0])
    with django_assert_max_num_queries(15):
        assert client.get(f"{API}/cases/{traced.code}/contacts").status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(f"{API}/cases").status_code == 200
