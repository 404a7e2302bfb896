import pytest

from pccovid.events.models import OutboxEvent
from pccovid.testing import demo, services
from pccovid.testing.models import TestResult, TestSite

pytestmark = pytest.mark.django_db


def test_demo_results_and_lab_file(settings, tmp_path, people, official):
    settings.VAR_DIR = tmp_path
    summary = demo.demo_test_results(seed=7, days=3)
    assert summary["sites"] == 3 and summary["results"] == 3 and summary["positives"] == 2
    assert TestResult.objects.filter(result="positive").count() == 2
    assert OutboxEvent.objects.filter(name="testing.result_recorded").count() == 2
    path = tmp_path / "demo" / "lab-results.csv"
    assert summary["csv"] == str(path) and path.exists()
    site = TestSite.objects.order_by("code").first()
    _user, assignment = official("province_official", "hcmc" if site.unit.code != "00070" else "hanoi")
    with path.open("rb") as handle:
        report = services.results_import_csv(assignment=assignment, site_code=site.code, file=handle)
    assert report.rows == 1 and report.rejected_rows + report.stored == 1
