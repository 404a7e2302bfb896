"""Merge with provenance (issue 7, item 6): what a linked legacy record gives its person, and its undoing.

A link's record never overwrites the person (the population register is the reference): each of its
identity values is kept as a `FieldValue` that confirms the person's value or is an alternative to it. A
health-insurance card the person lacked becomes their identifier. What the record holds of the person's
history goes into its domain through that domain's service, with source "legacy:<source>": a dose
(`vaccination.services.dose_import_legacy`, checked by the vaccination rules), a ward list's test result
(`testing.services.result_import_legacy`) and an NCOVI or VNEID declaration
(`declarations.services.declaration_import_legacy`). None of these fires what a new dose, result or
declaration fires (no case opened, no alert, no risk recount, no follow-up): they are 2021's history. Each
one leaves a `FieldValue` saying what became of it: `added`, `confirms` (the person already had it: two
sources holding one dose or test) or `alternative` (refused, e.g. it contradicts a recorded dose or another
result of the same sample day: kept apart, with the reason after the last "|"). The citizen then sees the
test result and the declaration in their test results and declarations, marked with their source and
date ("from NCOVI, 12/08/2021"), and the old apps' page points there instead of repeating them.

Everything a merge created outside this app is listed (`LinkEffect`), so `link_undo` removes exactly that.
"""

import datetime as dt
from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy

from pccovid.core import clock
from pccovid.core.errors import ApplicationError, NotFound
from pccovid.core.provenance import legacy_source
from pccovid.core.text import fold
from pccovid.declarations import services as declaration_services
from pccovid.declarations.errors import DeclarationError
from pccovid.declarations.models import Declaration
from pccovid.identity import services as identity_services
from pccovid.identity import validators
from pccovid.identity.models import IdentifierKind, Person, PersonIdentifier
from pccovid.migration.models import FieldValue, LinkEffect, RecordLink, StagedRecord
from pccovid.testing import services as testing_services
from pccovid.testing.errors import TestingError
from pccovid.testing.models import TestResult
from pccovid.vaccination import services as vaccination_services
from pccovid.vaccination.errors import VaccinationError
from pccovid.vaccination.models import Dose

Role = FieldValue.Role
# Where each source keeps the date it recorded the row, and a dose's number, vaccine and date.
RECORD_DATES = {
    "bluezone": "registered_at", "ncovi": "declared_at", "vneid": "declared_at",
    "vaccination": "vaccinated_on", "ward_tests": "Ngày lấy mẫu", "ward_vaccinations": "Ngày tiêm",
    "social_insurance": "valid_from",
}  # fmt: skip
DOSE_FIELDS = {
    "vaccination": ("dose_number", "vaccine", "vaccinated_on", "lot"),
    "ward_vaccinations": ("Mũi", "Loại vắc xin", "Ngày tiêm", ""),
}
# A ward list's test: its kind, sample day and result, as written ("PCR", "2021-09-01", "Âm tính").
TEST_FIELDS = {"ward_tests": ("Loại xét nghiệm", "Ngày lấy mẫu", "Kết quả")}
DECLARATION_SOURCES = {"ncovi", "vneid"}
# What the old declaration forms' free answers said (folded, one per comma) -> the form's question, per
# payload field. Other answers (VNEID's "health": "có triệu chứng" names no symptom) stay in the staged
# record only.
ANSWERS = {
    "symptoms": {
        "sot": "fever", "ho": "cough", "kho tho": "breathlessness", "dau hong": "sore_throat",
        "mat vi giac": "loss_of_taste_smell", "mat khuu giac": "loss_of_taste_smell", "met moi": "fatigue",
    },
    "exposure": {"co": "contact_with_case", "co tiep xuc": "contact_with_case"},
}  # fmt: skip
# Where each kind of effect lives, and what may protect it from being undone.
EFFECT_MODELS = {
    LinkEffect.Kind.DOSE: Dose, LinkEffect.Kind.IDENTIFIER: PersonIdentifier,
    LinkEffect.Kind.TEST: TestResult, LinkEffect.Kind.DECLARATION: Declaration,
}  # fmt: skip
PROTECTED = {
    LinkEffect.Kind.DOSE: gettext_lazy(
        "A dose of this record is used by a certificate; revoke it before undoing link %(link)d."
    ),
    LinkEffect.Kind.TEST: gettext_lazy(
        "A test result of this record is used by a case; release it before undoing link %(link)d."
    ),
    LinkEffect.Kind.DECLARATION: gettext_lazy(
        "A declaration of this record is in use; release it before undoing link %(link)d."
    ),
    LinkEffect.Kind.IDENTIFIER: gettext_lazy(
        "An identifier of this record is in use; release it before undoing link %(link)d."
    ),
}
DOMAIN_ERRORS = (VaccinationError, TestingError, DeclarationError)
# The vaccine names the old apps wrote (folded) -> the platform's product codes (vaccination/rules.py).
VACCINE_PRODUCTS = (
    ("astra", "EU/1/21/1529"), ("pfizer", "EU/1/20/1528"), ("comirnaty", "EU/1/20/1528"),
    ("moderna", "EU/1/20/1507"), ("spikevax", "EU/1/20/1507"), ("vero", "BBIBP-CorV"),
    ("sinopharm", "BBIBP-CorV"), ("sputnik", "Sputnik-V"), ("covishield", "Covishield"),
    ("hayat", "Hayat-Vax"), ("abdala", "Abdala"), ("sinovac", "CoronaVac"), ("janssen", "EU/1/20/1525"),
)  # fmt: skip


