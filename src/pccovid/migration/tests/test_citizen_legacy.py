"""The citizen's "From the old apps" page and API: each linked record marked with its source and date, a
dose that counts or was kept apart with its reason; the health-insurance card in the profile, and its QR
resolving to the person."""

import datetime as dt

import pytest

from pccovid.accounts.models import User
from pccovid.audit.models import PersonalDataRead
from pccovid.core import clock
from pccovid.declarations.models import Declaration
from pccovid.exchange import fhir
from pccovid.exchange import selectors as exchange_selectors
from pccovid.migration import corrections, merge
from pccovid.migration.models import RecordLink, StagedRecord
from pccovid.migration.tests.conftest import stage
from pccovid.testing import services as testing_services
from pccovid.vaccination import services as vaccination_services
from pccovid.vaccination.models import Dose

NOW = dt.datetime(2021, 12, 20, 3, 0, tzinfo=dt.UTC)  # 10:00 in Ho Chi Minh City
HI_CARD = "HS4790123456789"
NCOVI = {"declaration_type": "domestic", "declared_at": "2021-08-12T09:30:00+07:00", "symptoms": "ho",
         "exposure": "không", "entry_gate": "", "flight": ""}  # fmt: skip
PORTAL_DOSE = {"id_type": "CCCD", "dose_number": "1", "vaccine": "AstraZeneca", "lot": "",
               "vaccinated_on": "2021-07-20", "site": "Trạm Y tế phường Bến Thành"}  # fmt: skip
WARD_DOSE = {"Phường/Xã": "Bến Thành", "Mũi": "1", "Loại vắc xin": "Pfizer", "Ngày tiêm": "2021-07-25"}
WARD_TEST = {"Phường/Xã": "Bến Thành", "Ngày lấy mẫu": "2021-09-01", "Loại xét nghiệm": "PCR",
             "Kết quả": "Âm tính"}  # fmt: skip
INSURANCE = {"card_number": HI_CARD, "social_insurance_number": "0123456789", "facility": "Trạm Y tế",
             "valid_from": "2021-01-01", "valid_to": "2021-12-31"}  # fmt: skip


@pytest.fixture(name="frozen_now", autouse=True)
def fixture_frozen_now():
    with clock.frozen(NOW):
        yield NOW


@pytest.fixture(name="products")
def fixture_products(db):
    vaccination_services.products_install()


def link_merged(person, *records: StagedRecord) -> list[RecordLink]:
    """Link the records to the person (as the deterministic linkage would) and merge them."""
    links = [
        RecordLink.objects.create(staged_record=r, person=person, method="cccd", created_at=clock.now())
        for r in records
    ]
    merge.links_merge(person_ids=[person.pk])
    return links


@pytest.fixture(name="an_legacy")
def fixture_an_legacy(people, products) -> dict[str, RecordLink]:
    """An's five legacy records, linked and merged: a declaration, a portal dose (counts), a ward-list dose 1
    that contradicts it (kept apart), a test and a health-insurance card."""
    cccd = {"cccd": "079090001234"}
    records = {
        "ncovi": stage("N1", "ncovi", NCOVI, **cccd),
        "dose": stage("V1", "vaccination", PORTAL_DOSE, **cccd),
        "ward_dose": stage("W1", "ward_vaccinations", WARD_DOSE, **cccd),
        "test": stage("T1", "ward_tests", WARD_TEST, **cccd),
        "insurance": stage("S1", "social_insurance", INSURANCE, health_insurance=HI_CARD, **cccd),
    }
    links = link_merged(people["an"], *records.values())
    return dict(zip(records, links, strict=True))


def citizen_account(person) -> User:
    phone = f"+84{person.pk:09d}"
    user = User.objects.create(username=phone, phone=phone, person=person)
    user.set_unusable_password()
    user.save()
    return user


@pytest.fixture(name="an_client")
def fixture_an_client(client, people):
    client.force_login(citizen_account(people["an"]))
    client.cookies["django_language"] = "en"
    return client


def test_records_are_listed_newest_first_with_source_and_date(an_legacy, people):
    items = corrections.legacy_items_of(person=people["an"])
    assert [(i.source, i.kind, i.recorded_on) for i in items] == [
        ("ward_tests", "test", dt.date(2021, 9, 1)),
        ("ncovi", "declaration", dt.date(2021, 8, 12)),
        ("ward_vaccinations", "dose", dt.date(2021, 7, 25)),
        ("vaccination", "dose", dt.date(2021, 7, 20)),
        ("social_insurance", "health_insurance", dt.date(2021, 1, 1)),
    ]
    by_source = {i.source: i for i in items}
    assert by_source["vaccination"].dose_status == "counts"
    assert by_source["ward_vaccinations"].dose_status == "kept_apart"
    assert by_source["ward_vaccinations"].dose_note == "Dose 1 is already recorded (given on 20/07/2021)."
    assert ("Symptoms", "ho") in by_source["ncovi"].facts and ("Result", "Âm tính") in by_source[
        "ward_tests"
    ].facts


