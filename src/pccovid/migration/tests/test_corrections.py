"""Correction requests: "this is not mine" decided by a data engineer of the person's province (accepting
undoes the link: the record and its dose go), "a dose is missing" decided by the named vaccination site
(accepting records the dose under every vaccination rule), the outcome shown to the citizen; refusals,
jurisdiction and the audit of officials' reads."""

import datetime as dt

import pytest

from pccovid.audit.models import PersonalDataRead
from pccovid.core.errors import NotFound
from pccovid.migration import corrections
from pccovid.migration.corrections import CorrectionConflict, CorrectionError
from pccovid.migration.models import CorrectionRequest, RecordLink
from pccovid.migration.tests.test_citizen_legacy import (  # noqa: F401 (fixtures)
    citizen_account,
    fixture_an_client,
    fixture_an_legacy,
    fixture_frozen_now,
    fixture_products,
)
from pccovid.vaccination import services as vaccination_services
from pccovid.vaccination.models import Dose

ASTRAZENECA = "EU/1/21/1529"


@pytest.fixture
def engineer(official):
    """A data engineer of Ho Chi Minh City (An lives there)."""
    return official("data_engineer", "hcmc")


@pytest.fixture
def site_worker(official, products):
    """A health worker of Bến Thành, its site BT-01 and an AstraZeneca lot."""
    _user, commune = official("commune_official", "ben_thanh", username="site-maker")
    vaccination_services.site_create(assignment=commune, code="BT-01", name="Trạm Y tế BT", unit_code="26743")
    user, assignment = official("health_worker", "ben_thanh")
    vaccination_services.lot_create(
        assignment=assignment, product_code=ASTRAZENECA, number="ABV5811", expiry_date=dt.date(2022, 1, 31)
    )
    return user, assignment


def citizen_account_of(an_legacy):
    """An's account, made by `an_client`."""
    return next(iter(an_legacy.values())).person.account


def ask_dose_2(user, **overrides) -> CorrectionRequest:
    data = {"dose_number": 2, "given_on": dt.date(2021, 9, 1), "product_code": ASTRAZENECA,
            "site_code": "BT-01", "message": "Tiêm ở trạm y tế"}  # fmt: skip
    return corrections.request_dose_missing(user=user, **{**data, **overrides})


def test_not_mine_accepted_removes_the_record_and_its_dose(an_client, an_legacy, engineer, client):
    link = an_legacy["dose"]
    assert Dose.objects.filter(source="legacy:vaccination").exists()
    response = an_client.post(f"/me/legacy/{link.pk}/not-mine/", {"message": "Tôi chưa tiêm ở đây"})
    assert response.status_code == 302
    page = an_client.get("/me/legacy/").content.decode()
    assert 'data-testid="not-mine-waiting"' in page and 'data-status="open"' in page

    client.logout()
    client.force_login(engineer[0])
    queue = client.get("/console/corrections/").content.decode()
    assert "Nguyễn Văn An" in queue and "Tôi chưa tiêm ở đây" in queue
    request = CorrectionRequest.objects.get()
    assert (
        client.post(f"/console/corrections/{request.pk}/resolve/", {"decision": "accept"}).status_code == 302
    )

    link.refresh_from_db()
    assert (
        link.status == RecordLink.Status.UNDONE and f"correction request {request.pk}" in link.decision_note
    )
    assert not Dose.objects.filter(source="legacy:vaccination").exists()
    client.logout()
    client.force_login(citizen_account_of(an_legacy))
    client.cookies["django_language"] = "en"
    page = client.get("/me/legacy/").content.decode()
    assert f'data-link="{link.pk}"' not in page and page.count('data-testid="legacy-record"') == 4
    assert 'data-status="accepted"' in page and "The record was removed from your profile." in page


