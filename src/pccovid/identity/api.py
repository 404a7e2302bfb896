import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from pccovid.accounts import selectors as account_selectors
from pccovid.accounts import services as account_services
from pccovid.audit.models import Purpose
from pccovid.core.errors import NotFound
from pccovid.identity import selectors
from pccovid.identity.models import Person

router = Router(tags=["identity"])


class UnitRef(Schema):
    code: str
    name: str
    level: str


class IdentifierOut(Schema):
    kind: str
    value: str
    source: str
    verified_by: str


class PersonOut(Schema):
    qid: str
    full_name: str
    birth_date: dt.date
    sex: str
    nationality: str
    residence_unit: UnitRef
    address_line: str
    household_code: str | None
    household_relation: str
    identifiers: list[IdentifierOut]


class PersonSummaryOut(Schema):
    qid: str
    full_name: str
    birth_year: int
    sex: str
    residence_unit: UnitRef


class OfficialQuery(Schema):
    purpose: Purpose = Purpose.EPIDEMIC_CONTROL
    assignment: int | None = Field(
        None, description="Role assignment to act as (needed when you hold several)."
    )


class SearchQuery(OfficialQuery):
    q: str = Field(min_length=1, max_length=64, description="Name (3+ letters), ID number or phone.")


class LinkIn(Schema):
    national_id: str = Field(max_length=20)
    birth_date: dt.date


def person_out(person: Person) -> dict:
    return {
        "qid": person.qid,
        "full_name": person.full_name,
        "birth_date": person.birth_date,
        "sex": person.sex,
        "nationality": person.nationality,
        "residence_unit": person.residence_unit,
        "address_line": person.address_line,
        "household_code": person.household.code if person.household else None,
        "household_relation": person.household_relation,
        "identifiers": list(person.identifiers.all()),
    }


def _own_person(request: HttpRequest) -> Person:
    person = selectors.person_own(user=request.user)
    if person is None:
        raise NotFound("Your account is not linked to a person yet: link it with your ID number.")
    return person


@router.get("/me", response=PersonOut)
def my_profile(request: HttpRequest):
    """The signed-in citizen's own record."""
    return person_out(_own_person(request))


@router.get("/me/household", response=list[PersonOut])
def my_household(request: HttpRequest):
    """Everyone in the citizen's household (the citizen declares for them)."""
    return [person_out(p) for p in selectors.household_members(person=_own_person(request))]


@router.post("/me/link", response=PersonOut)
def my_link(request: HttpRequest, payload: LinkIn):
    """Link the account to the person with this ID number and birth date (the phone must be theirs)."""
    user = account_services.citizen_link_person(
        user=request.user, national_id=payload.national_id, birth_date=payload.birth_date
    )
    return person_out(selectors.person_own(user=user))


@router.get("/persons", response=list[PersonSummaryOut])
def person_search(request: HttpRequest, query: Query[SearchQuery]):
    """Officials: people in your jurisdiction by name, ID number or phone (each one shown is audited)."""
    assignment = account_selectors.acting_assignment(user=request.user, assignment_id=query.assignment)
    found = selectors.person_search(assignment=assignment, query=query.q, purpose=query.purpose)
    return [
        {
            "qid": p.qid,
            "full_name": p.full_name,
            "birth_year": p.birth_date.year,
            "sex": p.sex,
            "residence_unit": p.residence_unit,
        }
        for p in found
    ]


@router.get("/persons/{qid}", response=PersonOut)
def person_detail(request: HttpRequest, qid: str, query: Query[OfficialQuery]):
    """Officials: one person's record (audited). Outside your jurisdiction it does not exist (404)."""
    assignment = account_selectors.acting_assignment(user=request.user, assignment_id=query.assignment)
    return person_out(selectors.person_get(assignment=assignment, qid=qid, purpose=query.purpose))