def test_the_page_marks_each_record_with_its_source_and_is_not_audited(an_client, an_legacy):
    response = an_client.get("/me/legacy/")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('data-testid="legacy-record"') == 5
    assert "from NCOVI, 12/08/2021" in page and "Domestic health declaration" in page
    assert "from the ward&#x27;s test list, 01/09/2021" in page
    assert 'data-status="counts"' in page and 'data-status="kept_apart"' in page
    assert "Dose 1 is already recorded (given on 20/07/2021)." in page and HI_CARD in page
    assert not PersonalDataRead.objects.exists()


def test_home_and_vaccination_pages_link_to_it(an_client, an_legacy):
    for url in ("/me/", "/vaccination/"):
        page = an_client.get(url).content.decode()
        assert 'href="/me/legacy/"' in page, url
    assert 'hx-get="/me/legacy/dose-missing/"' in an_client.get("/vaccination/").content.decode()


def test_an_unlinked_account_or_anonymous_is_sent_away(client, people):
    assert client.get("/me/legacy/").status_code == 302
    user = User.objects.create(username="+84900000001", phone="+84900000001")
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    response = client.get("/me/legacy/")
    assert response.status_code == 302 and response.url == "/me/link/"


def test_api_lists_the_citizens_records(an_client, an_legacy):
    response = an_client.get("/api/v1/legacy/mine")
    assert response.status_code == 200
    rows = response.json()
    assert [r["source"] for r in rows][:2] == ["ward_tests", "ncovi"]
    ncovi = rows[1]
    assert ncovi["source_name"] == "NCOVI" and ncovi["recorded_on"] == "2021-08-12"
    assert ncovi["kind"] == "declaration" and "Symptoms: ho" in ncovi["summary"]
    assert ncovi["link_id"] == an_legacy["ncovi"].pk and ncovi["open_request"] is False


def test_api_without_a_linked_person_is_not_found(client, tree, official):
    user, _assignment = official("data_engineer", "hcmc")
    client.force_login(user)
    response = client.get("/api/v1/legacy/mine")
    assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_the_health_insurance_card_shows_in_the_profile(an_client, an_legacy):
    page = an_client.get("/me/").content.decode()
    assert f'data-kind="health_insurance">{HI_CARD}<' in page


def test_the_officials_person_view_shows_the_card(client, official, people, an_legacy):
    user, _assignment = official("commune_official", "ben_thanh")
    client.force_login(user)
    page = client.get(f"/console/persons/{people['an'].qid}/").content.decode()
    assert HI_CARD in page


def hi_qr(card: str = HI_CARD) -> str:
    name = "Nguyễn Văn An".encode().hex()
    return f"{card}|{name}|17/05/1990|1|-|79 - 001|01/01/2021|-|15/12/2020|79HS|-|4|$"


def test_a_scanned_health_insurance_card_resolves_to_the_person(an_legacy, people):
    qid = people["an"].qid
    assert vaccination_services.person_qid_presented(text=hi_qr()) == qid
    assert testing_services.result_person_qid(scanned_text=hi_qr()) == qid


def test_a_renewed_card_finds_the_person_by_the_social_insurance_number(an_legacy, people):
    # The merge of An's card kept its social insurance number; a card of another group still names An.
    held = dict(people["an"].identifiers.values_list("kind", "value"))
    assert held["health_insurance"] == HI_CARD and held["social_insurance"] == HI_CARD[-10:]
    renewed = "GD4790123456789"
    assert vaccination_services.person_qid_presented(text=hi_qr(renewed)) == people["an"].qid


def test_an_unknown_health_insurance_card_matches_nobody(an_legacy):
    from pccovid.vaccination.errors import VaccinationError

    with pytest.raises(VaccinationError, match="No person"):
        vaccination_services.person_qid_presented(text=hi_qr("DN4790000000000"))