class MergeError(ApplicationError):
    code = "legacy_merge"


def record_date(record: StagedRecord) -> dt.date | None:
    """The day the source recorded the row ("from NCOVI, 12/08/2021")."""
    return _iso_date(record.payload.get(RECORD_DATES.get(record.source, "")))


def links_merge(*, person_ids: Iterable[int] | None = None) -> int:
    """Merge every linked, not yet merged record (of `person_ids`, or all); returns how many.

    Person by person, in one transaction each, doses in dose-number order (a ward list's dose 2 may
    arrive before the portal's dose 1)."""
    pending = RecordLink.objects.filter(status=RecordLink.Status.LINKED, merged=False)
    if person_ids is not None:
        pending = pending.filter(person_id__in=list(person_ids))
    merged = 0
    for person_id in pending.order_by().values_list("person_id", flat=True).distinct().iterator():
        merged += _person_merge(person_id)
    return merged


@transaction.atomic
def _person_merge(person_id: int) -> int:
    person = Person.objects.select_for_update().get(pk=person_id)
    links = list(
        RecordLink.objects.filter(person=person, status=RecordLink.Status.LINKED, merged=False)
        .select_related("staged_record", "staged_record__unit_2025")
        .order_by("pk")
    )
    identifiers = _identifiers_of(person)
    for link in sorted(links, key=_dose_order):
        _link_merge(link, person, identifiers)
    RecordLink.objects.filter(pk__in=[link.pk for link in links]).update(merged=True)
    return len(links)


def _dose_order(link: RecordLink) -> tuple[int, str]:
    dose = _dose_of(link.staged_record)
    return (dose[0], dose[2].isoformat()) if dose else (0, "")


def _social_insurance_merge(
    link: RecordLink, person: Person, identifiers: dict[str, set[str]], observed: dt.date | None
) -> list[FieldValue]:
    """The social insurance number of the record's card, added once: the key that finds the person by a
    later card (`linking`, a scanned card's QR). A number held by someone else is kept as an alternative."""
    record = link.staged_record
    number = validators.social_insurance_of_card(record.health_insurance)
    kind = IdentifierKind.SOCIAL_INSURANCE
    if number is None or number in identifiers.get(kind, ()):
        return []
    try:
        return [_identifier_added(link, person, identifiers, kind, number, observed)]
    except validators.IdentityError as error:
        return [FieldValue(person=person, link=link, field=kind, value=f"{number}|{error.message}"[:200],
                           role=Role.ALTERNATIVE, source=record.source, observed_on=observed)]  # fmt: skip


def _identifier_added(
    link: RecordLink,
    person: Person,
    identifiers: dict[str, set[str]],
    kind: str,
    value: str,
    observed: dt.date | None,
) -> FieldValue:
    """The record's `value` as the person's identifier of `kind` (an IdentityError when another person
    holds it), listed for undo; its provenance row (role `added`) is returned."""
    source = link.staged_record.source
    identifier = identity_services.identifier_add(
        person=person, identifier=identity_services.IdentifierIn(kind, value, legacy_source(source))
    )
    identifiers.setdefault(kind, set()).add(identifier.value)
    LinkEffect.objects.create(link=link, kind=LinkEffect.Kind.IDENTIFIER, object_id=identifier.pk)
    return FieldValue(person=person, link=link, field=kind, value=identifier.value, role=Role.ADDED,
                      source=source, observed_on=observed)  # fmt: skip


def _identifiers_of(person: Person) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for kind, value in PersonIdentifier.objects.filter(person=person).values_list("kind", "value"):
        found.setdefault(kind, set()).add(value)
    return found


