"""Writes of vaccinations: products (from rules.py), sites, lots and doses, with every rule of a dose.

Each refusal is a `VaccinationError` naming its field; the API and the web form show the same message.
"""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pccovid.accounts import services as account_services
from pccovid.audit import services as audit_services
from pccovid.audit.models import Purpose
from pccovid.core import clock
from pccovid.core.errors import Forbidden, NotFound
from pccovid.events import services as event_services
from pccovid.geography import selectors as geography_selectors
from pccovid.geography.models import Level
from pccovid.identity import selectors as identity_selectors
from pccovid.identity.models import Person
from pccovid.qr import scan as qr_scan
from pccovid.qr import services as qr_services
from pccovid.vaccination import rules, selectors
from pccovid.vaccination.errors import VaccinationError
from pccovid.vaccination.models import Dose, Lot, VaccinationSite, VaccineProduct

DOSE_RECORDED = "vaccination.dose_recorded"
DOSE_FIELDS = ["full_name", "birth_date", "vaccinations"]


def products_install() -> int:
    """Create or refresh the products declared in rules.py (idempotent). Returns how many were created."""
    created = 0
    for product in rules.PRODUCTS:
        _row, new = VaccineProduct.objects.update_or_create(
            code=product.code,
            defaults={
                "name": product.name,
                "mah": product.mah,
                "prophylaxis": product.prophylaxis,
                "doses_in_primary_series": product.doses_in_primary_series,
                "min_interval_days": product.min_interval_days,
                "in_dcc_valueset": product.in_dcc_valueset,
            },
        )
        created += new
    return created


def products_install_after_migrate(**kwargs: Any) -> None:
    products_install()


def person_qid_presented(
    *, text: str | None = None, image: bytes | None = None, national_id: str = ""
) -> str:
    """The qid of the person presenting themself at a site: from their scanned QR code (camera text or a
    photo; a forged code is never looked up) or, without a code, from their ID number. Internal matching
    only: `dose_record` restricts and audits before anything is shown."""
    national_id = (national_id or "").strip()
    if national_id and not (text or "").strip() and not image:
        person = identity_selectors.person_by_national_id(national_id=national_id)
        if person is None:
            raise VaccinationError(_("No person has this ID number."), field="national_id")
        return person.qid
    scan = qr_services.qr_verify(text=qr_scan.scanned_text(text=text, image=image))
    if scan.kind in ("venue", "unknown") or scan.signature == "invalid":
        raise VaccinationError(scan.message or _("This is not a personal QR code."), field="text")
    person = qr_services.person_for_code(scan=scan)
    if person is None:
        raise VaccinationError(_("No person in the platform matches this code."), field="text")
    return person.qid


def _check_role(assignment, roles: frozenset[str], message: str) -> None:
    if assignment is None or not assignment.active or assignment.role not in roles:
        raise Forbidden(message, code="no_permission")


def _product(code: str) -> VaccineProduct:
    product = selectors.product_by_code(code=(code or "").strip())
    if product is None:
        raise VaccinationError(
            _("Vaccine: no product has the code %(code)s.") % {"code": code or "—"}, field="product_code"
        )
    return product


@transaction.atomic
def site_create(*, assignment, code: str, name: str, unit_code: str) -> VaccinationSite:
    """A vaccination site in a commune inside the official's unit (commune and province officials)."""
    _check_role(assignment, rules.SITE_ROLES, _("Only commune and province health officials add sites."))
    code, name = (code or "").strip(), " ".join((name or "").split())
    if not code:
        raise VaccinationError(_("Site code is required."), field="code")
    if not name:
        raise VaccinationError(_("Site name is required."), field="name")
    try:
        unit = geography_selectors.unit_get(edition=assignment.unit.edition, code=(unit_code or "").strip())
    except NotFound:
        raise VaccinationError(
            _("Commune: no administrative unit has the code %(code)s.") % {"code": unit_code or "—"},
            field="unit_code",
        ) from None
    if not unit.path.startswith(assignment.unit.path):
        raise VaccinationError(
            _("Commune: %(name)s is outside your jurisdiction.") % {"name": unit.name}, field="unit_code"
        )
    if unit.level != Level.COMMUNE:
        raise VaccinationError(_("Commune: a site lies in a commune or ward."), field="unit_code")
    if VaccinationSite.objects.filter(code=code).exists():
        raise VaccinationError(_("Site code %(code)s is already used.") % {"code": code}, field="code")
    return VaccinationSite.objects.create(code=code, name=name, unit=unit)


