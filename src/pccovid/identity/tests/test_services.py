import datetime as dt

import pytest

from pccovid.identity import services
from pccovid.identity.models import IdentifierKind, Person
from pccovid.identity.validators import IdentityError
from pccovid.testkit import make_person


def test_person_create_cleans_the_name_and_keeps_diacritics(tree):
    person = make_person(tree["ben_thanh"], name="  nguyễn   văn AN ")
    assert person.full_name == "Nguyễn Văn An"
    assert person.name_key == "nguyen van an"
    assert person.identifiers.get(kind=IdentifierKind.PHONE).value == "+84903123456"
    assert len(person.qid) == 12


def test_person_with_contradicting_cccd_is_not_written_at_all(tree):
    with pytest.raises(IdentityError, match="stated sex"):
        make_person(tree["ben_thanh"], cccd="079190001234", sex="M")
    assert not Person.objects.exists()


def test_an_id_number_belongs_to_one_person_only(tree):
    make_person(tree["ben_thanh"])
    with pytest.raises(IdentityError) as error:
        make_person(tree["sai_gon"], name="Someone Else")
    assert error.value.code == "identifier_taken"
    assert Person.objects.count() == 1


def test_family_members_may_share_a_phone(tree):
    make_person(tree["ben_thanh"])
    child = make_person(
        tree["ben_thanh"], name="Nguyễn Bảo Anh", cccd="079312000777", sex="F", birth=dt.date(2012, 3, 3)
    )
    assert child.identifiers.get(kind=IdentifierKind.PHONE).value == "+84903123456"


def test_unknown_identifier_kind_is_refused():
    with pytest.raises(IdentityError, match="Unknown identifier kind"):
        services.identifier_normalise(kind="tax", value="1")
