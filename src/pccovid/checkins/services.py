"""Venues (register, re-issue the poster's QR, deactivate), check-ins (by a citizen scanning a venue's
poster, or in bulk from a venue's scanner device) and their retention purge."""

import datetime as dt
import logging
import re
import secrets
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pccovid.checkins import selectors
from pccovid.checkins.models import CheckIn, CheckInHow, Venue, VenueCategory, new_qr_token, new_venue_code
from pccovid.core import clock
from pccovid.core.errors import ApplicationError
from pccovid.core.services import model_update
from pccovid.geography import selectors as geography_selectors
from pccovid.identity import selectors as identity_selectors
from pccovid.qr import formats as qr_formats
from pccovid.qr import services as qr_services

logger = logging.getLogger("pccovid.checkins")

MAX_BATCH = 1000
# A scanner's clock may run a little ahead of ours; an event further in the future is a wrong clock.
CLOCK_SKEW = dt.timedelta(minutes=10)
_EVENT_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class VenueError(ApplicationError):
    code = "venue_invalid"


class CheckInError(ApplicationError):
    code = "checkin_refused"


class BatchTooLarge(ApplicationError):
    status = 422
    code = "batch_too_large"


@dataclass(frozen=True)
class EventResult:
    """What became of one event of a batch: "stored", "duplicate" or "rejected" (with reason and message)."""

    client_event_id: str
    result: str
    reason: str = ""
    message: str = ""


@dataclass(frozen=True)
class IngestReport:
    results: list[EventResult]

    def _count(self, result: str) -> int:
        return sum(1 for r in self.results if r.result == result)

    @property
    def stored(self) -> int:
        return self._count("stored")

    @property
    def duplicates(self) -> int:
        return self._count("duplicate")

    @property
    def rejected(self) -> int:
        return self._count("rejected")


def _clean_text(value: str, *, field: str, max_length: int, required: bool = False) -> str:
    text = " ".join(unicodedata.normalize("NFC", value).split())
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise VenueError(_("Remove the control characters from this text."), field=field)
    if required and not text:
        raise VenueError(_("This field is required."), field=field)
    if len(text) > max_length:
        raise VenueError(_("At most %(n)d characters.") % {"n": max_length}, field=field)
    return text


def _commune(unit_code: str):
    unit = geography_selectors.current_commune(code=unit_code)
    if unit is None:
        raise VenueError(
            _("No commune or ward has the code %(code)s on the current (2025) map.")
            % {"code": (unit_code or "").strip()[:20]},
            field="unit_code",
        )
    return unit


def _unused_venue_code() -> str:
    for _attempt in range(5):
        code = new_venue_code()
        if not Venue.objects.filter(code=code).exists():
            return code
    raise VenueError(_("Could not draw a free venue code; try again."), code="venue_code_exhausted")


@transaction.atomic
def venue_register(*, operator, name: str, category: str, unit_code: str, address_line: str = "") -> Venue:
    """Register a venue run by `operator` (any signed-in user) in a commune of the current map."""
    if category not in VenueCategory.values:
        raise VenueError(_("Choose one of the venue categories."), field="category")
    return Venue.objects.create(
        code=_unused_venue_code(),
        name=_clean_text(name, field="name", max_length=120, required=True),
        category=category,
        unit=_commune(unit_code),
        address_line=_clean_text(address_line, field="address_line", max_length=200),
        operator=operator,
        qr_issued_at=clock.now(),
    )


@transaction.atomic
def venue_qr_reissue(*, operator, venue_code: str) -> Venue:
    """A new poster token: every poster printed before stops working (a photographed poster used
    elsewhere, a venue that moved)."""
    venue = selectors.venue_of_operator(operator=operator, venue_code=venue_code)
    venue, _changed = model_update(
        instance=venue,
        fields=["qr_token", "qr_issued_at"],
        data={"qr_token": new_qr_token(), "qr_issued_at": clock.now()},
    )
    return venue


@transaction.atomic
def venue_deactivate(*, operator, venue_code: str) -> Venue:
    """Close the venue for check-in (its posters are refused); its past check-ins stay until retention."""
    venue = selectors.venue_of_operator(operator=operator, venue_code=venue_code)
    venue, _changed = model_update(instance=venue, fields=["active"], data={"active": False})
    return venue


