"""Officials see only their jurisdiction; every read is audited; nothing leaks outside it."""

import datetime as dt

import pytest
from django.db import DatabaseError, transaction

from pccovid.accounts.models import AccessGrant
from pccovid.audit.models import AppendOnlyError, PersonalDataRead
from pccovid.core import clock
from pccovid.core.errors import NotFound
from pccovid.identity import selectors
from pccovid.identity.models import Person


def test_official_reads_a_person_inside_their_jurisdiction_and_it_is_audited(people, official):
    user, assignment = official("commune_official", "ben_thanh")
    person = selectors.person_get(assignment=assignment, qid=people["an"].qid, purpose="case_investigation")
    assert person == people["an"]
    read = PersonalDataRead.objects.get()
    assert (read.actor, read.person, read.purpose) == (user, people["an"], "case_investigation")
    assert "full_name" in read.fields and read.reason == "residence in Phường Bến Thành"


def test_person_outside_jurisdiction_looks_absent_and_nothing_is_written(people, official):
    _user, assignment = official("commune_official", "ben_thanh")
    for qid in (people["binh"].qid, people["chi"].qid, "NOSUCHPERSON"):
        with pytest.raises(NotFound) as error:
            selectors.person_get(assignment=assignment, qid=qid, purpose="epidemic_control")
        assert error.value.message == "Not found."
    assert not PersonalDataRead.objects.exists()


def test_province_official_sees_every_ward_of_the_province_only(people, official):
    _user, assignment = official("province_official", "hcmc")
    found = selectors.person_search(assignment=assignment, query="nguyen van an", purpose="epidemic_control")
    assert found == [people["an"]]
    assert selectors.person_search(
        assignment=assignment, query="079185004321", purpose="epidemic_control"
    ) == [people["binh"]]
    assert (
        selectors.person_search(assignment=assignment, query="Lê Minh Chi", purpose="epidemic_control") == []
    )
    assert PersonalDataRead.objects.count() == 2


def test_search_by_phone_in_any_form(people, official):
    _user, assignment = official("tracer", "hcmc")
    assert selectors.person_search(
        assignment=assignment, query="+84 912 000 111", purpose="contact_tracing"
    ) == [people["binh"]]


def test_an_access_grant_brings_a_person_into_reach_until_it_expires(people, official):
    _user, assignment = official("tracer", "ben_thanh")
    AccessGrant.objects.create(
        person=people["chi"],
        unit=assignment.unit,
        reason="contact of case C-1 traced here",
        source_type="tracing.case",
        source_id="1",
        expires_at=clock.now() + dt.timedelta(days=14),
    )
    selectors.person_get(assignment=assignment, qid=people["chi"].qid, purpose="contact_tracing")
    assert PersonalDataRead.objects.get().reason == "contact of case C-1 traced here"
    with clock.frozen(clock.now() + dt.timedelta(days=15)), pytest.raises(NotFound):
        selectors.person_get(assignment=assignment, qid=people["chi"].qid, purpose="contact_tracing")


@pytest.mark.parametrize(
    ("role", "can_search"),
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
def test_restrict_to_matrix_per_role(people, official, role, can_search):
    _user, assignment = official(role, "hcmc")
    visible = set(Person.objects.restrict_to(assignment, "person.search"))
    assert visible == ({people["an"], people["binh"]} if can_search else set())


def test_inactive_assignment_sees_nobody(people, official):
    _user, assignment = official("province_official", "hcmc")
    assignment.active = False
    assert not Person.objects.restrict_to(assignment, "person.view").exists()


def test_unknown_purpose_is_refused_before_reading(people, official):
    _user, assignment = official("commune_official", "ben_thanh")
    with pytest.raises(Exception, match="Unknown purpose"):
        selectors.person_get(assignment=assignment, qid=people["an"].qid, purpose="curiosity")
    assert not PersonalDataRead.objects.exists()


def test_audit_rows_cannot_be_changed_or_deleted(people, official):
    _user, assignment = official("commune_official", "ben_thanh")
    selectors.person_get(assignment=assignment, qid=people["an"].qid, purpose="epidemic_control")
    read = PersonalDataRead.objects.get()
    with pytest.raises(AppendOnlyError):
        read.save()
    with pytest.raises(AppendOnlyError):
        read.delete()
    with pytest.raises(AppendOnlyError):
        PersonalDataRead.objects.all().update(purpose="testing")
    with pytest.raises(AppendOnlyError):
        PersonalDataRead.objects.all().delete()


def test_the_database_itself_refuses_an_update_of_audit_rows(people, official):
    from django.db import connection

    _user, assignment = official("commune_official", "ben_thanh")
    selectors.person_get(assignment=assignment, qid=people["an"].qid, purpose="epidemic_control")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_personaldataread SET purpose = 'testing'")
    assert PersonalDataRead.objects.get().purpose == "epidemic_control"


def test_a_unit_of_the_other_edition_with_the_same_path_grants_nothing(people, official):
    from pccovid.accounts import services as account_services
    from pccovid.geography.models import Edition, Level
    from pccovid.testkit import make_unit

    old_hcmc = make_unit("79", "Thành phố Hồ Chí Minh (2021)", Level.PROVINCE, edition=Edition.PRE_2025)
    user = account_services.official_create(
        username="old", password="pw-123456", role="province_official", unit=old_hcmc
    )
    assert (
        old_hcmc.path == "79/"
        and not Person.objects.restrict_to(user.assignments.get(), "person.view").exists()
    )
