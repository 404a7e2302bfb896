import datetime as dt

import pytest

from pccovid.audit.models import PersonalDataRead
from pccovid.testing import selectors, services
from pccovid.testing.tests.conftest import NOW, csv_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def an_tested(technician, people, row):
    services.results_import_rows(assignment=technician[1], site_code="BT01", rows=[row()])
    return people["an"]


@pytest.mark.parametrize(
    "role,sees",
    [
        ("health_worker", True),
        ("tracer", True),
        ("commune_official", True),
        ("province_official", True),
        ("data_engineer", True),
        ("checkpoint_officer", False),
        ("system_admin", False),
    ],
)
def test_restrict_to_matrix(official, an_tested, role, sees):
    _user, assignment = official(role, "ben_thanh", username=f"{role}-matrix")
    assert selectors.results_in_reach(assignment=assignment).exists() is sees


def test_out_of_jurisdiction_list_is_empty_and_unaudited(official, an_tested):
    _user, assignment = official("commune_official", "sai_gon")
    reads = PersonalDataRead.objects.count()
    page = selectors.results_list(assignment=assignment, purpose="epidemic_control")
    assert page.items == [] and page.count == 0 and PersonalDataRead.objects.count() == reads


def test_list_audits_each_person_shown(official, an_tested):
    user, assignment = official("commune_official", "ben_thanh")
    page = selectors.results_list(assignment=assignment, purpose="epidemic_control", result="negative")
    assert page.count == 1
    assert PersonalDataRead.objects.filter(actor=user, person=an_tested).count() == 1


def test_negative_pool_counts_for_members_positive_pool_is_not_a_case(technician, people, row):
    rows = [row(external_id="P1", kind="pooled_rt_pcr", pool_code="POOL-1", result="negative",
                sample_taken_at="2021-10-14 08:00")]  # fmt: skip
    services.results_import_csv(assignment=technician[1], site_code="BT01", file=csv_file(rows))
    assert selectors.last_negative_test_at(person=people["an"]) == dt.datetime(
        2021, 10, 14, 1, 0, tzinfo=dt.UTC
    )
    assert selectors.positive_results(person=people["an"]) == []
    assert selectors.last_negative_test_at(person=people["binh"]) is None
    assert selectors.last_negative_test_at(person=people["an"]) < NOW