def test_a_health_worker_records_a_dose_from_the_insurance_card_scan(client, official, people, an_legacy):
    from pccovid.vaccination.tests.conftest import PFIZER

    _user, commune = official("commune_official", "ben_thanh", username="site-maker")
    vaccination_services.site_create(assignment=commune, code="BT-01", name="Trạm Y tế", unit_code="26743")
    worker, assignment = official("health_worker", "ben_thanh")
    vaccination_services.lot_create(
        assignment=assignment, product_code=PFIZER, number="FF2587", expiry_date=dt.date(2022, 3, 31)
    )
    client.force_login(worker)
    form = {"product_code": "EU/1/21/1529", "lot_number": "FF2587", "dose_number": "2",
            "given_on": "2021-12-01", "site_code": "BT-01", "text": hi_qr()}  # fmt: skip
    response = client.post("/vaccination/doses/new/", form)
    # The lot is Pfizer's, not AstraZeneca's: the rule is on the lot, the person was found by the card.
    assert response.status_code == 400 and 'data-testid="person-error"' not in response.content.decode()
    response = client.post("/vaccination/doses/new/", {**form, "product_code": PFIZER})
    assert response.status_code == 200, response.content.decode()
    assert Dose.objects.get(dose_number=2).person == people["an"]


def test_the_test_result_and_the_declaration_are_shown_once_by_their_own_pages(an_client, an_legacy):
    tests_page = an_client.get("/testing/").content.decode()
    assert tests_page.count('data-source="ward_tests"') == 1
    assert tests_page.count("from the ward&#x27;s test list, 01/09/2021") == 1
    declarations_page = an_client.get("/declarations/").content.decode()
    assert declarations_page.count('data-source="ncovi"') == 1
    assert declarations_page.count("from NCOVI, 12/08/2021") == 1
    legacy_page = an_client.get("/me/legacy/").content.decode()
    # The old apps' page points to them (and keeps "not mine"), without repeating what they say.
    assert 'data-shown-in="testing"' in legacy_page and 'data-shown-in="declarations"' in legacy_page
    assert 'href="/testing/"' in legacy_page and 'href="/declarations/"' in legacy_page
    assert "Âm tính" not in legacy_page and "<dt>Symptoms</dt>" not in legacy_page
    assert legacy_page.count("This is not mine") == 5


def test_the_vaccination_page_marks_the_old_apps_dose_with_its_source(an_client, an_legacy):
    page = an_client.get("/vaccination/").content.decode()
    # The portal's dose counts and is marked; the ward list's contradicting dose 1 is not a dose.
    assert page.count('data-source="vaccination"') == 1 and 'data-source="ward_vaccinations"' not in page
    assert page.count("from the electronic health book, 20/07/2021") == 1


def test_the_old_apps_dose_and_test_export_as_valid_fhir_without_a_site(an_legacy, people):
    # The portal's dose has no lot and neither it nor the ward's test has a site the platform knows.
    bundle = fhir.bundle_build(exchange_selectors.person_records(person=people["an"]))
    immunization, observation = (entry["resource"] for entry in bundle["entry"][1:])
    assert "performer" not in immunization and "lotNumber" not in immunization
    assert "performer" not in observation and observation["identifier"][0]["system"].endswith("/result")
    parsed = fhir.bundle_parse(bundle)[0]
    assert (parsed.immunizations[0].site_code, parsed.lab_results[0].site_code) == ("", "")


def test_the_legacy_declaration_page_says_where_it_comes_from(an_client, an_legacy):
    declaration = Declaration.objects.get()
    page = an_client.get(f"/declarations/{declaration.pk}/done/").content.decode()
    assert "from NCOVI, 12/08/2021" in page and "Cough" in page
    assert "Declaration sent" not in page and "Thank you" not in page


def test_the_marks_are_in_vietnamese_by_default(client, people, an_legacy):
    client.force_login(citizen_account(people["an"]))
    assert "Nguồn: NCOVI, ngày 12/08/2021" in client.get("/declarations/").content.decode()
    assert (
        "Nguồn: danh sách xét nghiệm của xã/phường, ngày 01/09/2021"
        in client.get("/testing/").content.decode()
    )
    assert "Đã có trong kết quả xét nghiệm của bạn" in client.get("/me/legacy/").content.decode()
    assert "Nguồn: Sổ sức khỏe điện tử, ngày 20/07/2021" in client.get("/vaccination/").content.decode()


def test_api_says_where_each_record_is_shown(an_client, an_legacy):
    shown = {row["source"]: row["shown_in"] for row in an_client.get("/api/v1/legacy/mine").json()}
    assert shown == {"ward_tests": "testing", "ncovi": "declarations", "ward_vaccinations": "",
                     "vaccination": "", "social_insurance": ""}  # fmt: skip
