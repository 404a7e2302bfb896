"""The dashboard, quality and export pages: who may open them, the panels on the page, HTMX, bad input,
and a bounded number of queries however many rows."""

import json

import pytest
from fhir.resources.R4B.bundle import Bundle

from pccovid.accounts.models import User

DASHBOARD, QUALITY = "/operations/", "/operations/quality/"
EXPORTS = ["/operations/export/fhir/", "/operations/export/csv/"]


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.parametrize("url", [DASHBOARD, QUALITY, *EXPORTS])
def test_anonymous_goes_to_the_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/console/login/" in response["Location"]


@pytest.mark.parametrize("url", [DASHBOARD, QUALITY, *EXPORTS])
def test_no_role_is_refused_and_a_role_without_the_module_sees_nothing(client, officials, db, url):
    client.force_login(User.objects.create_user(username="nobody", password="pw-123456"))
    assert client.get(url).status_code == 403
    client.force_login(officials["tracer"][0])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", [DASHBOARD, QUALITY, *EXPORTS])
def test_inside_is_shown_outside_is_not_found(client, city, officials, url):
    client.force_login(officials["province"][0])
    assert client.get(url, {"unit": "26743"}).status_code == 200
    assert client.get(url, {"unit": "00070"}).status_code == 404
    assert client.get(url, {"unit": "not a code"}).status_code == 404


@pytest.mark.parametrize("url", EXPORTS)
def test_a_commune_official_looks_but_cannot_export(client, city, officials, url):
    client.force_login(officials["ben_thanh"][0])
    assert client.get(DASHBOARD).status_code == 200
    response = client.get(url)
    assert response.status_code == 403 and "not export" in response.content.decode()


def test_the_dashboard_shows_every_panel(client, city, legacy_quality, levels, officials):
    client.force_login(officials["province"][0])
    page = client.get(DASHBOARD).content.decode()
    for panel in ("coverage", "tests", "cases", "quarantine", "levels", "quality"):
        assert f'data-testid="panel-{panel}"' in page
    assert "From 07/12/2021 to 20/12/2021 (14 days)." in page
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and 'id="tests-chart-title"' in page
    assert '<tr data-day="2021-12-18"><td>18/12/2021</td><td>3</td><td>1</td><td>33.3%</td></tr>' in page
    assert 'data-facility="KCL01"' in page and "1 / 2" in page
    assert (
        '<tr data-unit="26743"><td>19/12/2021</td><td>Phường Bến Thành</td><td>2</td><td>3</td></tr>' in page
    )
    assert 'href="/console/legacy/"' in page and 'href="/console/corrections/"' in page
    assert 'href="/operations/export/fhir/?unit=79"' in page
    assert "<script" not in page.split("<main>")[1]  # the charts need no script


def test_htmx_gets_only_the_panels(client, city, officials):
    client.force_login(officials["province"][0])
    response = client.get(DASHBOARD, {"days": "28"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert "From 23/11/2021 to 20/12/2021 (28 days)." in page and 'data-testid="panel-quality"' not in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2021-12-20", "end": "2021-12-01"}, "The end date is before the start date."),
        ({"start": "2020-01-01", "end": "2021-12-20"}, "at most 366 days"),
        ({"start": "20/13/2021"}, "Enter a valid date."),
        ({"days": "7"}, "Select a valid choice."),
    ],
)
def test_bad_ranges_are_400_with_a_reason(client, city, officials, query, message):
    client.force_login(officials["province"][0])
    response = client.get(DASHBOARD, query)
    assert response.status_code == 400 and message in response.content.decode()
    htmx = client.get(DASHBOARD, query, headers={"HX-Request": "true"})
    assert htmx.status_code == 400 and message in htmx.content.decode()


def test_the_quality_page(client, legacy_quality, officials):
    client.force_login(officials["engineer"][0])
    page = client.get(QUALITY).content.decode()
    assert 'data-testid="panel-quality"' in page and 'data-site="BT-01"' in page
    assert '<tr data-source="ncovi"><td>NCOVI</td><td>3</td><td>15</td><td>3</td>' in page


def test_the_export_page_streams_an_attachment(client, city, officials):
    client.force_login(officials["engineer"][0])
    response = client.get(EXPORTS[0], {"unit": "26743"})
    assert response.streaming and response["Content-Type"] == "application/fhir+json"
    assert response["Content-Disposition"] == 'attachment; filename="pccovid-26743-20211220.json"'
    Bundle.model_validate(json.loads(_body(response)))
    unknown = client.get("/operations/export/xml/")
    assert unknown.status_code == 400


def test_the_dashboard_runs_a_bounded_number_of_queries(
    client, city, legacy_quality, levels, officials, django_assert_max_num_queries
):
    client.force_login(officials["province"][0])
    with django_assert_max_num_queries(30):
        assert client.get(DASHBOARD, {"days": "28"}).status_code == 200
