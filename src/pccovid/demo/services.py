"""Writes the demo city: residential groups, households, people with their identifiers, the population
register extract (loaded like a real one), and one login per official role.

This is a seeding tool: it writes identity and geography rows with `bulk_create` directly, because a
million people through `person_create` one by one would take hours. The generator builds every
identifier right by construction, and the register import re-validates all of them.
"""

import contextlib
import csv
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from pccovid.accounts import services as account_services
from pccovid.accounts.models import Role
from pccovid.core.errors import ApplicationError, NotFound
from pccovid.core.text import clean_name, fold
from pccovid.demo.generator import (
    DEMO_CITIZEN_PHONE,
    CityGenerator,
    CommunePopulation,
    CommuneSpec,
    PersonSpec,
    apportion,
)
from pccovid.geography import selectors as geography_selectors
from pccovid.geography.models import AdminUnit, Edition, Level
from pccovid.identity.models import Household, IdentifierKind, Person, PersonIdentifier, new_qid
from pccovid.identity.register import EXTRACT_HEADER, ImportReport, register_extract_import

SOURCE = "demo"
VERIFIED_BY = "population_register"
BATCH_SIZE = 5_000
PROVINCE_CODE = "79"  # Thành phố Hồ Chí Minh, 2025 edition
# Phường Sài Gòn (code in vietnam-provinces 2025.10.1): where the commune-level demo officials work.
OFFICIALS_COMMUNE_CODE = "26740"


class DemoError(ApplicationError):
    code = "demo_seed_failed"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str
    unit: AdminUnit


# (role, username, bound to the province rather than the officials' commune, staff): passwords are
# "demo-<username>-2021", published on purpose; `seed_demo` refuses to run when DEBUG is off.
DEMO_ROLES = (
    (Role.HEALTH_WORKER, "health", False, False),
    (Role.TRACER, "tracer", False, False),
    (Role.COMMUNE_OFFICIAL, "commune", False, False),
    (Role.CHECKPOINT_OFFICER, "checkpoint", False, False),
    (Role.PROVINCE_OFFICIAL, "province", True, False),
    (Role.DATA_ENGINEER, "data", True, False),
    (Role.SYSTEM_ADMIN, "admin", True, True),
)


@dataclass(frozen=True)
class SeedReport:
    people: int
    households: int
    groups: int
    identifiers: int
    register: ImportReport
    citizen: Person
    logins: list[DemoLogin]


def demo_province() -> AdminUnit | None:
    """Ho Chi Minh City in the 2025 edition, or None when the units are not loaded."""
    try:
        return geography_selectors.unit_get(edition=Edition.CURRENT, code=PROVINCE_CODE)
    except NotFound:
        return None


def demo_communes(*, province: AdminUnit) -> list[AdminUnit]:
    return list(
        geography_selectors.units_list(
            edition=province.edition, level=Level.COMMUNE, parent_code=province.code
        )
    )


def officials_commune(*, communes: list[AdminUnit]) -> AdminUnit:
    """Phường Sài Gòn when it is among the communes, else the first one."""
    return next((c for c in communes if c.code == OFFICIALS_COMMUNE_CODE), communes[0])


def demo_people_count() -> int:
    return PersonIdentifier.objects.filter(source=SOURCE, kind=IdentifierKind.CCCD).count()


def demo_citizen() -> Person | None:
    row = (
        PersonIdentifier.objects.filter(kind=IdentifierKind.PHONE, value=DEMO_CITIZEN_PHONE, source=SOURCE)
        .select_related("person")
        .first()
    )
    return row.person if row else None


@transaction.atomic
def demo_city_seed(
    *,
    province: AdminUnit,
    communes: list[AdminUnit],
    people: int,
    seed: int,
    extract_path: Path,
    progress: bool = False,
) -> SeedReport:
    """Generate `people` residents over `communes`, load their register extract, create the demo logins.

    All in one transaction: a failure leaves nothing behind. The same seed and communes give the same
    people (names, dates, identifiers, households); only the random platform ids (qid) differ.
    """
    existing = demo_people_count()
    if existing:
        raise DemoError(
            _(
                "The database already holds %(n)s demo people; nothing was changed. Start from an "
                "empty database to generate a new city."
            )
            % {"n": f"{existing:,}"},
            code="demo_exists",
        )
    commune = officials_commune(communes=communes)
    generator = CityGenerator(seed=seed, citizen_commune=commune.code)
    specs = [CommuneSpec(code=c.code, name=c.name, population=c.population) for c in communes]
    counts = generator.allocate(specs, people)
    totals = {"households": 0, "groups": 0, "identifiers": 0}
    citizen: PersonSpec | None = None
    extract_path.parent.mkdir(parents=True, exist_ok=True)
    with extract_path.open("w", encoding="utf-8", newline="") as handle, _bar(people, progress) as advance:
        extract = csv.writer(handle)
        extract.writerow(EXTRACT_HEADER)
        for unit, spec, count in zip(communes, specs, counts, strict=True):
            population = generator.commune(spec, count)
            citizen = citizen or population.citizen
            for name, written in _commune_write(unit, population, extract).items():
                totals[name] += written
            advance(count)
    if citizen is None:
        raise DemoError(
            _("No adult of 25-60 with a phone of their own was generated in %(commune)s.")
            % {"commune": commune.name}
        )
    register = register_extract_import(path=extract_path, progress=progress)
    if register.rejected:
        first = register.rejected[0]
        raise DemoError(
            _("The register refused a generated row (row %(row)d, %(field)s: %(reason)s).")
            % {"row": first.row, "field": first.field, "reason": first.reason}
        )
    return SeedReport(
        people=people,
        register=register,
        citizen=Person.objects.get(
            identifiers__kind=IdentifierKind.CCCD, identifiers__value=citizen.national_id
        ),
        logins=demo_logins_ensure(province=province, commune=commune),
        **totals,
    )