@transaction.atomic
def lot_create(*, assignment, product_code: str, number: str, expiry_date: dt.date) -> Lot:
    """A lot of a product with its expiry date (health workers and health officials)."""
    _check_role(assignment, rules.RECORD_ROLES, _("Your role cannot add vaccine lots."))
    product = _product(product_code)
    number = (number or "").strip().upper()
    if not number:
        raise VaccinationError(_("Lot number is required."), field="number")
    if expiry_date is None:
        raise VaccinationError(_("Expiry date is required."), field="expiry_date")
    if selectors.lot_get(product=product, number=number) is not None:
        raise VaccinationError(
            _("Lot %(number)s of %(product)s already exists.") % {"number": number, "product": product.name},
            field="number",
        )
    return Lot.objects.create(product=product, number=number, expiry_date=expiry_date)


def _check_date(given_on: dt.date | None, person: Person) -> dt.date:
    if given_on is None:
        raise VaccinationError(_("Date given is required."), field="given_on")
    if given_on > clock.today():
        raise VaccinationError(_("Date given cannot be in the future."), field="given_on")
    if given_on < person.birth_date:
        raise VaccinationError(_("Date given cannot be before the person's birth."), field="given_on")
    return given_on


def _check_lot(product: VaccineProduct, lot_number: str, given_on: dt.date) -> Lot:
    number = (lot_number or "").strip().upper()
    lot = selectors.lot_get(product=product, number=number)
    if lot is None:
        raise VaccinationError(
            _("Lot: %(product)s has no lot %(number)s.") % {"product": product.name, "number": number or "—"},
            field="lot_number",
        )
    if lot.expiry_date < given_on:
        raise VaccinationError(
            _("Lot: %(number)s expired on %(expiry)s, before the date given (%(date)s).")
            % {
                "number": lot.number,
                "expiry": f"{lot.expiry_date:%d/%m/%Y}",
                "date": f"{given_on:%d/%m/%Y}",
            },
            field="lot_number",
        )
    return lot


def _check_sequence(
    *, doses: list[Dose], product: VaccineProduct, dose_number: int, given_on: dt.date, values: dict
) -> None:
    """Dose numbers without gaps; the product's minimum interval inside the primary series; the booster
    interval after it. The product of dose 1 decides how many doses the primary series has."""
    if dose_number is None or dose_number < 1:
        raise VaccinationError(_("Dose number starts at 1."), field="dose_number")
    by_number = {d.dose_number: d for d in doses}
    if dose_number in by_number:
        raise VaccinationError(
            _("Dose %(n)d is already recorded (given on %(date)s).")
            % {"n": dose_number, "date": f"{by_number[dose_number].given_on:%d/%m/%Y}"},
            field="dose_number",
        )
    missing = [n for n in range(1, dose_number) if n not in by_number]
    if missing:
        raise VaccinationError(
            _("Dose number: dose %(n)d needs doses %(needed)s first; missing: %(missing)s.")
            % {
                "n": dose_number,
                "needed": ", ".join(str(n) for n in range(1, dose_number)),
                "missing": ", ".join(str(n) for n in missing),
            },
            field="dose_number",
        )
    if dose_number == 1:
        return
    previous = by_number[dose_number - 1]
    series = selectors.series_product(doses) or product
    if dose_number <= series.doses_in_primary_series:
        wait = series.min_interval_days
        what = _("the minimum interval of %(product)s") % {"product": series.name}
    else:
        wait = values["booster_min_interval_days"]
        what = _("the minimum interval before a booster")
    earliest = previous.given_on + dt.timedelta(days=wait)
    if given_on < earliest:
        raise VaccinationError(
            _(
                "Date given: dose %(n)d comes at least %(days)d days after dose %(prev)d (%(prev_date)s), "
                "%(what)s: not before %(earliest)s."
            )
            % {
                "n": dose_number,
                "days": wait,
                "prev": previous.dose_number,
                "prev_date": f"{previous.given_on:%d/%m/%Y}",
                "what": what,
                "earliest": f"{earliest:%d/%m/%Y}",
            },
            field="given_on",
        )


