"""Writes of people and households. Every identifier is validated before it is stored."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from pccovid.core.text import clean_name, fold
from pccovid.identity import validators
from pccovid.identity.models import Household, IdentifierKind, Person, PersonIdentifier, Sex


@dataclass(frozen=True)
class IdentifierIn:
    kind: str
    value: str
    source: str
    verified_by: str = ""


def identifier_normalise(
    *, kind: str, value: str, sex: str | None = None, birth_date: dt.date | None = None
) -> str:
    """The stored form of an identifier, or an IdentityError naming what is wrong."""
    match kind:
        case IdentifierKind.CCCD:
            return validators.check_cccd(value, sex=sex, birth_date=birth_date)
        case IdentifierKind.CMND:
            return validators.check_cmnd(value)
        case IdentifierKind.PASSPORT:
            return validators.check_passport(value)
        case IdentifierKind.PHONE:
            return validators.normalise_phone(value)
        case IdentifierKind.HEALTH_INSURANCE:
            return value.strip().upper()
        case IdentifierKind.SOCIAL_INSURANCE:
            return validators.check_social_insurance(value)
    raise validators.IdentityError(_("Unknown identifier kind '%(kind)s'.") % {"kind": kind}, field="kind")


@transaction.atomic
def person_create(
    *,
    full_name: str,
    birth_date: dt.date,
    sex: str,
    residence_unit,
    identifiers: list[IdentifierIn],
    household: Household | None = None,
    household_relation: str = "",
    address_line: str = "",
    nationality: str = "VN",
) -> Person:
    if sex not in Sex.values:
        raise validators.IdentityError(_("Sex must be one of M, F, O."), field="sex")
    name = clean_name(full_name)
    if not name:
        raise validators.IdentityError(_("A full name is required."), field="full_name")
    person = Person.objects.create(
        full_name=name,
        name_key=fold(name),
        birth_date=birth_date,
        sex=sex,
        nationality=nationality,
        residence_unit=residence_unit,
        household=household,
        household_relation=household_relation,
        address_line=address_line,
    )
    for identifier in identifiers:
        identifier_add(person=person, identifier=identifier)
    return person


def identifier_add(*, person: Person, identifier: IdentifierIn) -> PersonIdentifier:
    """Add an identifier; an ID document already held by someone else is refused, never moved."""
    value = identifier_normalise(
        kind=identifier.kind, value=identifier.value, sex=person.sex, birth_date=person.birth_date
    )
    holder = PersonIdentifier.objects.filter(kind=identifier.kind, value=value).exclude(person=person).first()
    if holder and identifier.kind != IdentifierKind.PHONE:
        raise validators.IdentityError(
            _("This %(kind)s number already belongs to another person.") % {"kind": identifier.kind},
            code="identifier_taken",
            field=identifier.kind,
        )
    row, _created = PersonIdentifier.objects.get_or_create(
        person=person,
        kind=identifier.kind,
        value=value,
        defaults={"source": identifier.source, "verified_by": identifier.verified_by},
    )
    return row


def household_create(*, code: str, unit, address_line: str = "") -> Household:
    return Household.objects.create(code=code, unit=unit, address_line=address_line)
