import dataclasses
import io
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from pccovid.demo import services
from pccovid.demo.generator import DEMO_CITIZEN_PHONE, PHONE_MIN_AGE, CityGenerator, CommuneSpec
from pccovid.geography.models import AdminUnit, Level
from pccovid.identity import validators
from pccovid.identity.models import IdentifierKind, Person, PersonIdentifier, RegisterRecord
from pccovid.identity.register import ExtractRegister, RegisterEntry
from pccovid.testkit import make_unit

COMMUNES = [
    CommuneSpec("26740", "Phường Sài Gòn"),
    CommuneSpec("26743", "Phường Bến Thành"),
    CommuneSpec("27619", "Xã Bình Hưng"),
]


def generate(seed: int, people: int = 3_000) -> list:
    generator = CityGenerator(seed=seed, citizen_commune="26740")
    counts = generator.allocate(COMMUNES, people)
    return [generator.commune(commune, count) for commune, count in zip(COMMUNES, counts, strict=True)]


def everyone(populations) -> list:
    return [
        person
        for population in populations
        for household in population.households
        for person in household.members
    ]


REGISTER_FIELDS = tuple(field.name for field in dataclasses.fields(RegisterEntry))


def register_row_of(person: Person) -> tuple:
    ids = {identifier.kind: identifier.value for identifier in person.identifiers.all()}
    return (
        ids[IdentifierKind.CCCD],
        ids.get(IdentifierKind.CMND, ""),
        person.full_name,
        person.birth_date,
        person.sex,
        person.residence_unit.parent.code,
        person.address_line,
        person.household.code,
        ids.get(IdentifierKind.PHONE, ""),
    )


@pytest.fixture
def city(db):
    hcmc = make_unit("79", "Thành phố Hồ Chí Minh", Level.PROVINCE)
    communes = [make_unit(c.code, c.name, Level.COMMUNE, hcmc) for c in COMMUNES]
    return hcmc, communes


@pytest.fixture
def seeded(city, tmp_path, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # seven logins, hashed fast
    hcmc, communes = city
    return services.demo_city_seed(
        province=hcmc, communes=communes, people=300, seed=2021, extract_path=tmp_path / "register.csv"
    )


def test_the_same_seed_gives_the_same_city_and_another_seed_another():
    assert generate(2021) == generate(2021)
    assert everyone(generate(2021)) != everyone(generate(2022))


def test_every_generated_identifier_validates_against_its_holder():
    people = everyone(generate(2021))
    assert len(people) == 3_000
    for person in people:
        cccd = validators.check_cccd(person.national_id, sex=person.sex, birth_date=person.birth_date)
        assert cccd == person.national_id
        assert not person.old_cmnd or validators.check_cmnd(person.old_cmnd) == person.old_cmnd
        assert not person.phone or validators.normalise_phone(person.phone, mobile_only=True) == person.phone
    assert len({p.national_id for p in people}) == len(people)
    assert len({p.old_cmnd for p in people if p.old_cmnd}) == sum(1 for p in people if p.old_cmnd)


def test_adults_own_unique_phones_and_children_only_share_a_parents():
    populations = generate(2021)
    owned = [p.phone for p in everyone(populations) if p.owns_phone]
    assert len(owned) == len(set(owned))
    assert DEMO_CITIZEN_PHONE in owned
    for household in (h for population in populations for h in population.households):
        for person in household.members:
            assert person.owns_phone == (person.age() >= 18)
            if person.age() < PHONE_MIN_AGE:
                assert person.phone == ""
            elif not person.owns_phone and person.phone:
                assert person.phone == household.members[0].phone  # the head's


def test_households_have_one_to_six_members_with_a_head_and_mostly_one_family_name():
    households = [h for population in generate(2021) for h in population.households]
    sizes = Counter(len(h.members) for h in households)
    assert set(sizes) <= set(range(1, 7))
    assert 2.9 < sum(size * n for size, n in sizes.items()) / len(households) < 3.7
    assert all(h.members[0].relation == "head" for h in households)
    children = [(h, p) for h in households for p in h.members if p.relation == "child"]
    parents_names = [
        {m.full_name.split()[0] for m in h.members if m.relation in ("head", "spouse")} for h, _p in children
    ]
    assert all(
        p.full_name.split()[0] in names for (_h, p), names in zip(children, parents_names, strict=True)
    )


def test_seed_writes_people_groups_identifiers_and_a_register_extract_equal_to_them(seeded, city):
    assert (seeded.people, Person.objects.count()) == (300, 300)
    assert seeded.register.created == 300 and seeded.register.rejected == []
    groups = AdminUnit.objects.filter(level=Level.RESIDENTIAL_GROUP).order_by("code")
    assert [(g.code, g.name, g.path) for g in groups[:1]] == [
        ("26740.001", "Khu phố 1", "79/26740/26740.001/")
    ]
    assert {g.name for g in groups if g.parent.code == "27619"} == {"Ấp 1"}
    assert all(g.population_synthetic for g in groups)
    for commune in city[1]:  # a commune's figure is shared out over its groups
        assert sum(g.population for g in groups if g.parent_id == commune.pk) == commune.population
    assert set(PersonIdentifier.objects.values_list("source", "verified_by")) == {
        ("demo", "population_register")
    }
    from_people = {
        register_row_of(person)
        for person in Person.objects.select_related("residence_unit__parent", "household").prefetch_related(
            "identifiers"
        )
    }
    from_register = set(RegisterRecord.objects.values_list(*REGISTER_FIELDS))
    assert from_register == from_people


def test_the_demo_citizen_lives_in_the_officials_commune_and_is_the_only_holder_of_the_demo_phone(seeded):
    citizen = seeded.citizen
    assert citizen == services.demo_citizen()
    assert citizen.residence_unit.parent.code == "26740"
    assert list(
        PersonIdentifier.objects.filter(value=DEMO_CITIZEN_PHONE).values_list("person", flat=True)
    ) == [citizen.pk]
    assert (
        ExtractRegister().lookup(citizen.identifiers.get(kind=IdentifierKind.CCCD).value).phone
        == DEMO_CITIZEN_PHONE
    )


def test_every_role_login_exists_and_authenticates_in_its_unit(seeded):
    assert len(seeded.logins) == 7
    for login in seeded.logins:
        user = authenticate(username=login.username, password=login.password)
        assert user is not None, login.username
        assert list(user.assignments.values_list("role", "unit__code")) == [(login.role, login.unit.code)]
        assert user.is_staff == (login.role == "system_admin")
    assert {login.unit.code for login in seeded.logins if login.role == "commune_official"} == {"26740"}
    assert {login.unit.code for login in seeded.logins if login.role == "province_official"} == {"79"}


def test_seeding_twice_is_refused_and_changes_nothing(seeded, city, tmp_path):
    hcmc, communes = city
    with pytest.raises(services.DemoError) as refused:
        services.demo_city_seed(
            province=hcmc, communes=communes, people=10, seed=1, extract_path=tmp_path / "x.csv"
        )
    assert refused.value.code == "demo_exists"
    assert Person.objects.count() == 300


def test_command_generates_then_if_empty_only_prints_the_logins(city, settings, tmp_path):
    settings.DEBUG, settings.VAR_DIR = True, tmp_path
    out = io.StringIO()
    call_command("seed_demo", "--people", "120", "--no-progress", stdout=out)
    assert "Demo city: 120 people" in out.getvalue()
    assert (tmp_path / "demo" / "register.csv").exists()
    again = io.StringIO()
    call_command("seed_demo", "--if-empty", "--no-progress", stdout=again)
    printed = again.getvalue()
    assert "Demo people already present (120); nothing generated." in printed
    assert "demo-commune-2021" in printed and "0901234567" in printed
    assert Person.objects.count() == 120
    with pytest.raises(CommandError, match="already holds 120 demo people"):
        call_command("seed_demo", "--no-progress", stdout=io.StringIO())


@pytest.mark.parametrize("people", ["0", "1000001"])
def test_command_refuses_a_number_of_people_out_of_range(city, settings, people):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="--people must be between 1 and 1,000,000"):
        call_command("seed_demo", "--people", people)


