"""Clerical review (issue 7, item 5): a data engineer settles a pair the model was unsure of.

Accepting links the record to the person and merges it at once (its doses count from then on);
rejecting leaves the record unlinked for good. Either way the decision names who and when, with a note;
reading the pair was audited when it was shown (`selectors.review_pair`).
"""

from django.db import transaction

from pccovid.core import clock
from pccovid.core.errors import ApplicationError, Forbidden, NotFound
from pccovid.migration import merge
from pccovid.migration.models import RecordLink


class ReviewError(ApplicationError):
    code = "legacy_review"


@transaction.atomic
def review_decide(*, assignment, link_id: int, accept: bool, note: str = "") -> RecordLink:
    if assignment is None or not assignment.allows("legacy.review"):
        raise Forbidden("Only a data engineer settles review pairs.")
    links = RecordLink.objects.restrict_to(assignment, "legacy.review").select_for_update()
    link = links.filter(pk=link_id).first()
    if link is None:
        raise NotFound(f"No review pair {link_id} in your jurisdiction.")
    if link.status != RecordLink.Status.REVIEW:
        raise ReviewError(f"Pair {link_id} was already settled ({link.status}).")
    link.status = RecordLink.Status.LINKED if accept else RecordLink.Status.REJECTED
    link.decided_by, link.decided_at, link.decision_note = assignment.user, clock.now(), note.strip()[:300]
    link.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if accept:
        merge.links_merge(person_ids=[link.person_id])
    return link
