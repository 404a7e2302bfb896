"""What the old apps said about a citizen, and the citizen's corrections to it (issue 7, item 6).

A citizen sees each linked legacy record as a card marked with its source and date ("from NCOVI,
12/08/2021"); a record whose merge made a test result or a declaration is shown by the test results or
declarations page, so its card only points there (`shown_in`) and keeps the "not mine" action. They may
say a record is not theirs (a data engineer of their province decides: accepting undoes the link, so the
record and what its merge created go) or that a dose is missing (the vaccination site they name
decides: accepting records the dose through `vaccination.services.dose_record`, every dose rule checked).
The outcome is what the citizen is told.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pccovid.accounts import services as account_services
from pccovid.audit import services as audit_services
from pccovid.audit.models import Purpose
from pccovid.core import clock
from pccovid.core.errors import ApplicationError, NotFound
from pccovid.identity import selectors as identity_selectors
from pccovid.identity.models import Person
from pccovid.migration import merge
from pccovid.migration import selectors as migration_selectors
from pccovid.migration.models import CorrectionRequest, FieldValue, LinkEffect, RecordLink
from pccovid.vaccination import rules as vaccination_rules
from pccovid.vaccination import selectors as vaccination_selectors
from pccovid.vaccination import services as vaccination_services
from pccovid.vaccination.models import VaccinationSite

Kind = CorrectionRequest.Kind
Status = CorrectionRequest.Status
# Short names of the sources, as the citizen reads them ("from NCOVI, 12/08/2021").
SOURCE_NAMES = {
    "ncovi": "NCOVI",
    "vneid": "VNEID",
    "bluezone": "Bluezone",
    "vaccination": gettext_lazy("the electronic health book"),
    "ward_tests": gettext_lazy("the ward's test list"),
    "ward_vaccinations": gettext_lazy("the ward's vaccination list"),
    "social_insurance": gettext_lazy("social insurance"),
}
RECORD_KINDS = {
    "ncovi": "declaration", "vneid": "declaration", "bluezone": "bluezone", "vaccination": "dose",
    "ward_vaccinations": "dose", "ward_tests": "test", "social_insurance": "health_insurance",
}  # fmt: skip
# Payload field -> label, in the order a card shows them.
FACTS = {
    "ncovi": (("symptoms", gettext_lazy("Symptoms")), ("exposure", gettext_lazy("Contact with a case")),
              ("entry_gate", gettext_lazy("Entry gate")), ("flight", gettext_lazy("Flight"))),
    "vneid": (("health", gettext_lazy("Health")),),
    "bluezone": (("bluezone_id", gettext_lazy("Bluezone ID")),),
    "vaccination": (("dose_number", gettext_lazy("Dose")), ("vaccine", gettext_lazy("Vaccine")),
                    ("vaccinated_on", gettext_lazy("Date given")), ("lot", gettext_lazy("Lot")),
                    ("site", gettext_lazy("Site"))),
    "ward_vaccinations": (("Mũi", gettext_lazy("Dose")), ("Loại vắc xin", gettext_lazy("Vaccine")),
                          ("Ngày tiêm", gettext_lazy("Date given")), ("Phường/Xã", gettext_lazy("Ward"))),
    "ward_tests": (("Loại xét nghiệm", gettext_lazy("Test")), ("Kết quả", gettext_lazy("Result")),
                   ("Ngày lấy mẫu", gettext_lazy("Sampled on")), ("Phường/Xã", gettext_lazy("Ward"))),
    "social_insurance": (("card_number", gettext_lazy("Health insurance card")),
                         ("facility", gettext_lazy("Primary care facility")),
                         ("valid_from", gettext_lazy("Valid from")), ("valid_to", gettext_lazy("Valid to"))),
}  # fmt: skip
# A record's merge that created one of these: the item is shown by that app's page, with its source mark.
SHOWN_IN = {LinkEffect.Kind.TEST: "testing", LinkEffect.Kind.DECLARATION: "declarations"}
DATE_FIELDS = {"vaccinated_on", "Ngày tiêm", "Ngày lấy mẫu", "valid_from", "valid_to"}
REQUEST_FIELDS = ["full_name", "birth_date", "correction_request"]
MAX_DOSE_NUMBER = 9
MESSAGE_MAX = 500
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class CorrectionError(ApplicationError):
    code = "correction"


class CorrectionConflict(CorrectionError):
    """The same request is already waiting, or this one was already decided."""

    status = 409
    code = "correction_conflict"


@dataclass
class LegacyItem:
    """One card of the citizen's "From the old apps" page."""

    link_id: int
    source: str
    source_name: str
    recorded_on: dt.date | None
    kind: str
    title: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    dose_status: str | None = None  # counts, kept_apart, not_read
    dose_note: str = ""
    open_request: bool = False
    shown_in: str = ""  # "testing" or "declarations": the item now lives there; this card only points to it

    @property
    def summary(self) -> str:
        return "; ".join(f"{label}: {value}" for label, value in self.facts)


