"""The data engineers' console, "Legacy data": upload and watch an import, rejects, link now, review."""

import csv
import io
from pathlib import Path

import pytest

from pccovid.accounts import services as account_services
from pccovid.audit.models import PersonalDataRead
from pccovid.demo import services as demo_services
from pccovid.geography.models import AdminUnit, Level
from pccovid.migration import adapters, formats, generator, jobs, linking, probabilistic
from pccovid.migration.models import ImportRun, RecordLink
from pccovid.migration.tests.conftest import COMMUNES, cautious_linkage_rules
from pccovid.testkit import make_unit

HOME = "/console/legacy/"


@pytest.fixture
def extracts(db, tmp_path, settings) -> Path:
    """A demo city of 60 people and their legacy extracts, generated but not imported."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.VAR_DIR = tmp_path / "var"
    hcmc = make_unit("79", "Thành phố Hồ Chí Minh", Level.PROVINCE)
    communes = [make_unit(c.code, c.name, Level.COMMUNE, hcmc) for c in COMMUNES]
    demo_services.demo_city_seed(
        province=hcmc, communes=communes, people=60, seed=3, extract_path=tmp_path / "register.csv"
    )
    out = tmp_path / "legacy"
    generator.legacy_extracts_write(people=60, seed=2021, out=out)
    return out


def signed_in(client, role: str = "data_engineer", username: str = "engineer"):
    user = account_services.official_create(
        username=username, password="pw-123456", role=role, unit=AdminUnit.objects.get(code="79")
    )
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def engineer(client, extracts):
    return signed_in(client)


@pytest.fixture
def later(monkeypatch) -> list:
    """Background jobs are held here instead of starting a thread; the test runs them when it wants."""
    held: list = []
    monkeypatch.setattr(jobs, "in_background", held.append)
    return held


def upload(client, source: str, path: Path, name: str | None = None):
    with path.open("rb") as handle:
        file = io.BytesIO(handle.read())
    file.name = name or path.name
    return client.post(HOME, {"source": source, "file": file})


def test_upload_imports_in_the_background_and_the_progress_reaches_done(engineer, extracts, later):
    path = extracts / formats.VACCINATION.file_name
    response = upload(engineer, "vaccination", path)
    assert response.status_code == 302
    job_page = response["Location"]
    assert job_page.startswith(f"{HOME}jobs/")

    fragment = engineer.get(f"{job_page}progress/", headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in fragment and 'data-status="running"' in fragment

    later.pop()()
    fragment = engineer.get(f"{job_page}progress/", headers={"HX-Request": "true"}).content.decode()
    run = ImportRun.objects.get(source="vaccination")
    total = adapters.rows_count(formats.VACCINATION, path)
    assert "hx-trigger" not in fragment and 'data-testid="done"' in fragment
    assert f'<span data-testid="rows-done">{total}</span>' in fragment
    assert f'<span data-testid="rows-total">{total}</span>' in fragment
    assert f'<dd data-testid="staged">{run.staged}</dd>' in fragment
    assert f'<dd data-testid="rejected">{run.rejected}</dd>' in fragment
    assert f'<progress max="{total}" value="{total}">' in fragment
    assert run.status == ImportRun.Status.DONE and run.rows_read == total

    page = engineer.get(job_page).content.decode()
    assert "Import of vaccination.csv (vaccination)" in page
    home = engineer.get(HOME).content.decode()
    assert f'data-run="{run.pk}" data-status="done"' in home


def test_reject_report_downloads_as_csv(engineer, extracts, later):
    path = extracts / formats.BLUEZONE.file_name
    upload(engineer, "bluezone", path)
    later.pop()()
    run = ImportRun.objects.get(source="bluezone")
    assert run.rejected > 0
    response = engineer.get(f"{HOME}runs/{run.pk}/rejects.csv")
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["row", "record_id", "field", "reason"]
    assert len(rows) == run.rejected + 1
    assert engineer.get(f"{HOME}runs/999999/rejects.csv").status_code == 404


def test_the_same_file_again_adds_nothing(engineer, extracts, later):
    path = extracts / formats.VNEID.file_name
    upload(engineer, "vneid", path)
    later.pop()()
    response = upload(engineer, "vneid", path)
    later.pop()()
    fragment = engineer.get(f"{response['Location']}progress/").content.decode()
    assert "This file was imported already" in fragment
    assert ImportRun.objects.filter(source="vneid").count() == 1


@pytest.mark.parametrize(
    "source, name, content, message",
    [
        ("vaccination", "dose.txt", b"a,b\n", "A vaccination extract is a .csv file, not dose.txt."),
        ("vaccination", "dose.csv", b"a,b\n1,2\n", "dose.csv: not a vaccination extract, missing columns"),
        ("vaccination", "dose.csv", b"\xff\xfe\x00garbage", "dose.csv: not UTF-8 text"),
        ("ward_tests", "ward.xlsx", b"not a zip", "ward.xlsx: not an Excel (.xlsx) file."),
        ("ncovi", "n.jsonl", b"hello\n", "n.jsonl: the first line is not a ncovi record"),
    ],
)
def test_a_file_that_is_not_the_extract_gets_a_clear_message(
    engineer, extracts, later, tmp_path, source, name, content, message
):
    path = tmp_path / "upload.bin"
    path.write_bytes(content)
    response = upload(engineer, source, path, name=name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert later == [] and not ImportRun.objects.exists()
    uploads = Path(tmp_path / "var" / "imports" / "uploads")
    assert not uploads.exists() or not any(uploads.iterdir())


def test_a_failed_import_is_shown(engineer, extracts, later, monkeypatch):
    response = upload(engineer, "vneid", extracts / formats.VNEID.file_name)
    monkeypatch.setattr(jobs.services, "legacy_import", _disk_full)
    later.pop()()
    fragment = engineer.get(f"{response['Location']}progress/").content.decode()
    assert 'data-status="failed"' in fragment and "RuntimeError: disk full" in fragment
    assert "hx-trigger" not in fragment


def _disk_full(**kwargs):
    raise RuntimeError("disk full")


def test_other_officials_are_refused(client, extracts):
    assert client.get(HOME).status_code == 302  # to the sign-in page
    signed_in(client, role="commune_official", username="commune-test")
    for url in (HOME, f"{HOME}review/", f"{HOME}review/1/", f"{HOME}runs/1/rejects.csv"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Only data engineers import, link and review legacy data." in response.content.decode()
    assert client.post(f"{HOME}link/").status_code == 403


@pytest.fixture
def reviewer(client, legacy):
    cautious_linkage_rules()
    linking.link_deterministic()
    probabilistic.link_probabilistic()
    return signed_in(client)


def test_review_queue_and_pair_page_are_audited(reviewer):
    waiting = list(RecordLink.objects.filter(status="review").order_by("-probability", "pk"))
    assert waiting
    queue = reviewer.get(f"{HOME}review/").content.decode()
    assert f'data-link="{waiting[0].pk}"' in queue and 'data-comparison="name"' in queue
    assert not PersonalDataRead.objects.exists()  # the queue shows no person

    link = waiting[0]
    page = reviewer.get(f"{HOME}review/{link.pk}/").content.decode()
    assert link.person.full_name in page and link.staged_record.record_id in page
    assert 'data-row="birth"' in page and 'data-row="unit"' in page
    read = PersonalDataRead.objects.get()
    assert read.person_id == link.person_id and read.purpose == "data_quality"


def test_accept_then_reject_swap_to_the_next_pair(reviewer):
    first, second, *_ = RecordLink.objects.filter(status="review").order_by("-probability", "pk")
    response = reviewer.post(
        f"{HOME}review/{first.pk}/", {"accept": "1", "note": "same household"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f"Pair {first.pk} accepted." in body and f'data-link="{second.pk}"' in body
    assert response["HX-Push-Url"] == f"{HOME}review/{second.pk}/"
    first.refresh_from_db()
    assert (first.status, first.decision_note, first.merged) == ("linked", "same household", True)

    response = reviewer.post(f"{HOME}review/{second.pk}/", {"accept": "0"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == "rejected"
    again = reviewer.post(f"{HOME}review/{second.pk}/", {"accept": "1"}, follow=True)
    assert "already settled" in again.content.decode()


def test_link_now_runs_the_three_steps_in_the_background(client, legacy, later):
    signed_in(client)
    response = client.post(f"{HOME}link/")
    assert response.status_code == 302
    refused = client.post(f"{HOME}link/", follow=True)
    assert "Linking is already running." in refused.content.decode()
    later.pop()()
    fragment = client.get(f"{response['Location']}progress/").content.decode()
    assert 'data-testid="done"' in fragment and "hx-trigger" not in fragment
    review = RecordLink.objects.filter(status="review").count()
    assert f'<dd data-testid="review">{review}</dd>' in fragment
    assert RecordLink.objects.filter(status="linked", merged=False).count() == 0