@transaction.atomic
def dose_record(
    *,
    assignment,
    person_qid: str,
    product_code: str,
    lot_number: str,
    dose_number: int,
    given_on: dt.date,
    site_code: str,
) -> Dose:
    """Record a dose given at a site in the official's reach to the person who presented themself.

    Presenting oneself at the site puts the person in reach of the site's commune (an access grant,
    "vaccinated at <site>"); the person must then be inside `restrict_to(assignment, "person.view")`, and
    the read is audited. The event `vaccination.dose_recorded` is recorded in the same transaction; its
    handlers run after commit.
    """
    _check_role(assignment, rules.RECORD_ROLES, _("Your role cannot record vaccinations."))
    site = selectors.sites_in_reach(assignment=assignment).filter(code=(site_code or "").strip()).first()
    if site is None:
        raise VaccinationError(
            _("Site: no vaccination site %(code)s in your jurisdiction.") % {"code": site_code or "—"},
            field="site_code",
        )
    found = identity_selectors.person_by_qid(qid=(person_qid or "").strip())
    if found is None:
        raise NotFound()
    values = selectors.policy(at=clock.today()).values
    account_services.access_grant_create(
        person=found,
        unit=site.unit,
        reason=f"vaccinated at {site.name}",
        source_type="vaccination.site",
        source_id=str(site.pk),
        expires_at=clock.now() + dt.timedelta(days=values["site_read_grant_days"]),
    )
    person = (
        Person.objects.restrict_to(assignment, "person.view")
        .select_related("residence_unit")
        .select_for_update(of=("self",))
        .filter(pk=found.pk)
        .first()
    )
    if person is None:
        raise NotFound()
    audit_services.personal_data_reads_record(
        assignment=assignment, persons=[person], fields=DOSE_FIELDS, purpose=Purpose.VACCINATION
    )
    product = _product(product_code)
    given_on = _check_date(given_on, person)
    lot = _check_lot(product, lot_number, given_on)
    ruleset = selectors.policy(at=given_on)
    _check_sequence(
        doses=selectors.doses_of(person=person),
        product=product,
        dose_number=dose_number,
        given_on=given_on,
        values=ruleset.values,
    )
    try:
        with transaction.atomic():
            dose = Dose.objects.create(
                person=person,
                product=product,
                lot=lot,
                dose_number=dose_number,
                given_on=given_on,
                site=site,
                health_worker_id=assignment.user_id,
                source="recorded",
                rules_version=ruleset.version,
            )
    except IntegrityError:
        raise VaccinationError(
            _("Dose %(n)d is already recorded.") % {"n": dose_number}, field="dose_number"
        ) from None
    facts = selectors.vaccination_facts(person=person)
    event_services.event_record(
        name=DOSE_RECORDED,
        payload={
            "dose_id": dose.pk,
            "person_qid": person.qid,
            "product": product.code,
            "lot": lot.number,
            "dose_number": dose_number,
            "given_on": given_on.isoformat(),
            "site": site.code,
            "unit": site.unit.code,
            "primary_series_complete": facts["primary_series_complete"],
        },
    )
    return dose