def test_not_mine_rejected_keeps_the_record_and_shows_why(an_legacy, engineer, people):
    user = citizen_account(people["an"])
    request = corrections.request_not_mine(user=user, link_id=an_legacy["ncovi"].pk, message="")
    corrections.request_resolve(
        assignment=engineer[1],
        request_id=request.pk,
        accept=False,
        outcome="Số CCCD trên tờ khai là của bạn.",
    )
    request.refresh_from_db()
    assert (request.status, corrections.outcome_of(request)) == (
        "rejected",
        "Số CCCD trên tờ khai là của bạn.",
    )
    assert RecordLink.objects.get(pk=an_legacy["ncovi"].pk).status == RecordLink.Status.LINKED
    with pytest.raises(CorrectionConflict):
        corrections.request_resolve(assignment=engineer[1], request_id=request.pk, accept=True)


def test_reject_needs_an_outcome(an_legacy, engineer, people):
    request = corrections.request_not_mine(user=citizen_account(people["an"]), link_id=an_legacy["test"].pk)
    with pytest.raises(CorrectionError, match="Outcome"):
        corrections.request_resolve(assignment=engineer[1], request_id=request.pk, accept=False, outcome=" ")


def test_another_persons_record_is_not_found_and_a_duplicate_is_refused(an_legacy, people):
    with pytest.raises(NotFound):
        corrections.request_not_mine(user=citizen_account(people["binh"]), link_id=an_legacy["ncovi"].pk)
    an = citizen_account(people["an"])
    corrections.request_not_mine(user=an, link_id=an_legacy["ncovi"].pk)
    with pytest.raises(CorrectionConflict):
        corrections.request_not_mine(user=an, link_id=an_legacy["ncovi"].pk)


def test_jurisdiction_of_the_data_engineers(an_legacy, people, official, engineer):
    request = corrections.request_not_mine(user=citizen_account(people["an"]), link_id=an_legacy["ncovi"].pk)
    _user, hanoi = official("data_engineer", "hanoi")
    _user, tracer = official("tracer", "hcmc")
    for outsider in (hanoi, tracer):
        assert corrections.corrections_open(assignment=outsider) == []
        with pytest.raises(NotFound):
            corrections.request_resolve(assignment=outsider, request_id=request.pk, accept=True)
    assert not PersonalDataRead.objects.exists()
    assert corrections.corrections_open(assignment=engineer[1]) == [request]
    read = PersonalDataRead.objects.get()
    assert (read.person, read.purpose, read.actor) == (people["an"], "citizen_support", engineer[0])


def test_dose_missing_accepted_records_the_dose(an_client, an_legacy, site_worker, client):
    page = an_client.get("/me/legacy/dose-missing/", headers={"HX-Request": "true"}).content.decode()
    assert page.startswith("<form") and "BT-01" in page
    form = {"dose_number": "2", "given_on": "2021-09-01", "product_code": ASTRAZENECA, "site_code": "BT-01",
            "message": ""}  # fmt: skip
    assert an_client.post("/me/legacy/dose-missing/", form).status_code == 302
    request = CorrectionRequest.objects.get(kind="dose_missing")

    client.logout()
    client.force_login(site_worker[0])
    assert "Nguyễn Văn An" in client.get("/console/corrections/").content.decode()
    url = f"/console/corrections/{request.pk}/resolve/"
    client.post(url, {"decision": "accept", "lot_number": "NOPE"})
    request.refresh_from_db()
    assert request.status == "open" and not Dose.objects.filter(dose_number=2).exists()
    client.post(url, {"decision": "accept", "lot_number": "ABV5811"})
    dose = Dose.objects.get(dose_number=2)
    assert (dose.person.full_name, dose.given_on, dose.site.code, dose.source) == (
        "Nguyễn Văn An", dt.date(2021, 9, 1), "BT-01", "recorded",
    )  # fmt: skip

    client.logout()
    client.force_login(citizen_account_of(an_legacy))
    client.cookies["django_language"] = "en"
    page = client.get("/me/legacy/").content.decode()
    assert (
        'data-status="accepted"' in page and "Dose 2 of 01/09/2021 was recorded in your vaccinations." in page
    )