def source_name(source: str) -> str:
    return str(SOURCE_NAMES.get(source, source))


def _shown(name: str, value: str) -> str:
    if name in DATE_FIELDS and value:
        return date_format(dt.date.fromisoformat(value[:10]), "d/m/Y")
    return value


def _title(link: RecordLink, kind: str) -> str:
    payload = link.staged_record.payload
    if kind == "declaration":
        entry = payload.get("declaration_type") == "entry"
        return _("Entry health declaration") if entry else _("Domestic health declaration")
    titles = {
        "dose": _("Vaccination"), "test": _("Test result"), "health_insurance": _("Health insurance card"),
        "bluezone": _("Bluezone registration"),
    }  # fmt: skip
    return titles[kind]


def _facts(link: RecordLink) -> list[tuple[str, str]]:
    record = link.staged_record
    facts = [
        (str(label), _shown(name, str(record.payload.get(name) or "")))
        for name, label in FACTS.get(record.source, ())
    ]
    if record.source == "social_insurance" and not record.payload.get("card_number"):
        facts.insert(0, (_("Health insurance card"), record.health_insurance))
    return [(label, value) for label, value in facts if value]


def _dose_status(link: RecordLink) -> tuple[str, str]:
    """Whether the record's dose counts (added or confirming a recorded dose) or was kept apart, and why:
    an alternative's value is `number|product|date|reason`."""
    dose = next((v for v in link.field_values.all() if v.field == "dose"), None)
    if dose is None:
        return "not_read", _("The dose could not be read from this record: it is not counted.")
    if dose.role in (FieldValue.Role.ADDED, FieldValue.Role.CONFIRMS):
        return "counts", ""
    parts = dose.value.split("|")
    return "kept_apart", parts[-1] if len(parts) > 3 else ""


def _item(link: RecordLink, open_links: set[int]) -> LegacyItem:
    record = link.staged_record
    kind = RECORD_KINDS.get(record.source, "record")
    item = LegacyItem(
        link_id=link.pk, source=record.source, source_name=source_name(record.source),
        recorded_on=merge.record_date(record), kind=kind, title=_title(link, kind) if kind != "record"
        else record.source, facts=_facts(link), open_request=link.pk in open_links,
    )  # fmt: skip
    if kind == "dose" and link.merged:
        item.dose_status, item.dose_note = _dose_status(link)
    item.shown_in = _shown_in(link)
    return item


def _shown_in(link: RecordLink) -> str:
    """The app whose page shows what the merge made of this record (its test result, its declaration)."""
    kinds = {effect.kind for effect in link.effects.all()}
    return next((app for kind, app in SHOWN_IN.items() if kind in kinds), "")


def legacy_items_of(*, person: Person) -> list[LegacyItem]:
    """The person's linked legacy records as cards, newest first (the citizen's own view: no audit)."""
    open_links = set(
        CorrectionRequest.objects.filter(person=person, kind=Kind.NOT_MINE, status=Status.OPEN).values_list(
            "link_id", flat=True
        )
    )
    return [_item(link, open_links) for link in migration_selectors.legacy_records_of(person=person)]


def corrections_mine(*, person: Person) -> QuerySet[CorrectionRequest]:
    return (
        CorrectionRequest.objects.filter(person=person).select_related("site").order_by("-created_at", "-pk")
    )


def sites_to_ask() -> QuerySet[VaccinationSite]:
    """The vaccination sites a citizen may name as where a missing dose was given."""
    return VaccinationSite.objects.select_related("unit").order_by("name")


def own_person(user) -> Person:
    person = identity_selectors.person_own(user=user)
    if person is None:
        raise NotFound(_("Your account is not linked to a person yet: link it with your ID number."))
    return person


def _message(text: str) -> str:
    text = (text or "").strip()
    if len(text) > MESSAGE_MAX or _CONTROL.search(text):
        raise CorrectionError(
            _("Message: at most %(n)d characters, without control characters.") % {"n": MESSAGE_MAX},
            field="message",
        )
    return text


