"""Issue 7 end to end, in Chromium: a data engineer uploads two extracts and watches their imports finish,
links now, accepts a review pair; then the citizen the pair was about signs in and sees their old
declarations and doses on "From the old apps".

The test database is SQLite in memory with a shared cache, where two connections writing at once fail at
once ("database table is locked": no busy timeout), so here the jobs run inside the request that starts
them; `test_console.py` holds them back to see the running state. (The SQLite file of `make run` waits, WAL
and a 20 s timeout, and PostgreSQL has row locks.)"""

import os
from pathlib import Path

import pytest

from pccovid.demo import services as demo_services
from pccovid.geography.models import Level
from pccovid.identity.models import IdentifierKind, PersonIdentifier
from pccovid.migration import formats, generator, jobs
from pccovid.migration.models import RecordLink
from pccovid.migration.tests.conftest import COMMUNES, cautious_linkage_rules
from pccovid.testkit import CHROMIUM, make_unit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"browser tests need Chromium at {CHROMIUM}"),
]
pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")
# Playwright's sync API runs an event loop in this thread (see tests/browser/conftest.py).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
PEOPLE = 80


@pytest.fixture
def page(browser, live_server):
    """A desktop window (the data engineer's console); `browser` is the shared one of pccovid.testkit."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    page.wait_for_load_state("networkidle")
    context.close()


@pytest.fixture
def extracts(tmp_path, settings) -> Path:
    """A demo city (with its demo logins) and its legacy extracts, not imported."""
    settings.VAR_DIR = tmp_path / "var"
    hcmc = make_unit("79", "Thành phố Hồ Chí Minh", Level.PROVINCE)
    communes = [make_unit(c.code, c.name, Level.COMMUNE, hcmc) for c in COMMUNES]
    demo_services.demo_city_seed(
        province=hcmc, communes=communes, people=PEOPLE, seed=3, extract_path=tmp_path / "register.csv"
    )
    out = tmp_path / "legacy"
    generator.legacy_extracts_write(people=PEOPLE, seed=2021, out=out)
    return out


def import_through_the_page(page, source: str, path: Path) -> None:
    page.goto("/console/legacy/")
    page.select_option("select[name=source]", source)
    page.set_input_files("input[name=file]", str(path))
    page.click("[data-testid=upload-form] button[type=submit]")
    page.wait_for_url("**/console/legacy/jobs/*/")
    page.wait_for_selector("[data-testid=progress][data-status=done]", timeout=120_000)
    assert page.text_content("[data-testid=rows-done]") == page.text_content("[data-testid=rows-total]")


def pair_of_a_citizen() -> RecordLink:
    """The first pair waiting for review; its person is given a phone of their own to sign in with (the
    generated city shares most phones within families)."""
    link = RecordLink.objects.filter(status="review").select_related("person").order_by("pk").first()
    link.phone = "+84909990001"
    PersonIdentifier.objects.create(
        person=link.person, kind=IdentifierKind.PHONE, value=link.phone, source="test"
    )
    return link


def test_import_link_review_then_the_citizen_sees_the_old_records(page, extracts, sms_outbox, monkeypatch):
    monkeypatch.setattr(jobs, "in_background", lambda target: target())
    cautious_linkage_rules()
    page.goto("/console/login/")
    page.fill("input[name=username]", "data")
    page.fill("input[name=password]", "demo-data-2021")
    page.click("main button[type=submit]")
    page.wait_for_url("**/console/")

    for extract in (formats.NCOVI, formats.VACCINATION, formats.WARD_TESTS):
        import_through_the_page(page, extract.source, extracts / extract.file_name)

    page.goto("/console/legacy/")
    page.click("[data-testid=link-now]")
    page.wait_for_selector("[data-testid=progress][data-status=done]", timeout=180_000)
    assert int(page.text_content("[data-testid=review]")) > 0

    link = pair_of_a_citizen()
    page.click("[data-testid=queue-link]")
    page.wait_for_selector(f"[data-testid=queue] tr[data-link='{link.pk}']")
    page.click(f"[data-testid=queue] tr[data-link='{link.pk}'] a")
    page.wait_for_selector(f"[data-testid=pair][data-link='{link.pk}']")
    assert link.person.full_name in page.text_content("[data-testid=comparison]")
    page.fill("input[name=note]", "same person: name, birth year and commune agree")
    page.click("[data-testid=accept]")
    page.wait_for_selector("[data-testid=decided]")
    link.refresh_from_db()
    assert link.status == "linked" and link.merged

    citizen = page.context.browser.new_context(base_url=page.url.split("/console")[0])
    phone_page = citizen.new_page()
    phone_page.goto("/login/")
    phone_page.fill("input[name=phone]", link.phone)
    phone_page.click("main button[type=submit]")
    phone_page.wait_for_url("**/login/code/")
    phone_page.fill("input[name=code]", sms_outbox.last_code(link.phone))
    phone_page.click("main button[type=submit]")
    phone_page.wait_for_url("**/me/")
    phone_page.goto("/me/legacy/")
    records = phone_page.locator("[data-testid=legacy-record]")
    assert phone_page.locator(f"[data-testid=legacy-record][data-link='{link.pk}']").count() == 1
    linked = RecordLink.objects.filter(person=link.person, status="linked")
    assert records.count() == linked.count()
    kinds = {records.nth(i).get_attribute("data-kind") for i in range(records.count())}
    assert kinds & {"declaration", "dose", "test"}
    phone_page.wait_for_load_state("networkidle")
    citizen.close()
