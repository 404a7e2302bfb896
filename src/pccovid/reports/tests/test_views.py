"""Pages, downloads and the API: jurisdiction on each, contents of CSV, Excel and PDF, bad input."""

import csv
import io

import pytest
from openpyxl import load_workbook

from pccovid.reports import rules, services

from .conftest import TODAY

Q = "?unit=26743&date=2021-12-22"
PAGES = [
    "/reports/",
    "/reports/daily/" + Q,
    "/reports/weekly/" + Q,
    "/reports/daily/export.csv" + Q,
    "/reports/daily/export.xlsx" + Q,
    "/reports/weekly/export.pdf" + Q,
]
API = [
    "/api/v1/reports/daily" + Q,
    "/api/v1/reports/daily/entries" + Q,
    "/api/v1/reports/daily/submissions" + Q,
]


def _login(client, assignment):
    client.force_login(assignment.user)


@pytest.mark.parametrize("url", PAGES + API)
def test_jurisdiction(epidemic, officials, official, client, url):
    assert client.get(url).status_code in (302, 401)  # anonymous: sign in
    _login(client, officials["bt"])
    assert client.get(url).status_code == 200  # inside: the unit's own official
    _login(client, officials["hcmc"])
    assert client.get(url).status_code == 200  # the province reads its communes
    checkpoint, _a = official("checkpoint_officer", "ben_thanh")  # a role that reads no reports
    client.force_login(checkpoint)
    assert client.get(url).status_code == 404
    _login(client, officials["hk"])
    expected = 200 if url == "/reports/" else 404  # Hanoi: its own index, never a HCMC ward
    assert client.get(url).status_code == expected


def test_no_role(db, client, django_user_model):
    client.force_login(django_user_model.objects.create_user(username="nobody", password="pw-123456"))
    assert client.get("/reports/daily/" + Q).status_code == 403
    assert client.get("/api/v1/reports/daily" + Q).status_code == 403


def test_the_province_sees_but_does_not_submit_a_communes_report(epidemic, officials, client):
    _login(client, officials["hcmc"])
    page = client.get("/reports/daily/" + Q).content.decode()
    assert 'data-testid="no-submit"' in page and 'data-testid="submit"' not in page
    assert client.post("/reports/daily/submit/" + Q).status_code == 403
    assert client.post("/reports/daily/entries/" + Q, {"beds_total": 4}).status_code == 403
    response = client.post(
        "/api/v1/reports/daily/submissions", {"unit": "26743"}, content_type="application/json"
    )
    assert response.status_code == 403
    response = client.put("/api/v1/reports/daily/entries", {"unit": "26743", "values": {"beds_total": 1}},
                          content_type="application/json")  # fmt: skip
    assert response.status_code == 403


