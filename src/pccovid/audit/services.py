"""Writing the audit trail. Called by selectors that hand personal data to an official."""

from collections.abc import Iterable

from pccovid.accounts import selectors as account_selectors
from pccovid.audit.models import PersonalDataRead, Purpose
from pccovid.core import clock
from pccovid.core.errors import ApplicationError


def purpose_check(purpose: str) -> str:
    if purpose not in Purpose.values:
        raise ApplicationError(
            f"Unknown purpose '{purpose}'. Use one of: {', '.join(Purpose.values)}.",
            code="invalid_purpose",
            field="purpose",
        )
    return purpose


def _reach_reason(person, assignment) -> str:
    unit = assignment.unit
    if person.residence_unit.edition == unit.edition and person.residence_unit.path.startswith(unit.path):
        return f"residence in {unit.name}"
    reason = account_selectors.access_grant_reason(person_id=person.pk, unit=unit)
    return reason or "unknown"


def personal_data_reads_record(*, assignment, persons: Iterable, fields: list[str], purpose: str) -> int:
    """One append-only row per person shown to the official. `persons` must have residence_unit loaded."""
    at = clock.now()
    rows = [
        PersonalDataRead(
            actor_id=assignment.user_id,
            role=assignment.role,
            unit_id=assignment.unit_id,
            person_id=person.pk,
            fields=fields,
            purpose=purpose,
            reason=_reach_reason(person, assignment),
            at=at,
        )
        for person in persons
    ]
    PersonalDataRead.objects.bulk_create(rows)
    return len(rows)
