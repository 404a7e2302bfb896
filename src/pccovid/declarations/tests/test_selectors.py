"""Who sees which declaration (residence, place of stay, out of reach), the filters, the audit, the card."""

import datetime as dt

import pytest

from pccovid.audit.models import PersonalDataRead
from pccovid.core import clock
from pccovid.core.errors import NotFound
from pccovid.declarations import selectors, services
from pccovid.declarations.errors import DeclarationError
from pccovid.declarations.models import Declaration
from pccovid.declarations.tests.conftest import NOW, TODAY


def _declare(person, declared_by=None, **answers):
    data = {"kind": "domestic", "stay_address": "12 Lê Lợi", **answers}
    return services.declaration_submit(declared_by=declared_by or person, person=person, data=data)


@pytest.fixture
def declarations(family, people):
    """Lan at home (Bến Thành); Chi (Hanoi) staying in Sài Gòn with a fever; Bình at home in Sài Gòn."""
    return {
        "lan": _declare(family["lan"]),
        "chi_in_sai_gon": _declare(people["chi"], stay_unit="26740", fever=True),
        "binh": _declare(people["binh"]),
    }


def _ids(page) -> set[int]:
    return {d.pk for d in page.items}


@pytest.mark.parametrize(
    ("role", "unit_key", "visible"),
    [
        ("commune_official", "ben_thanh", {"lan"}),
        ("commune_official", "sai_gon", {"chi_in_sai_gon", "binh"}),
        ("commune_official", "hoan_kiem", {"chi_in_sai_gon"}),
        ("province_official", "hcmc", {"lan", "chi_in_sai_gon", "binh"}),
        ("tracer", "hanoi", {"chi_in_sai_gon"}),
        ("checkpoint_officer", "hcmc", set()),
        ("system_admin", "hcmc", set()),
    ],
)
def test_list_matrix_by_role_and_unit(declarations, official, role, unit_key, visible):
    _user, assignment = official(role, unit_key)
    page = selectors.declarations_list(assignment=assignment, purpose="epidemic_control")
    assert _ids(page) == {declarations[key].pk for key in visible}
    assert page.count == len(visible)


def test_list_audits_each_person_shown_with_how_they_came_into_reach(declarations, official, people):
    _user, assignment = official("commune_official", "sai_gon")
    selectors.declarations_list(assignment=assignment, purpose="case_investigation")
    reads = {r.person_id: r for r in PersonalDataRead.objects.all()}
    assert set(reads) == {people["chi"].pk, people["binh"].pk}
    assert reads[people["chi"].pk].reason == "declared a stay in Phường Sài Gòn on 2021-10-15"
    assert reads[people["binh"].pk].reason == "residence in Phường Sài Gòn"
    assert reads[people["binh"].pk].purpose == "case_investigation"
    assert "full_name" in reads[people["binh"].pk].fields


def test_list_filters(declarations, family, official):
    _user, assignment = official("province_official", "hcmc")
    with clock.frozen(NOW - dt.timedelta(days=3)):
        older = _declare(family["lan"])

    def ids(**filters):
        return _ids(selectors.declarations_list(assignment=assignment, purpose="epidemic_control", **filters))

    assert ids(flagged=True) == {declarations["chi_in_sai_gon"].pk}
    assert declarations["chi_in_sai_gon"].pk not in ids(flagged=False)
    assert ids(follow_up="open") == {declarations["chi_in_sai_gon"].pk}
    assert ids(unit_code="26743") == {declarations["lan"].pk, older.pk}
    assert ids(unit_code="26740") == {declarations["chi_in_sai_gon"].pk, declarations["binh"].pk}
    assert ids(date_to=TODAY - dt.timedelta(days=1)) == {older.pk}
    assert older.pk not in ids(date_from=TODAY)
    assert ids(date_from=TODAY - dt.timedelta(days=3), date_to=TODAY - dt.timedelta(days=3)) == {older.pk}
    assert ids(kind="entry") == set()


def test_filter_errors_name_the_field(declarations, official):
    _user, assignment = official("province_official", "hcmc")
    with pytest.raises(DeclarationError) as error:
        selectors.declarations_list(assignment=assignment, purpose="testing", unit_code="nope")
    assert error.value.field == "unit"
    with pytest.raises(DeclarationError) as error:
        selectors.declarations_list(
            assignment=assignment, purpose="testing", date_from=TODAY, date_to=TODAY - dt.timedelta(days=1)
        )
    assert error.value.field == "date_from"