def venue_for_scan(*, venue_text: str) -> Venue:
    """The venue a scanned poster names, if the poster is current and the venue open; else why not."""
    scanned = qr_formats.parse_venue(venue_text)
    if scanned is None:
        raise CheckInError(
            _("This is not a venue QR code. Scan the PC-Covid poster at the venue's entrance."),
            code="not_a_venue_qr",
            field="venue_text",
        )
    venue = selectors.venue_by_code(code=scanned.venue_code)
    if venue is None:
        raise CheckInError(
            _("This venue is not registered on PC-Covid."), code="unknown_venue", field="venue_text"
        )
    if not venue.active:
        raise CheckInError(_("This venue is closed for check-in."), code="venue_inactive", field="venue_text")
    if not secrets.compare_digest(venue.qr_token, scanned.token):
        raise CheckInError(
            _("This poster is no longer valid; ask the venue for the current one."),
            code="venue_qr_revoked",
            field="venue_text",
        )
    return venue


def _people_checking_in(*, person, members: Sequence[str]) -> list:
    household = {m.qid: m for m in identity_selectors.household_members(person=person)}
    household[person.qid] = person
    strangers = [qid for qid in members if qid not in household]
    if strangers:
        raise CheckInError(
            _("You can check in only yourself and members of your household."),
            code="not_household_member",
            field="members",
        )
    return [person] + [household[qid] for qid in dict.fromkeys(members) if qid != person.qid]


@transaction.atomic
def checkin_by_citizen(
    *, user, venue_text: str, members: Sequence[str], at: dt.datetime | None = None
) -> list[CheckIn]:
    """The signed-in citizen scanned a venue's poster: check in them and the household `members` (qids)
    who came along, in one tap. Returns one check-in per person, the citizen first."""
    person = identity_selectors.person_own(user=user)
    if person is None:
        raise CheckInError(_("Link your account to your record before checking in."), code="not_linked")
    venue = venue_for_scan(venue_text=venue_text)
    at = at or clock.now()
    return CheckIn.objects.bulk_create(
        [
            CheckIn(person=p, venue=venue, at=at, how=CheckInHow.CITIZEN_SCAN, recorded_by=user)
            for p in _people_checking_in(person=person, members=members)
        ]
    )


@dataclass(frozen=True)
class _Candidate:
    """An event whose id and time are well formed; its QR is read only when the id is new."""

    index: int
    client_event_id: str
    qr_text: str
    at: dt.datetime


def _rejected(event_id: str, reason: str, message: str) -> EventResult:
    return EventResult(client_event_id=event_id, result="rejected", reason=reason, message=message)


def _event_candidate(
    index: int, event: Mapping[str, Any], *, oldest: dt.datetime, latest: dt.datetime
) -> _Candidate | EventResult:
    event_id = str(event.get("client_event_id") or "")[:64]
    if not _EVENT_ID.fullmatch(event_id):
        return _rejected(event_id, "invalid_event_id", _("The event id must be 1-64 letters, digits or ._:-"))
    at = event.get("at")
    if not isinstance(at, dt.datetime):
        return _rejected(event_id, "invalid_time", _("The event has no valid time."))
    if timezone.is_naive(at):
        at = timezone.make_aware(at)  # the scanner's local time: Asia/Ho_Chi_Minh
    if at > latest:
        return _rejected(event_id, "time_in_future", _("The event's time is in the future."))
    if at < oldest:
        return _rejected(event_id, "too_old", _("The event is older than the retention period."))
    return _Candidate(index=index, client_event_id=event_id, qr_text=str(event.get("qr_text") or ""), at=at)


def _scanned_qid(candidate: _Candidate) -> str | EventResult:
    """The QID of the event's personal QR, or why it is refused."""
    scanned = qr_services.qr_verify(text=candidate.qr_text)
    if scanned.kind != "personal":
        return _rejected(
            candidate.client_event_id, "not_personal_qr", _("The scanned code is not a personal QR code.")
        )
    if not scanned.accepted:  # a forged, expired or damaged signature; unsigned national codes pass
        return _rejected(candidate.client_event_id, scanned.reason, scanned.message)
    return scanned.fields["qid"]