def test_command_refuses_to_publish_demo_passwords_when_debug_is_off(city, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only with DEBUG on"):
        call_command("seed_demo")


def test_officials_work_in_phuong_sai_gon_or_else_in_the_first_commune(city):
    _hcmc, communes = city
    assert services.officials_commune(communes=communes).name == "Phường Sài Gòn"
    assert services.officials_commune(communes=communes[1:]).name == "Phường Bến Thành"


@pytest.mark.parametrize(
    ("commune", "group"),
    [("Phường Sài Gòn", "Khu phố"), ("Xã Bình Hưng", "Ấp"), ("Đặc khu Côn Đảo", "Khu dân cư")],
)
def test_residential_groups_are_named_after_the_kind_of_commune(commune, group):
    assert CommuneSpec("26732", commune).group_word == group


def test_ages_follow_a_plausible_vietnamese_pyramid():
    ages = [person.age() for person in everyone(generate(2021))]
    assert 0.18 < sum(age < 15 for age in ages) / len(ages) < 0.30  # 2019 census: about 24 %
    assert 0.05 < sum(age >= 65 for age in ages) / len(ages) < 0.12  # 2019 census: about 8 %
    assert min(ages) == 0 and max(ages) >= 85


def test_the_demo_city_has_venues_check_ins_and_declarations(db, settings):
    settings.DEBUG = True
    from pccovid.checkins.models import CheckIn, Venue
    from pccovid.declarations.models import Declaration

    call_command("seed_demo", people=400, no_progress=True, stdout=io.StringIO())
    assert Venue.objects.exists() and CheckIn.objects.exists()
    assert Declaration.objects.count() > 0
    assert all(d.person == d.declared_by for d in Declaration.objects.all())


def test_apportion_keeps_the_total_even_when_every_weight_is_zero():
    from pccovid.demo.generator import apportion

    assert apportion(10, [3.0, 1.0]) == [8, 2]
    assert apportion(7, [0, 0, 0]) == [3, 2, 2]