@transaction.atomic
def demo_logins_ensure(*, province: AdminUnit, commune: AdminUnit) -> list[DemoLogin]:
    """One official per role; an existing username is left as it is (its password is not reset)."""
    existing = set(
        get_user_model()
        .objects.filter(username__in=[r[1] for r in DEMO_ROLES])
        .values_list("username", flat=True)
    )
    logins = []
    for role, username, on_province, staff in DEMO_ROLES:
        login = DemoLogin(
            role=role,
            username=username,
            password=f"demo-{username}-2021",
            unit=province if on_province else commune,
        )
        if username not in existing:
            account_services.official_create(
                username=login.username, password=login.password, role=role, unit=login.unit, is_staff=staff
            )
        logins.append(login)
    return logins


def _commune_write(commune: AdminUnit, population: CommunePopulation, extract: csv.writer) -> dict[str, int]:
    groups = _groups_ensure(commune, population)
    households = Household.objects.bulk_create(
        [
            Household(code=h.code, unit=groups[h.group], address_line=h.address_line)
            for h in population.households
        ],
        batch_size=BATCH_SIZE,
    )
    persons: list[Person] = []
    specs: list[PersonSpec] = []
    for household, spec in zip(households, population.households, strict=True):
        for member in spec.members:
            full_name, name_key = _name_forms(member.full_name)
            persons.append(
                Person(
                    qid=new_qid(),
                    full_name=full_name,
                    name_key=name_key,
                    birth_date=member.birth_date,
                    sex=member.sex,
                    residence_unit_id=household.unit_id,
                    household_id=household.pk,
                    household_relation=member.relation,
                    address_line=household.address_line,
                )
            )
            specs.append(member)
            extract.writerow(_extract_row(member, commune.code, household))
    Person.objects.bulk_create(persons, batch_size=BATCH_SIZE)
    identifiers = [
        row for person, spec in zip(persons, specs, strict=True) for row in _identifiers(person, spec)
    ]
    PersonIdentifier.objects.bulk_create(identifiers, batch_size=BATCH_SIZE)
    return {"households": len(households), "groups": population.groups, "identifiers": len(identifiers)}


def _groups_ensure(commune: AdminUnit, population: CommunePopulation) -> dict[int, AdminUnit]:
    """The commune's residential groups by number, creating those that do not exist yet.

    A new group's figure is its share of the commune's figure (by generated residents), so the commune
    stays the sum of its groups; without a commune figure it is the number of generated residents.
    """
    residents = [0] * population.groups
    for household in population.households:
        residents[household.group - 1] += len(household.members)
    figures = apportion(commune.population, residents) if commune.population else residents
    wanted = {population.group_code(n): n for n in range(1, population.groups + 1)}
    found = set(
        AdminUnit.objects.filter(edition=commune.edition, code__in=list(wanted)).values_list(
            "code", flat=True
        )
    )
    AdminUnit.objects.bulk_create(
        [
            _group_build(commune, code, population.group_name(n), figures[n - 1])
            for code, n in wanted.items()
            if code not in found
        ]
    )
    units = AdminUnit.objects.filter(edition=commune.edition, code__in=list(wanted))
    return {wanted[unit.code]: unit for unit in units}


def _group_build(commune: AdminUnit, code: str, name: str, figure: int) -> AdminUnit:
    return AdminUnit(
        edition=commune.edition,
        code=code,
        name=name,
        name_folded=fold(name),
        level=Level.RESIDENTIAL_GROUP,
        parent=commune,
        path=f"{commune.path}{code}/",
        population=figure,
        population_synthetic=True,
    )


def _identifiers(person: Person, spec: PersonSpec) -> Iterator[PersonIdentifier]:
    values = [
        (IdentifierKind.CCCD, spec.national_id),
        (IdentifierKind.CMND, spec.old_cmnd),
        (IdentifierKind.PHONE, spec.phone),
    ]
    for kind, value in values:
        if value:
            yield PersonIdentifier(
                person_id=person.pk, kind=kind, value=value, source=SOURCE, verified_by=VERIFIED_BY
            )


def _extract_row(person: PersonSpec, commune_code: str, household: Household) -> list[str]:
    """The register writes phones the way Vietnamese forms do (0901234567); the import normalises them."""
    phone = f"0{person.phone.removeprefix('+84')}" if person.phone else ""
    return [
        person.national_id,
        person.old_cmnd,
        person.full_name,
        person.birth_date.isoformat(),
        person.sex,
        commune_code,
        household.address_line,
        household.code,
        phone,
    ]


@functools.cache
def _name_forms(name: str) -> tuple[str, str]:
    """(full_name, name_key): a city reuses a few thousand names, so each is cleaned and folded once."""
    cleaned = clean_name(name)
    return cleaned, fold(cleaned)


@contextlib.contextmanager
def _bar(total: int, enabled: bool) -> Iterator[Callable[[int], None]]:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), disable=not enabled) as bar:
        task = bar.add_task("people", total=total)
        yield lambda done: bar.advance(task, done)
