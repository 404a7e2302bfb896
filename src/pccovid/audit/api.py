import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from pccovid.audit import selectors
from pccovid.core.errors import NotFound
from pccovid.identity import selectors as identity_selectors

router = Router(tags=["audit"])


class ReadOut(Schema):
    at: dt.datetime
    official: str
    role: str
    unit_name: str
    fields: list[str]
    purpose: str
    reason: str


@router.get("/me/reads", response=list[ReadOut])
def my_record_reads(request: HttpRequest):
    """Who read my record: every official's read of the signed-in citizen's data, newest first."""
    person = identity_selectors.person_own(user=request.user)
    if person is None:
        raise NotFound("Your account is not linked to a person yet.")
    return [
        {
            "at": r.at,
            "official": r.actor.get_full_name() or r.actor.username,
            "role": r.role,
            "unit_name": r.unit.name,
            "fields": r.fields,
            "purpose": r.purpose,
            "reason": r.reason,
        }
        for r in selectors.reads_of_person(person=person)
    ]
