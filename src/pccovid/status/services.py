"""The card of a person, from the records other apps hold (read through their selectors), and the
checkpoint's scan."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from pccovid.accounts import services as account_services
from pccovid.audit.models import Purpose
from pccovid.core import clock
from pccovid.core.errors import Forbidden
from pccovid.declarations import selectors as declaration_selectors
from pccovid.identity import selectors as identity_selectors
from pccovid.identity.models import Person
from pccovid.qr import services as qr_services
from pccovid.qr.formats import ScannedCode
from pccovid.quarantine import selectors as quarantine_selectors
from pccovid.quarantine.models import OrderKind
from pccovid.rules import services as rule_services
from pccovid.status import rules
from pccovid.status.card import Card, HealthFacts, card_from_facts
from pccovid.testing import selectors as testing_selectors
from pccovid.tracing import selectors as tracing_selectors
from pccovid.vaccination import selectors as vaccination_selectors


def health_facts(*, person, at) -> HealthFacts:
    """Every fact the card rules read, from the apps that hold them: an open case or an isolation order is
    F0; an active quarantine order is F1; a contact told of an exposure and not yet under an order is
    "exposed"; a closed case with outcome "recovered" gives the recovery date."""
    declared = declaration_selectors.symptoms_uncleared(person=person)
    doses = vaccination_selectors.vaccination_facts(person=person, on=clock.localdate(at))
    negative = testing_selectors.last_negative_test_at(person=person)
    order = quarantine_selectors.active_order_of(person=person)
    in_isolation = order is not None and order.kind == OrderKind.ISOLATION
    return HealthFacts(
        **doses,
        recovered_on=tracing_selectors.recovered_on(person=person),
        last_negative_test_at=negative if negative and negative <= at else None,
        active_case=in_isolation or tracing_selectors.open_case_of(person=person) is not None,
        in_quarantine=order is not None and order.kind == OrderKind.QUARANTINE,
        exposed_on=tracing_selectors.exposed_on(person=person),
        symptoms_declared_on=clock.localdate(declared.declared_at) if declared else None,
    )


def card_for(*, person, at=None) -> Card:
    at = at or clock.now()
    ruleset = rule_services.current(rules.CARD_RULES.domain, at=at.date())
    return card_from_facts(
        health_facts(person=person, at=at),
        values=ruleset.values,
        rule_version=f"{ruleset.domain} {ruleset.version}",
        at=at,
    )


@dataclass(frozen=True)
class CheckpointResult:
    """What a checkpoint sees after a scan: the code's verdict, and if it names a person, their card."""

    scan: ScannedCode
    person: Person | None = None
    card: Card | None = None
    note: str = ""


CHECKPOINT_FIELDS = ["full_name", "birth_date", "covid_card"]


@transaction.atomic
def checkpoint_scan(*, assignment, text: str) -> CheckpointResult:
    """Verify a scanned code and, when it names a person, read their card (an audited read).

    Presenting one's code is the reason the checkpoint's unit may read the card: it is recorded as an
    access grant for one shift. A forged code (invalid signature) is never looked up.
    """
    if not assignment.allows("person.status"):
        raise Forbidden(_("Your role cannot read COVID cards."), code="no_permission")
    scan = qr_services.qr_verify(text=text)
    if scan.kind in ("venue", "unknown") or scan.signature == "invalid":
        return CheckpointResult(scan, note=scan.message)
    person = qr_services.person_for_code(scan=scan)
    if person is None:
        return CheckpointResult(scan, note=_("No person in the platform matches this code."))
    hours = rule_services.current(rules.CHECKPOINT_RULES.domain).values["read_grant_hours"]
    account_services.access_grant_create(
        person=person,
        unit=assignment.unit,
        source_type="status.checkpoint",
        source_id=str(assignment.pk),
        reason=f"presented a QR code at a checkpoint of {assignment.unit.name}",
        expires_at=clock.now() + dt.timedelta(hours=hours),
    )
    person = identity_selectors.person_get(
        assignment=assignment,
        qid=person.qid,
        purpose=Purpose.EPIDEMIC_CONTROL,
        action="person.status",
        fields=CHECKPOINT_FIELDS,
    )
    return CheckpointResult(scan, person, card_for(person=person), scan.message)