@transaction.atomic
def dose_import(
    *,
    person: Person,
    product_code: str,
    lot_number: str,
    lot_expiry: dt.date | None,
    dose_number: int,
    given_on: dt.date,
    site_code: str,
    source: str,
) -> bool:
    """A dose sent by another system (a hospital's FHIR bundle), checked by the same rules as `dose_record`.

    A lot the platform does not know yet is added with the expiry the sender gave. Returns False when the
    same dose is already recorded (a re-sent bundle changes nothing); a different dose under the same
    number is refused.
    """
    existing = Dose.objects.filter(person=person, dose_number=dose_number).select_related("product").first()
    if existing:
        if existing.product.code == product_code and existing.given_on == given_on:
            return False
        raise VaccinationError(
            _("Dose %(n)d is already recorded (given on %(date)s).")
            % {"n": dose_number, "date": f"{existing.given_on:%d/%m/%Y}"},
            field="dose_number",
        )
    site = selectors.site_by_code(code=site_code)
    if site is None:
        raise VaccinationError(
            _("Site: no vaccination site %(code)s.") % {"code": site_code or "—"}, field="site_code"
        )
    product = _product(product_code)
    given_on = _check_date(given_on, person)
    number = (lot_number or "").strip().upper()
    if number and lot_expiry and selectors.lot_get(product=product, number=number) is None:
        Lot.objects.create(product=product, number=number, expiry_date=lot_expiry)
    lot = _check_lot(product, number, given_on)
    ruleset = selectors.policy(at=given_on)
    _check_sequence(
        doses=selectors.doses_of(person=person),
        product=product,
        dose_number=dose_number,
        given_on=given_on,
        values=ruleset.values,
    )
    dose = Dose.objects.create(
        person=person, product=product, lot=lot, dose_number=dose_number, given_on=given_on, site=site,
        source=source, rules_version=ruleset.version,
    )  # fmt: skip
    event_services.event_record(
        name=DOSE_RECORDED,
        payload={"dose_id": dose.pk, "person_qid": person.qid, "product": product.code, "lot": lot.number,
                 "dose_number": dose_number, "given_on": given_on.isoformat(), "site": site.code,
                 "unit": site.unit.code, "source": source},
    )  # fmt: skip
    return True


@transaction.atomic
def dose_import_legacy(
    *, person: Person, product_code: str, dose_number: int, given_on: dt.date, lot_number: str, source: str
) -> Dose | None:
    """A dose from a 2021 app's record (issue 7), checked by the date and sequence rules of `dose_record`.

    The old apps named neither a site the platform knows nor always a lot: the site stays empty and the lot
    is kept only when the platform knows it. Returns None when the same dose (number, product and date) is
    already recorded, as when the vaccination portal and a ward list hold one dose; a different dose under
    that number, or one breaking the sequence, is a `VaccinationError`, for the caller to keep as an
    alternative value rather than overwrite.
    """
    existing = Dose.objects.filter(person=person, dose_number=dose_number).select_related("product").first()
    if existing and existing.product.code == product_code and existing.given_on == given_on:
        return None
    if existing:
        raise VaccinationError(
            _("Dose %(n)d is already recorded (given on %(date)s).")
            % {"n": dose_number, "date": f"{existing.given_on:%d/%m/%Y}"},
            field="dose_number",
        )
    product = _product(product_code)
    given_on = _check_date(given_on, person)
    ruleset = selectors.policy(at=given_on)
    _check_sequence(
        doses=selectors.doses_of(person=person), product=product, dose_number=dose_number,
        given_on=given_on, values=ruleset.values,
    )  # fmt: skip
    lot = selectors.lot_get(product=product, number=(lot_number or "").strip().upper())
    return Dose.objects.create(
        person=person, product=product, lot=lot, dose_number=dose_number, given_on=given_on,
        source=source, rules_version=ruleset.version,
    )  # fmt: skip