def _stored_event_ids(*, recorded_by, event_ids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(event_ids), 500):
        found.update(
            CheckIn.objects.filter(
                recorded_by=recorded_by, client_event_id__in=event_ids[start : start + 500]
            ).values_list("client_event_id", flat=True)
        )
    return found


@transaction.atomic
def checkins_bulk_ingest(
    *, recorded_by, venue_code: str, events: Sequence[Mapping[str, Any]]
) -> IngestReport:
    """Store a scanner device's batch of check-ins (`client_event_id`, `qr_text` of a personal QR, `at`).

    Only the venue's operator (signed in, or through one of their device tokens) ingests for it. Each event
    is stored, a duplicate (its id was already stored for this account, or is stored earlier in the batch:
    a resent batch changes nothing) or rejected with a reason. The stored rows are one transaction.
    Duplicates are found before any QR is verified, so a resent batch costs no signature checks.
    A deactivated venue still accepts batches: they were collected offline while it was open.
    """
    if len(events) > MAX_BATCH:
        raise BatchTooLarge(_("Send at most %(n)d events per batch.") % {"n": MAX_BATCH}, field="events")
    venue = selectors.venue_of_operator(operator=recorded_by, venue_code=venue_code)
    list(Venue.objects.select_for_update().filter(pk=venue.pk).values_list("pk"))  # one batch at a time
    now = clock.now()
    oldest = now - dt.timedelta(days=selectors.retention_days(on=timezone.localdate(now)))
    parsed = [
        _event_candidate(i, event, oldest=oldest, latest=now + CLOCK_SKEW) for i, event in enumerate(events)
    ]
    candidates = [c for c in parsed if isinstance(c, _Candidate)]
    first: dict[str, _Candidate] = {}
    for candidate in candidates:
        first.setdefault(candidate.client_event_id, candidate)
    stored = _stored_event_ids(recorded_by=recorded_by, event_ids=list(first))
    scans = {c.client_event_id: _scanned_qid(c) for c in first.values() if c.client_event_id not in stored}
    person_ids = identity_selectors.person_ids_by_qid(qids={q for q in scans.values() if isinstance(q, str)})
    outcome: dict[str, EventResult] = {}
    rows = []
    for event_id, qid in scans.items():
        if isinstance(qid, EventResult):
            outcome[event_id] = qid
        elif qid not in person_ids:
            outcome[event_id] = _rejected(
                event_id, "unknown_person", _("No person on PC-Covid has this QR code.")
            )
        else:
            outcome[event_id] = EventResult(client_event_id=event_id, result="stored")
            rows.append(
                CheckIn(
                    person_id=person_ids[qid],
                    venue=venue,
                    at=first[event_id].at,
                    how=CheckInHow.VENUE_SCAN,
                    recorded_by=recorded_by,
                    client_event_id=event_id,
                )
            )
    CheckIn.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    results = list(parsed)
    for candidate in candidates:
        own = outcome.get(candidate.client_event_id)
        repeat = first[candidate.client_event_id] is not candidate
        if own is None or (repeat and own.result == "stored"):
            own = EventResult(client_event_id=candidate.client_event_id, result="duplicate")
        results[candidate.index] = own
    return IngestReport(results=results)


@transaction.atomic
def checkins_purge_expired(*, now: dt.datetime) -> int:
    """Delete check-ins older than the retention rule in force, except those held for a case."""
    days = selectors.retention_days(on=timezone.localdate(now))
    deleted, _by_model = CheckIn.objects.filter(
        at__lt=now - dt.timedelta(days=days), held_for_case__isnull=True
    ).delete()
    logger.info("purged %d check-ins older than %d days", deleted, days)
    return deleted


def checkins_hold_for_case(*, checkin_ids: Sequence[int], case_code: str) -> int:
    """Keep these check-ins past retention as the evidence of a case investigation. A check-in already held
    for another case keeps that hold (either case's hold keeps it). Returns how many were newly held."""
    held = 0
    ids = sorted(set(checkin_ids))
    for start in range(0, len(ids), 500):
        held += CheckIn.objects.filter(pk__in=ids[start : start + 500], held_for_case__isnull=True).update(
            held_for_case=case_code
        )
    return held
