"""The web pages: a citizen declares (for self, for a household member), officials list, open, follow up,
export. Pages are Vietnamese unless English is chosen; these tests read them in English."""

import csv
import io

import pytest

from pccovid.audit.models import PersonalDataRead
from pccovid.declarations import services
from pccovid.declarations.models import Declaration, FollowUp
from pccovid.declarations.tests.conftest import TODAY


@pytest.fixture(autouse=True)
def english_pages(client):
    client.cookies["django_language"] = "en"


def _form(**fields) -> dict:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in fields.items()}


def _domestic_post(**overrides):
    fields = {
        "stay_unit": "26743",
        "stay_address": "12 Lê Lợi",
        "travel_from": "01",
        "travel_to": "79",
        "transport": "plane",
        "vehicle_number": "VN213",
        "travel_date": TODAY,
    }
    return _form(**{**fields, **overrides})


def test_pages_need_a_signed_in_citizen(client, db):
    for url in ("/declarations/", "/declarations/new/", "/declarations/new/domestic/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url == "/login/"


def test_choose_kind_and_person(citizen_client, family):
    page = citizen_client.get("/declarations/new/").content.decode()
    for member in ("Phạm Thị Lan", "Phạm Văn Minh", "Phạm Văn Hùng"):
        assert member in page
    response = citizen_client.get("/declarations/new/", {"kind": "entry", "person": family["minh"].qid})
    assert response.url == f"/declarations/new/entry/?person={family['minh'].qid}"


def test_domestic_form_for_self_then_confirmation_and_list(citizen_client, family):
    form = citizen_client.get("/declarations/new/domestic/").content.decode()
    assert 'value="26743"' in form and "Phạm Thị Lan" in form  # stay defaults to the residence commune
    response = citizen_client.post("/declarations/new/domestic/", _domestic_post(fever="on"))
    declaration = Declaration.objects.get()
    assert response.status_code == 302 and response.url == f"/declarations/{declaration.pk}/done/"
    assert declaration.fever and declaration.flagged and declaration.vehicle_number == "VN213"
    done = citizen_client.get(response.url).content.decode()
    assert 'data-testid="flagged"' in done
    assert "Phạm Thị Lan" in citizen_client.get("/declarations/").content.decode()


def test_form_errors_are_shown_on_the_field(citizen_client):
    page = citizen_client.post("/declarations/new/domestic/", _domestic_post(vehicle_number="XYZ")).content
    assert 'data-field="vehicle_number"' in page.decode() and "Flight number must look like" in page.decode()
    page = citizen_client.post("/declarations/new/domestic/", _domestic_post(travel_date="soon")).content
    assert 'data-field="travel_date"' in page.decode()
    page = citizen_client.post("/declarations/new/domestic/", _domestic_post(stay_address="")).content
    assert 'data-field="stay_address"' in page.decode()
    assert not Declaration.objects.exists()


def test_entry_form_for_a_household_member(citizen_client, family):
    url = f"/declarations/new/entry/?person={family['hung'].qid}"
    assert "Phạm Văn Hùng" in citizen_client.get(url).content.decode()
    fields = _form(
        stay_unit="26740",
        stay_address="Khách sạn Rex",
        passport="C7654321",
        nationality="VN",
        flight_number="VN 51",
        arrival_date=TODAY,
        countries_visited="us, jp",
        vaccine_product="astrazeneca",
        vaccine_doses=2,
        vaccine_last_date="2021-07-01",
    )
    response = citizen_client.post(url, fields)
    assert response.status_code == 302, response.content.decode()
    declaration = Declaration.objects.get()
    assert declaration.person == family["hung"] and declaration.declared_by == family["lan"]
    assert declaration.countries_visited == ["US", "JP"] and declaration.flight_number == "VN51"
    page = citizen_client.post(url, {**fields, "countries_visited": "US, QQ"}).content.decode()
    assert 'data-field="countries_visited"' in page and "QQ is not" in page


def test_declaring_for_a_non_member_is_refused(citizen_client, people):
    response = citizen_client.get(f"/declarations/new/domestic/?person={people['binh'].qid}")
    assert response.status_code == 302 and response.url == "/declarations/new/"
    response = citizen_client.post(
        f"/declarations/new/domestic/?person={people['binh'].qid}", _domestic_post(), follow=True
    )
    assert "members of your household" in response.content.decode()
    assert not Declaration.objects.exists()


def test_unknown_kind_and_someone_elses_confirmation_are_404(citizen_client, people):
    assert citizen_client.get("/declarations/new/exit/").status_code == 404
    other = services.declaration_submit(
        declared_by=people["binh"], person=people["binh"], data={"kind": "domestic", "stay_address": "x"}
    )
    assert citizen_client.get(f"/declarations/{other.pk}/done/").status_code == 404


@pytest.fixture
def chi_flagged(people):
    return services.declaration_submit(
        declared_by=people["chi"],
        person=people["chi"],
        data={"kind": "domestic", "stay_unit": "26740", "stay_address": "5 Hàm Nghi", "cough": True},
    )


@pytest.fixture
def console(client, official):
    def _login(role: str = "commune_official", unit_key: str = "sai_gon"):
        user, _assignment = official(role, unit_key)
        client.force_login(user)
        return client

    return _login


def test_console_list_and_htmx_partial(console, chi_flagged):
    client = console()
    page = client.get("/declarations/console/").content.decode()
    assert "Lê Minh Chi" in page and "<html" in page
    partial = client.get(
        "/declarations/console/", {"flagged": "true"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in partial and "Lê Minh Chi" in partial
    partial = client.get(
        "/declarations/console/", {"flagged": "false"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Lê Minh Chi" not in partial
    error = client.get("/declarations/console/", {"unit": "nope"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'role="alert"' in error
    assert PersonalDataRead.objects.count() == 2


def test_console_out_of_reach_is_missing_and_404(console, chi_flagged):
    client = console("commune_official", "ben_thanh")
    assert "Lê Minh Chi" not in client.get("/declarations/console/").content.decode()
    assert client.get(f"/declarations/console/{chi_flagged.pk}/").status_code == 404
    assert not PersonalDataRead.objects.exists()


def test_console_detail_and_follow_up(console, chi_flagged):
    client = console()
    page = client.get(f"/declarations/console/{chi_flagged.pk}/", {"purpose": "testing"}).content.decode()
    assert "Cough" in page and "Mark as followed up" in page
    assert PersonalDataRead.objects.get().purpose == "testing"
    response = client.post(f"/declarations/console/{chi_flagged.pk}/follow-up/", {"note": "Called."})
    assert response.status_code == 302
    assert Declaration.objects.get().follow_up == FollowUp.DONE
    assert "Called." in client.get(response.url).content.decode()


def test_follow_up_refused_for_a_tracer(console, chi_flagged):
    client = console("tracer", "sai_gon")
    page = client.get(f"/declarations/console/{chi_flagged.pk}/").content.decode()
    assert "Mark as followed up" not in page
    response = client.post(f"/declarations/console/{chi_flagged.pk}/follow-up/", {"note": "x"}, follow=True)
    assert "Only the commune or province health officials" in response.content.decode()
    assert Declaration.objects.get().follow_up == FollowUp.OPEN


def test_console_csv_export(console, chi_flagged):
    response = console().get("/declarations/console/export.csv", {"flagged": "true"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["full_name"] for row in rows] == ["Lê Minh Chi"]
    assert PersonalDataRead.objects.count() == 1


def test_console_needs_an_official(client, db):
    response = client.get("/declarations/console/")
    assert response.status_code == 302 and response.url.startswith("/console/login/")