def _link_merge(link: RecordLink, person: Person, identifiers: dict[str, set[str]]) -> None:
    record = link.staged_record
    observed = record_date(record)
    values = [
        FieldValue(person=person, link=link, field=name, value=value, role=role, source=record.source,
                   observed_on=observed)
        for name, value, role in _field_roles(record, person, identifiers)
    ]  # fmt: skip
    if record.health_insurance and not identifiers.get(IdentifierKind.HEALTH_INSURANCE):
        values.append(
            _identifier_added(
                link, person, identifiers, IdentifierKind.HEALTH_INSURANCE, record.health_insurance, observed
            )
        )
    values.extend(_social_insurance_merge(link, person, identifiers, observed))
    values.extend(_dose_merge(link, person, observed))
    values.extend(_test_merge(link, person, observed))
    values.extend(_declaration_merge(link, person, observed))
    FieldValue.objects.bulk_create(values)


def _field_roles(
    record: StagedRecord, person: Person, identifiers: dict[str, set[str]]
) -> list[tuple[str, str, str]]:
    """(field, the record's value, confirms/alternative) for each identity value the record carries."""
    checks: list[tuple[str, str, bool]] = []
    if record.full_name:
        checks.append(("full_name", record.full_name, record.name_key == person.name_key))
    if record.birth_date:
        agrees = person.birth_date in (record.birth_date, record.birth_alternative)
        checks.append(("birth_date", record.birth_date.isoformat(), agrees))
    elif record.birth_year:
        checks.append(("birth_date", str(record.birth_year), record.birth_year == person.birth_date.year))
    if record.sex:
        checks.append(("sex", record.sex, record.sex == person.sex))
    if record.unit_2025_id:
        checks.append(
            ("residence_unit", record.unit_2025.code, record.unit_2025_id == person.residence_unit_id)
        )
    for name, kind in (
        ("phone", IdentifierKind.PHONE),
        ("cccd", IdentifierKind.CCCD),
        ("cmnd", IdentifierKind.CMND),
    ):
        if value := getattr(record, name):
            checks.append((name, value, value in identifiers.get(kind, set())))
    if record.health_insurance and identifiers.get(IdentifierKind.HEALTH_INSURANCE):
        held = identifiers[IdentifierKind.HEALTH_INSURANCE]
        checks.append(("health_insurance", record.health_insurance, record.health_insurance in held))
    return [(name, value, Role.CONFIRMS if agrees else Role.ALTERNATIVE) for name, value, agrees in checks]


def _dose_of(record: StagedRecord) -> tuple[int, str, dt.date, str] | None:
    """(dose number, product code, date given, lot) of a dose record; None for other sources or a dose
    whose number or vaccine cannot be read (it is still shown to the citizen as the source wrote it)."""
    if record.source not in DOSE_FIELDS:
        return None
    number_field, vaccine_field, date_field, lot_field = DOSE_FIELDS[record.source]
    number = (record.payload.get(number_field) or "").strip()
    product = product_code_of(record.payload.get(vaccine_field, ""))
    if not number.isdigit() or int(number) < 1 or product is None:
        return None
    lot = record.payload.get(lot_field, "") if lot_field else ""
    return int(number), product, dt.date.fromisoformat(record.payload[date_field]), lot


def product_code_of(name: str) -> str | None:
    key = fold(name).replace(" ", "").replace("-", "")
    return next((code for word, code in VACCINE_PRODUCTS if word in key), None)


def _effect_merge(
    link: RecordLink,
    person: Person,
    observed: dt.date | None,
    *,
    field: str,
    value: str,
    kind: LinkEffect.Kind,
    write: Callable[[], object | None],
) -> FieldValue:
    """Write one item of the record into its domain through `write` (that domain's import service), and say
    what became of it: added (and listed as the link's effect), confirms (the person had it already) or
    alternative (refused by the domain's rules: kept apart, the reason after the last "|")."""
    role = Role.ADDED
    try:
        with transaction.atomic():
            created = write()
    except DOMAIN_ERRORS as error:
        value, role = f"{value}|{error.message}"[:200], Role.ALTERNATIVE
    else:
        if created is None:
            role = Role.CONFIRMS
        else:
            LinkEffect.objects.create(link=link, kind=kind, object_id=created.pk)
    return FieldValue(person=person, link=link, field=field, value=value, role=role,
                      source=link.staged_record.source, observed_on=observed)  # fmt: skip


