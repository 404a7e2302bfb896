"""Browser tests: Playwright drives Debian's Chromium; skipped, with a notice, where it is missing."""

import os

import pytest

from pccovid.testkit import CHROMIUM

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the tests themselves are
# plain synchronous code, so Django's async-safety guard is lifted for these tests only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    if not CHROMIUM.exists():
        terminalreporter.write_line(
            f"NOTE: browser tests were skipped: no Chromium at {CHROMIUM}.", yellow=True
        )


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    # Let late requests (favicon, htmx) finish first: a request still running when the test database is torn
    # down makes the live server's thread close the shared in-memory SQLite connection from the wrong thread.
    page.wait_for_load_state("networkidle")
    context.close()