@transaction.atomic
def request_not_mine(*, user, link_id: int, message: str = "") -> CorrectionRequest:
    """ "This record is not mine": a request to the data engineers of the citizen's province."""
    person = own_person(user)
    link = (
        RecordLink.objects.select_for_update()
        .select_related("staged_record")
        .filter(pk=link_id, person=person, status=RecordLink.Status.LINKED)
        .first()
    )
    if link is None:
        raise NotFound(_("You have no record %(id)s from the old apps.") % {"id": link_id})
    if CorrectionRequest.objects.filter(link=link, kind=Kind.NOT_MINE, status=Status.OPEN).exists():
        raise CorrectionConflict(_("You already said this record is not yours: it is being checked."))
    item = _item(link, set())
    details = {
        "source": item.source,
        "recorded_on": item.recorded_on.isoformat() if item.recorded_on else None,
        "kind": item.kind,
        "summary": f"{item.title}: {item.summary}"[:300],
    }
    return CorrectionRequest.objects.create(
        person=person, kind=Kind.NOT_MINE, link=link, details=details, message=_message(message),
        created_at=clock.now(),
    )  # fmt: skip


def _dose_missing_checks(person: Person, dose_number: int, given_on: dt.date) -> None:
    if dose_number is None or not 1 <= dose_number <= MAX_DOSE_NUMBER:
        raise CorrectionError(
            _("Dose number is between 1 and %(n)d.") % {"n": MAX_DOSE_NUMBER}, field="dose_number"
        )
    if given_on is None or given_on > clock.today():
        raise CorrectionError(_("Date given cannot be in the future."), field="given_on")
    if given_on < person.birth_date:
        raise CorrectionError(_("Date given cannot be before your birth."), field="given_on")
    recorded = {dose.dose_number: dose for dose in vaccination_selectors.doses_of(person=person)}
    if dose_number in recorded:
        raise CorrectionError(
            _("Dose %(n)d is already recorded (given on %(date)s).")
            % {"n": dose_number, "date": f"{recorded[dose_number].given_on:%d/%m/%Y}"},
            field="dose_number",
        )
    waiting = CorrectionRequest.objects.filter(person=person, kind=Kind.DOSE_MISSING, status=Status.OPEN)
    if waiting.filter(details__dose_number=dose_number).exists():
        raise CorrectionConflict(
            _("You already asked for dose %(n)d: it is being checked.") % {"n": dose_number},
            field="dose_number",
        )


@transaction.atomic
def request_dose_missing(
    *, user, dose_number: int, given_on: dt.date, product_code: str, site_code: str, message: str = ""
) -> CorrectionRequest:
    """ "A dose is missing": a request to the vaccination site the citizen names. Asking puts the citizen in
    the reach of the site's commune for the site-read window, so its health workers may check them."""
    person = Person.objects.select_for_update().select_related("residence_unit").get(pk=own_person(user).pk)
    _dose_missing_checks(person, dose_number, given_on)
    product = vaccination_selectors.product_by_code(code=(product_code or "").strip())
    if product is None:
        raise CorrectionError(_("Vaccine: choose one of the list."), field="product_code")
    site = vaccination_selectors.site_by_code(code=(site_code or "").strip())
    if site is None:
        raise CorrectionError(_("Site: choose one of the list."), field="site_code")
    request = CorrectionRequest.objects.create(
        person=person, kind=Kind.DOSE_MISSING, site=site, message=_message(message), created_at=clock.now(),
        details={"dose_number": dose_number, "given_on": given_on.isoformat(), "product_code": product.code,
                 "product_name": product.name, "site_code": site.code},
    )  # fmt: skip
    days = vaccination_selectors.policy(at=clock.today()).values["site_read_grant_days"]
    account_services.access_grant_create(
        person=person, unit=site.unit, reason=f"asked {site.name} to record a missing dose",
        source_type="migration.correction", source_id=str(request.pk),
        expires_at=clock.now() + dt.timedelta(days=days),
    )  # fmt: skip
    return request


def _requests_in_reach(assignment) -> QuerySet[CorrectionRequest]:
    """Not-mine requests of people in a data engineer's reach; dose requests of the sites in a health
    worker's reach. Anything else looks absent."""
    requests = CorrectionRequest.objects.none()
    if assignment is None or not assignment.active:
        return requests
    if assignment.allows("legacy.review"):
        links = RecordLink.objects.restrict_to(assignment, "legacy.review").values("pk")
        requests |= CorrectionRequest.objects.filter(kind=Kind.NOT_MINE, link__in=links)
    if assignment.role in vaccination_rules.RECORD_ROLES:
        sites = vaccination_selectors.sites_in_reach(assignment=assignment).values("pk")
        requests |= CorrectionRequest.objects.filter(kind=Kind.DOSE_MISSING, site__in=sites)
    return requests