def _dose_merge(link: RecordLink, person: Person, observed: dt.date | None) -> list[FieldValue]:
    """The record's dose as the person's dose; a conflict is kept as an alternative with its reason."""
    dose = _dose_of(link.staged_record)
    if dose is None:
        return []
    number, product, given_on, lot = dose
    source = link.staged_record.source
    return [_effect_merge(
        link, person, observed, field="dose", value=f"{number}|{product}|{given_on.isoformat()}",
        kind=LinkEffect.Kind.DOSE,
        write=lambda: vaccination_services.dose_import_legacy(
            person=person, product_code=product, dose_number=number, given_on=given_on, lot_number=lot,
            source=legacy_source(source),
        ),
    )]  # fmt: skip


def _iso_date(value: object) -> dt.date | None:
    """The date an ISO date or moment starts with; None when there is none (an odd payload)."""
    try:
        return dt.date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return None


def _test_merge(link: RecordLink, person: Person, observed: dt.date | None) -> list[FieldValue]:
    """A ward list's test as the person's test result. The same test already recorded confirms it; another
    result that day, or a kind or result the testing app cannot read, is kept apart with the reason."""
    record = link.staged_record
    if record.source not in TEST_FIELDS:
        return []
    kind_field, day_field, result_field = TEST_FIELDS[record.source]
    kind, result = str(record.payload.get(kind_field) or ""), str(record.payload.get(result_field) or "")
    sampled_on = _iso_date(record.payload.get(day_field))
    if sampled_on is None:
        return []  # not a readable test: it stays a card of the old apps' page
    return [_effect_merge(
        link, person, observed, field="test", value=f"{kind}|{sampled_on.isoformat()}|{result}",
        kind=LinkEffect.Kind.TEST,
        write=lambda: testing_services.result_import_legacy(
            person=person, kind=kind, sampled_on=sampled_on, result=result,
            source=legacy_source(record.source),
        ),
    )]  # fmt: skip


def _moment(value: object) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value or ""))
    except ValueError:
        return None


def _answers(record: StagedRecord) -> list[str]:
    """The form's questions that the record's free answers said yes to."""
    return [
        words[fold(phrase).strip()]
        for name, words in ANSWERS.items()
        for phrase in str(record.payload.get(name) or "").replace(";", ",").split(",")
        if fold(phrase).strip() in words
    ]


def _declaration_merge(link: RecordLink, person: Person, observed: dt.date | None) -> list[FieldValue]:
    """An NCOVI or VNEID declaration as the person's declaration (history: see
    `declarations.services.declaration_import_legacy`); one that cannot be stored is kept apart."""
    record = link.staged_record
    if record.source not in DECLARATION_SOURCES:
        return []
    declared_at = _moment(record.payload.get("declared_at"))
    if declared_at is None:
        return []  # no moment to date it by: it stays a card of the old apps' page
    kind = str(record.payload.get("declaration_type") or "domestic")
    return [_effect_merge(
        link, person, observed, field="declaration", value=f"{kind}|{declared_at.isoformat()}",
        kind=LinkEffect.Kind.DECLARATION,
        write=lambda: declaration_services.declaration_import_legacy(
            person=person, kind=kind, declared_at=declared_at, source=legacy_source(record.source),
            stay_unit=record.unit_2025, stay_address=str(record.raw.get("address") or ""),
            answers=_answers(record), border_gate=str(record.payload.get("entry_gate") or ""),
            flight_number=str(record.payload.get("flight") or ""),
        ),
    )]  # fmt: skip


@transaction.atomic
def link_undo(*, link_id: int, user, reason: str) -> RecordLink:
    """Take back a wrong merge: the doses, test results, declarations and identifiers it created, its
    provenance; the record is left unlinked for good (`undone`: an automatic run never proposes it again).
    Refused when something protects a row it created (a dose used by a certificate, a test result used by
    a case): that must be released first."""
    link = RecordLink.objects.select_for_update().filter(pk=link_id).first()
    if link is None:
        raise NotFound(f"No link {link_id}.")
    if link.status != RecordLink.Status.LINKED:
        raise MergeError(f"Link {link_id} is {link.status}, not linked: there is nothing to undo.")
    if not reason.strip():
        raise MergeError("Say why the link was wrong.", field="reason")
    for effect in link.effects.all():
        try:
            EFFECT_MODELS[effect.kind].objects.filter(pk=effect.object_id).delete()
        except ProtectedError as error:
            raise MergeError(PROTECTED[effect.kind] % {"link": link_id}) from error
    link.field_values.all().delete()
    link.effects.all().delete()
    link.status, link.merged = RecordLink.Status.UNDONE, False
    link.decided_by, link.decided_at, link.decision_note = user, clock.now(), reason.strip()[:300]
    link.save()
    return link