def test_dose_missing_refusals(an_legacy, site_worker, people):
    an = citizen_account(people["an"])
    with pytest.raises(CorrectionError, match="between 1 and 9"):
        ask_dose_2(an, dose_number=10)
    with pytest.raises(CorrectionError, match="future"):
        ask_dose_2(an, given_on=dt.date(2021, 12, 21))
    with pytest.raises(CorrectionError, match="already recorded"):
        ask_dose_2(an, dose_number=1)
    with pytest.raises(CorrectionError, match="Site"):
        ask_dose_2(an, site_code="XX-99")
    ask_dose_2(an)
    with pytest.raises(CorrectionConflict):
        ask_dose_2(an, given_on=dt.date(2021, 9, 2))


def test_only_the_owning_sites_staff_decide_a_dose_request(
    an_legacy, site_worker, people, official, engineer
):
    request = ask_dose_2(citizen_account(people["an"]))
    _user, other_ward = official("health_worker", "sai_gon")
    for outsider in (other_ward, engineer[1]):
        assert corrections.corrections_open(assignment=outsider) == []
        with pytest.raises(NotFound):
            corrections.request_resolve(assignment=outsider, request_id=request.pk, accept=False, outcome="x")
    corrections.request_resolve(
        assignment=site_worker[1], request_id=request.pk, accept=False, outcome="Không có"
    )
    request.refresh_from_db()
    assert (request.status, request.outcome, request.resolved_by) == ("rejected", "Không có", site_worker[0])


def test_api_round_trip(an_client, an_legacy, engineer, client, people):
    link = an_legacy["ward_dose"]
    response = an_client.post(
        "/api/v1/legacy/corrections",
        {"kind": "not_mine", "link_id": link.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["kind"], created["status"], created["link_id"]) == ("not_mine", "open", link.pk)
    again = an_client.post(
        "/api/v1/legacy/corrections",
        {"kind": "not_mine", "link_id": link.pk},
        content_type="application/json",
    )
    assert again.status_code == 409 and again.json()["error"] == "correction_conflict"
    assert an_client.get("/api/v1/legacy/corrections").status_code == 403

    client.logout()
    client.force_login(engineer[0])
    queue = client.get("/api/v1/legacy/corrections").json()
    assert [(row["id"], row["person_name"]) for row in queue] == [(created["id"], "Nguyễn Văn An")]
    url = f"/api/v1/legacy/corrections/{created['id']}/resolve"
    refused = client.post(url, {"decision": "reject"}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["field"] == "outcome"
    done = client.post(
        url, {"decision": "reject", "outcome": "Đúng là của bạn"}, content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["status"] == "rejected"

    client.logout()
    client.force_login(citizen_account_of(an_legacy))
    mine = client.get("/api/v1/legacy/corrections/mine").json()
    assert [(row["status"], row["outcome"]) for row in mine] == [("rejected", "Đúng là của bạn")]


def test_api_refusals(an_client, an_legacy, people):
    post = an_client.post
    other = post("/api/v1/legacy/corrections", {"kind": "not_mine", "link_id": 999999},
                 content_type="application/json")  # fmt: skip
    assert other.status_code == 404
    missing = post("/api/v1/legacy/corrections", {"kind": "not_mine"}, content_type="application/json")
    assert missing.status_code == 400 and missing.json()["field"] == "link_id"
    dose = {"kind": "dose_missing", "dose_number": 10, "given_on": "2021-09-01", "product_code": ASTRAZENECA,
            "site_code": "BT-01"}  # fmt: skip
    assert post("/api/v1/legacy/corrections", dose, content_type="application/json").status_code == 422
    bad = post("/api/v1/legacy/corrections", {**dose, "dose_number": 2, "message": "a\x00b"},
               content_type="application/json")  # fmt: skip
    assert bad.status_code == 422


def test_lists_take_a_bounded_number_of_queries(
    an_client, an_legacy, engineer, client, django_assert_max_num_queries
):
    for key in ("ncovi", "test", "ward_dose"):
        an_client.post(f"/me/legacy/{an_legacy[key].pk}/not-mine/", {"message": ""})
    with django_assert_max_num_queries(8):
        assert len(an_client.get("/api/v1/legacy/mine").json()) == 5
    client.logout()
    client.force_login(engineer[0])
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/legacy/corrections").json()) == 3
