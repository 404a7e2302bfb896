import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from pccovid.accounts import selectors as account_selectors
from pccovid.core.errors import NotFound
from pccovid.identity import selectors as identity_selectors
from pccovid.status import services

router = Router(tags=["status"])


class CardOut(Schema):
    colour: str
    reasons: list[str]
    rule_version: str
    valid_until: dt.datetime | None


@router.get("/me", response=CardOut)
def my_card(request: HttpRequest):
    """The signed-in citizen's COVID card: green, yellow, red or grey, with the reasons and the rule set."""
    person = identity_selectors.person_own(user=request.user)
    if person is None:
        raise NotFound("Your account is not linked to a person yet.")
    return services.card_for(person=person)


class CheckpointScanIn(Schema):
    text: str = Field(min_length=1, max_length=2000, description="The text of the scanned QR code.")
    assignment: int | None = None


class ScanOut(Schema):
    kind: str
    signature: str
    reason: str | None
    message: str


class PersonBriefOut(Schema):
    qid: str
    full_name: str
    birth_year: int


class CheckpointScanOut(Schema):
    scan: ScanOut
    person: PersonBriefOut | None
    card: CardOut | None
    note: str


@router.post("/checkpoint", response=CheckpointScanOut)
def checkpoint_scan(request: HttpRequest, payload: CheckpointScanIn):
    """Officials: verify a scanned code and read the card of the person it names (audited)."""
    assignment = account_selectors.acting_assignment(user=request.user, assignment_id=payload.assignment)
    result = services.checkpoint_scan(assignment=assignment, text=payload.text)
    person = result.person
    return {
        "scan": result.scan,
        "person": {"qid": person.qid, "full_name": person.full_name, "birth_year": person.birth_date.year}
        if person
        else None,
        "card": result.card,
        "note": result.note,
    }
