"""Phone-only legacy records (a Bluezone registration: a phone and an app id, nothing else) go to the
citizen who proves the phone.

No linkage can place such a record at 99.9% precision: one in twenty named a family member's phone, and
a phone alone cannot say which member. But the citizen who signs in with a one-time code sent to that
phone holds it: the record is theirs (or their household's, and they answer for it), as PC-Covid carried
Bluezone accounts over by phone. A record waiting for review is decided the same way. The citizen can
still say "this record is not mine" (`corrections.py`), which undoes the link.
"""

from django.db import transaction
from django.db.models import Q

from pccovid.core import clock
from pccovid.events.models import OutboxEvent
from pccovid.migration import merge
from pccovid.migration.models import RecordLink, StagedRecord

PHONE_VERIFIED = "accounts.phone_verified"
EXPLANATION = "phone:verified with a one-time code at sign-in"


# A staged record that carries nothing naming a person but (perhaps) a phone.
PHONE_ONLY = Q(
    name_key="", birth_date__isnull=True, birth_year__isnull=True, cccd="", cmnd="", health_insurance=""
)


def phone_only_records(*, phone: str):
    """Staged records that carry this phone and nothing else that names a person."""
    return StagedRecord.objects.filter(PHONE_ONLY, phone=phone)


@transaction.atomic
def phone_claims_link(*, person_id: int, phone: str) -> int:
    """Link the phone's unlinked or in-review phone-only records to the person; merge them. Returns how
    many records were linked. Records already linked, rejected or undone are left alone."""
    now = clock.now()
    records = phone_only_records(phone=phone)
    claimable = records.filter(link__isnull=True).values_list("pk", flat=True)
    links = [
        RecordLink(staged_record_id=pk, person_id=person_id, method=RecordLink.Method.PHONE_CLAIM,
                   explanation=EXPLANATION, status=RecordLink.Status.LINKED, created_at=now)
        for pk in claimable
    ]  # fmt: skip
    RecordLink.objects.bulk_create(links)
    decided = RecordLink.objects.filter(staged_record__in=records, status=RecordLink.Status.REVIEW).update(
        person_id=person_id, method=RecordLink.Method.PHONE_CLAIM, explanation=EXPLANATION,
        status=RecordLink.Status.LINKED, weight=None, probability=None, decided_at=now,
        decision_note="claimed by the phone's owner at sign-in",
    )  # fmt: skip
    if links or decided:
        merge.links_merge(person_ids=[person_id])
    return len(links) + decided


def on_phone_verified(event: OutboxEvent) -> None:
    phone_claims_link(person_id=event.payload["person_id"], phone=event.payload["phone"])