def test_list_pages_audit_only_what_is_shown(declarations, official):
    _user, assignment = official("province_official", "hcmc")
    page = selectors.declarations_list(assignment=assignment, purpose="testing", limit=1, offset=1)
    assert len(page.items) == 1 and page.count == 3
    assert PersonalDataRead.objects.count() == 1


def test_list_query_count_does_not_grow_with_rows(declarations, official, django_assert_max_num_queries):
    _user, assignment = official("commune_official", "ben_thanh")
    with django_assert_max_num_queries(6):
        selectors.declarations_list(assignment=assignment, purpose="testing")


def test_detail_in_reach_is_audited_and_out_of_reach_is_not_found(declarations, official):
    _user, assignment = official("commune_official", "hoan_kiem")
    declaration = selectors.declaration_get(
        assignment=assignment, declaration_id=declarations["chi_in_sai_gon"].pk, purpose="testing"
    )
    assert declaration.fever
    assert PersonalDataRead.objects.get().fields == selectors.DETAIL_FIELDS
    for missing in (declarations["binh"].pk, 999_999):
        with pytest.raises(NotFound):
            selectors.declaration_get(assignment=assignment, declaration_id=missing, purpose="testing")
    assert PersonalDataRead.objects.count() == 1


def test_stay_access_ends_with_the_retention_window(declarations, official):
    _user, assignment = official("commune_official", "sai_gon")
    with clock.frozen(NOW + dt.timedelta(days=21, seconds=1)):
        page = selectors.declarations_list(assignment=assignment, purpose="testing")
    assert _ids(page) == {declarations["binh"].pk}


def test_export_is_the_whole_filtered_list_audited(declarations, official, people):
    _user, assignment = official("commune_official", "sai_gon")
    found = selectors.declarations_export(assignment=assignment, purpose="testing", flagged=True)
    assert [d.pk for d in found] == [declarations["chi_in_sai_gon"].pk]
    read = PersonalDataRead.objects.get()
    assert read.person_id == people["chi"].pk and "declaration.symptoms" in read.fields


def test_unknown_purpose_is_refused_before_reading(declarations, official):
    _user, assignment = official("commune_official", "sai_gon")
    with pytest.raises(Exception, match="Unknown purpose"):
        selectors.declarations_list(assignment=assignment, purpose="curiosity")
    assert not PersonalDataRead.objects.exists()


def test_my_declarations_are_mine_and_those_i_made(family, people):
    mine = _declare(family["lan"])
    for_son = _declare(family["minh"], declared_by=family["lan"])
    about_me_by_my_father = _declare(family["lan"], declared_by=family["hung"])
    _declare(family["hung"])
    _declare(people["binh"])
    assert {d.pk for d in selectors.my_declarations(person=family["lan"])} == {
        mine.pk,
        for_son.pk,
        about_me_by_my_father.pk,
    }
    with pytest.raises(NotFound):
        selectors.my_declaration(person=family["minh"], declaration_id=mine.pk)


def test_declarable_person(family, people):
    lan = family["lan"]
    assert selectors.declarable_person(declared_by=lan, qid=None) == lan
    assert selectors.declarable_person(declared_by=lan, qid=family["hung"].qid) == family["hung"]
    with pytest.raises(Exception, match="members of your household"):
        selectors.declarable_person(declared_by=lan, qid=people["binh"].qid)


def test_symptoms_uncleared(family, official):
    lan = family["lan"]
    assert selectors.symptoms_uncleared(person=lan) is None
    _declare(lan, contact_with_case=True)
    assert selectors.symptoms_uncleared(person=lan) is None  # exposure alone is not a symptom
    with clock.frozen(NOW - dt.timedelta(days=2)):
        older = _declare(lan, cough=True)
    newer = _declare(lan, fever=True)
    _declare(lan)  # a later declaration without symptoms does not clear it
    assert selectors.symptoms_uncleared(person=lan) == newer
    _user, assignment = official("commune_official", "ben_thanh")
    services.declaration_follow_up(assignment=assignment, declaration_id=newer.pk, note="Tested negative.")
    assert selectors.symptoms_uncleared(person=lan) == older
    with clock.frozen(NOW + dt.timedelta(days=13)):
        assert selectors.symptoms_uncleared(person=lan) is None  # the older one left the 14-day window
    assert selectors.symptoms_uncleared(person=family["minh"]) is None
    assert Declaration.objects.filter(person=lan).count() == 4