def test_the_commune_enters_with_htmx_and_submits(epidemic, officials, client):
    _login(client, officials["bt"])
    values = {f.key: 2 for f in rules.DAILY.entered_fields}
    response = client.post("/reports/daily/entries/" + Q, values, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'data-testid="saved"' in response.content.decode()
    assert "<html" not in response.content.decode()  # the partial only
    response = client.post("/reports/daily/submit/" + Q)
    assert response.status_code == 302
    page = client.get("/reports/daily/" + Q).content.decode()
    assert 'data-testid="locked"' in page and 'data-version="1"' in page
    response = client.post("/reports/daily/submit/" + Q, {**values, "beds_total": 9, "reason": "Recount"})
    page = client.get("/reports/daily/" + Q).content.decode()
    assert 'data-version="2"' in page and "Recount" in page


def test_page_shows_figures_and_breakdown(epidemic, officials, client):
    _login(client, officials["hcmc"])
    page = client.get("/reports/daily/?date=2021-12-22").content.decode()
    assert 'data-testid="breakdown"' in page and 'data-unit="26740"' in page and 'data-unit="26743"' in page
    assert "New cases: in the community" in page and 'data-testid="level-changes"' in page


@pytest.mark.parametrize(
    "url",
    ["/reports/daily/?date=2021-13-01", "/reports/daily/?date=yesterday", "/reports/daily/?date=2031-01-01"],
)
def test_bad_dates_are_400(epidemic, officials, client, url):
    _login(client, officials["bt"])
    assert client.get(url).status_code == 400


def test_unknown_form_or_format_is_404(epidemic, officials, client):
    _login(client, officials["bt"])
    assert client.get("/reports/monthly/").status_code == 404
    assert client.get("/reports/daily/export.doc").status_code == 404
    assert client.get("/api/v1/reports/monthly").status_code == 404
    assert client.get("/api/v1/reports/daily?date=2021-13-01").status_code == 422


def test_csv(epidemic, officials, client):
    _login(client, officials["hcmc"])
    response = client.get("/reports/daily/export.csv?date=2021-12-22")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Form", "Daily COVID-19 report"]
    assert ["Unit", "Thành phố Hồ Chí Minh (79)"] in rows
    header = next(r for r in rows if r[:2] == ["Section", "Field"])
    assert header[3:] == ["79", "26740", "26743"]
    tests = next(r for r in rows if r[1:2] == ["tests_done"])
    assert tests[3:] == ["4", "2", "2"]


def test_excel(epidemic, officials, client):
    _login(client, officials["hcmc"])
    response = client.get("/reports/daily/export.xlsx?date=2021-12-22")
    assert response["Content-Disposition"] == 'attachment; filename="daily-79-20211222.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Report"]
    assert sheet["A1"].value == "Form" and sheet["B1"].value == "Daily COVID-19 report"
    assert (
        sheet["B4"].value == "Thành phố Hồ Chí Minh (79)" and sheet["B5"].value == "22/12/2021 - 22/12/2021"
    )
    figures = {row[1]: row[3] for row in sheet.iter_rows(min_row=10, values_only=True) if row[1]}
    assert figures["cases_total"] == 2 and figures["tests_done"] == 4 and figures["deaths"] == 1
    by_unit = book["By unit"]
    keys = [c.value for c in by_unit[2]]
    rows = {row[0]: row for row in by_unit.iter_rows(min_row=3, values_only=True)}
    assert rows["26743"][keys.index("cases_community")] == 1
    assert rows["26740"][keys.index("cases_in_quarantine")] == 1
    assert rows[None][1] == "Total" and rows[None][keys.index("tests_done")] == 4
    assert book["Level changes"]["A2"].value == "26743"


def test_pdf(epidemic, officials, client):
    _login(client, officials["bt"])
    services.report_submit(assignment=officials["bt"], form="daily", unit_code="26743", on=TODAY,
                           values={f.key: 1 for f in rules.DAILY.entered_fields})  # fmt: skip
    response = client.get("/reports/daily/export.pdf" + Q)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    # The Unicode font is embedded (Vietnamese letters render); the title names the form.
    assert b"DejaVuSans" in response.content and b"Daily COVID-19 report" in response.content
    assert response["Content-Disposition"] == 'attachment; filename="daily-26743-20211222.pdf"'


def test_api(epidemic, officials, client):
    _login(client, officials["bt"])
    forms = client.get("/api/v1/reports/forms").json()
    assert [f["key"] for f in forms] == ["daily", "weekly"]
    assert forms[0]["fields"][0]["source"] == "pccovid.reports.sources.new_cases"
    body = client.get("/api/v1/reports/daily?date=2021-12-22").json()
    assert body["unit_code"] == "26743" and body["figures"]["tests_done"] == 2 and body["can_submit"]
    values = {f.key: 5 for f in rules.DAILY.entered_fields}
    saved = client.put("/api/v1/reports/daily/entries", {"date": "2021-12-22", "values": values},
                       content_type="application/json")  # fmt: skip
    assert saved.status_code == 200 and {e["field"] for e in saved.json()} == set(values)
    created = client.post("/api/v1/reports/daily/submissions", {"date": "2021-12-22"},
                          content_type="application/json")  # fmt: skip
    assert created.status_code == 201 and created.json()["version"] == 1
    again = client.put("/api/v1/reports/daily/entries", {"date": "2021-12-22", "values": {"beds_total": 1}},
                       content_type="application/json")  # fmt: skip
    assert again.status_code == 400 and again.json()["error"] == "report_locked"
    bad = client.put(
        "/api/v1/reports/daily/entries", {"values": {"tests_done": 1}}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["field"] == "tests_done"