def corrections_open(*, assignment, limit: int = 100) -> list[CorrectionRequest]:
    """The open requests the official may decide, oldest first. Showing them is an audited read."""
    rows = list(
        _requests_in_reach(assignment)
        .filter(status=Status.OPEN)
        .select_related("person__residence_unit", "site", "link__staged_record")
        .order_by("created_at", "pk")[:limit]
    )
    persons = {row.person_id: row.person for row in rows}.values()
    audit_services.personal_data_reads_record(
        assignment=assignment, persons=persons, fields=REQUEST_FIELDS, purpose=Purpose.CITIZEN_SUPPORT
    )
    return rows


def _outcome(text: str, *, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise CorrectionError(_("Outcome: tell the citizen why."), field="outcome")
    if len(text) > MESSAGE_MAX or _CONTROL.search(text):
        raise CorrectionError(
            _("Outcome: at most %(n)d characters, without control characters.") % {"n": MESSAGE_MAX},
            field="outcome",
        )
    return text


def _accept_not_mine(assignment, request: CorrectionRequest, outcome: str) -> str:
    reason = f"correction request {request.pk}: {request.message or 'not mine'}"
    merge.link_undo(link_id=request.link_id, user=assignment.user, reason=reason)
    return outcome


def _accept_dose_missing(
    assignment, request: CorrectionRequest, outcome: str, lot_number: str, dose: dict
) -> str:
    """Record the dose as the site's health worker would: lot, sequence and interval rules all apply."""
    details = request.details
    recorded = vaccination_services.dose_record(
        assignment=assignment,
        person_qid=request.person.qid,
        product_code=dose.get("product_code") or details["product_code"],
        lot_number=lot_number,
        dose_number=dose.get("dose_number") or details["dose_number"],
        given_on=dose.get("given_on") or dt.date.fromisoformat(details["given_on"]),
        site_code=request.site.code,
    )
    request.details = {**details, "recorded_dose_number": recorded.dose_number,
                       "recorded_given_on": recorded.given_on.isoformat()}  # fmt: skip
    return outcome


@transaction.atomic
def request_resolve(
    *,
    assignment,
    request_id: int,
    accept: bool,
    outcome: str = "",
    lot_number: str = "",
    dose: dict | None = None,
) -> CorrectionRequest:
    """Accept or reject a request in the official's reach; `outcome` is what the citizen is told (needed
    to reject). Accepting a dose request needs the lot; `dose` may correct the citizen's dose number,
    product or date. A refusal of the vaccination rules rolls everything back."""
    request = (
        _requests_in_reach(assignment)
        .select_for_update(of=("self",))
        .select_related("person__residence_unit", "site")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise NotFound(_("No correction request %(id)s for you.") % {"id": request_id})
    if request.status != Status.OPEN:
        raise CorrectionConflict(
            _("This request was already decided (%(status)s).") % {"status": request.status}
        )
    outcome = _outcome(outcome, required=not accept)
    audit_services.personal_data_reads_record(
        assignment=assignment,
        persons=[request.person],
        fields=REQUEST_FIELDS,
        purpose=Purpose.CITIZEN_SUPPORT,
    )
    if accept and request.kind == Kind.NOT_MINE:
        outcome = _accept_not_mine(assignment, request, outcome)
    elif accept:
        outcome = _accept_dose_missing(assignment, request, outcome, lot_number, dose or {})
    request.status = Status.ACCEPTED if accept else Status.REJECTED
    request.outcome, request.resolved_by, request.resolved_at = outcome, assignment.user, clock.now()
    request.save(update_fields=["status", "outcome", "details", "resolved_by", "resolved_at"])
    return request


def outcome_of(request: CorrectionRequest) -> str:
    """What the citizen is told: the official's words, or what accepting did, in the reader's language."""
    if request.outcome or request.status != Status.ACCEPTED:
        return request.outcome
    if request.kind == Kind.NOT_MINE:
        return _("The record was removed from your profile.")
    given_on = dt.date.fromisoformat(request.details["recorded_given_on"])
    return _("Dose %(n)s of %(date)s was recorded in your vaccinations.") % {
        "n": request.details["recorded_dose_number"],
        "date": f"{given_on:%d/%m/%Y}",
    }
