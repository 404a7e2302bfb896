"""Reads of people. Officials read only through `person_search` / `person_get`, which restrict to the
acting assignment's jurisdiction and write the audit trail; a person out of reach is "not found"."""

import contextlib

from django.db.models import Q, QuerySet

from pccovid.audit import services as audit_services
from pccovid.core.errors import ApplicationError, NotFound
from pccovid.core.text import fold
from pccovid.identity import validators
from pccovid.identity.models import IdentifierKind, Person, PersonIdentifier

SEARCH_FIELDS = ["full_name", "birth_date", "sex", "residence_unit"]
DETAIL_FIELDS = [*SEARCH_FIELDS, "identifiers", "household", "address_line"]
SEARCH_LIMIT = 50


def _with_relations(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("residence_unit", "household").prefetch_related("identifiers")


def person_by_national_id(*, national_id: str) -> Person | None:
    digits = "".join(ch for ch in national_id if ch.isdigit())
    row = (
        PersonIdentifier.objects.filter(kind__in=[IdentifierKind.CCCD, IdentifierKind.CMND], value=digits)
        .select_related("person")
        .first()
    )
    return row.person if row else None


def person_by_qid(*, qid: str) -> Person | None:
    """Internal matching only (a scanned code to a person): callers restrict and audit before showing."""
    return Person.objects.filter(qid=qid).select_related("residence_unit").first()


def person_ids_by_qid(*, qids: set[str]) -> dict[str, int]:
    """Internal matching in bulk (a device's batch of scanned codes): qid -> person id."""
    return dict(Person.objects.filter(qid__in=qids).values_list("qid", "pk"))


def persons_by_national_ids(*, numbers: set[str]) -> dict[str, Person]:
    """Internal matching in bulk (a lab file's rows): CCCD/CMND number -> person, residence loaded."""
    rows = PersonIdentifier.objects.filter(
        kind__in=[IdentifierKind.CCCD, IdentifierKind.CMND], value__in=numbers
    ).select_related("person__residence_unit")
    return {row.value: row.person for row in rows}


def person_refs_by_identifiers(*, kind: str, values: set[str]) -> dict[str, tuple[int, str]]:
    """Internal matching in bulk: identifier value of `kind` -> (person id, qid)."""
    rows = PersonIdentifier.objects.filter(kind=kind, value__in=values).values_list(
        "value", "person_id", "person__qid"
    )
    return {value: (person_id, qid) for value, person_id, qid in rows}


def persons_by_qids(*, qids: set[str]) -> dict[str, Person]:
    """Internal matching in bulk, by platform id."""
    return {p.qid: p for p in Person.objects.filter(qid__in=qids).select_related("residence_unit")}


def person_by_identifier(*, kind: str, value: str) -> Person | None:
    """Internal matching only, like `person_by_qid`."""
    row = PersonIdentifier.objects.filter(kind=kind, value=value).select_related("person").first()
    return row.person if row else None


def person_has_phone(*, person: Person, phone: str) -> bool:
    return person.identifiers.filter(kind=IdentifierKind.PHONE, value=phone).exists()


def person_unclaimed_for_phone(*, phone: str) -> Person | None:
    """The one person this phone belongs to and who has no account yet; None when shared or unknown."""
    candidates = list(
        Person.objects.filter(
            identifiers__kind=IdentifierKind.PHONE, identifiers__value=phone, account__isnull=True
        )[:2]
    )
    return candidates[0] if len(candidates) == 1 else None


def person_own(*, user) -> Person | None:
    """The signed-in citizen's own record (no audit: a person reading themself)."""
    if not user.is_authenticated or user.person_id is None:
        return None
    return _with_relations(Person.objects.filter(pk=user.person_id)).first()


def household_members(*, person: Person) -> list[Person]:
    if person.household_id is None:
        return [person]
    return list(
        _with_relations(Person.objects.filter(household_id=person.household_id)).order_by("birth_date")
    )


def _search_filter(query: str) -> Q:
    text = query.strip()
    if not text:
        raise ApplicationError("Type a name, an ID number or a phone number.", code="empty_query", field="q")
    digits = "".join(ch for ch in text if ch.isdigit() or ch == "+")
    if digits and len(digits) >= 9 and len(digits) >= len(text.replace(" ", "")) - 1:
        values = {digits.lstrip("+")}
        with contextlib.suppress(validators.IdentityError):
            values.add(validators.normalise_phone(text))
        return Q(pk__in=PersonIdentifier.objects.filter(value__in=values).values("person_id"))
    key = fold(text)
    if len(key) < 3:
        raise ApplicationError("Type at least 3 letters of the name.", code="query_too_short", field="q")
    return Q(name_key__contains=key)


def person_search(*, assignment, query: str, purpose: str) -> list[Person]:
    """People in the official's reach matching a name, ID number or phone; each one shown is audited."""
    audit_services.purpose_check(purpose)
    found = list(
        _with_relations(
            Person.objects.restrict_to(assignment, "person.search").filter(_search_filter(query))
        ).order_by("name_key", "pk")[:SEARCH_LIMIT]
    )
    audit_services.personal_data_reads_record(
        assignment=assignment, persons=found, fields=SEARCH_FIELDS, purpose=purpose
    )
    return found


def person_get(
    *, assignment, qid: str, purpose: str, action: str = "person.view", fields: list[str] = DETAIL_FIELDS
) -> Person:
    """One person's record for an official: audited when shown, "not found" when out of reach.

    `action` and `fields` narrow the read: a checkpoint reads only the name and the card ("person.status").
    """
    audit_services.purpose_check(purpose)
    person = _with_relations(Person.objects.restrict_to(assignment, action).filter(qid=qid)).first()
    if person is None:
        raise NotFound()
    audit_services.personal_data_reads_record(
        assignment=assignment, persons=[person], fields=fields, purpose=purpose
    )
    return person


# --- Risk levels (issue 8) ---


def household_members_within(*, assignment, unit, action: str) -> list[Person]:
    """The people in households registered in `unit` (at any depth) who are in the assignment's reach for
    `action`, with residence and household loaded, by household. Not audited here: the caller records the
    read of the people it shows (after deciding which)."""
    from pccovid.core.querysets import units_within

    return list(
        Person.objects.restrict_to(assignment, action)
        .filter(household__unit_id__in=units_within(unit))
        .select_related("residence_unit", "household")
        .order_by("household__code", "birth_date", "pk")
    )
