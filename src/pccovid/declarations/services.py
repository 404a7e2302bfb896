"""Writes of health declarations: submit (with its checks and flag), follow up, purge after retention, and
the import of a 2021 app's declaration by the legacy merge (`declaration_import_legacy`: history, with none
of a new declaration's effects).

Every check of a declaration lives here, so the API and the web form refuse the same things with the same
message; each error names its field (`DeclarationError.field`) and says which field in words.
"""

import datetime as dt
import logging
import re
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pccovid.accounts import services as account_services
from pccovid.audit import services as audit_services
from pccovid.audit.models import Purpose
from pccovid.core import clock
from pccovid.core.errors import Forbidden, NotFound
from pccovid.core.provenance import LEGACY_PREFIX
from pccovid.declarations import rules, selectors
from pccovid.declarations.errors import DeclarationError, NotHouseholdMember
from pccovid.declarations.models import (
    Declaration,
    FollowUp,
    Kind,
    TestKind,
    Transport,
    Vaccine,
)
from pccovid.geography import selectors as geography_selectors
from pccovid.geography.models import Edition, Level
from pccovid.identity import validators as identity_validators

logger = logging.getLogger("pccovid.declarations")

# IATA flight designator: a 2-character airline code (letters, or a letter and a digit), 1-4 digits and
# an optional operational suffix: VN213, VJ 123, QH1521, 5J750.
FLIGHT_NUMBER = re.compile(r"(?:[A-Z]{2}|[A-Z]\d|\d[A-Z])\d{1,4}[A-Z]?")
# Vietnam Railways train numbers: SE1, TN2, SNT2, SPT1.
TRAIN_NUMBER = re.compile(r"[A-Z]{1,4}\d{1,4}")
# Road and water vehicles: a licence plate or ship name as written (51F-123.45, 59X1 123.45).
OTHER_VEHICLE = re.compile(r"[A-Z0-9][A-Z0-9 .\-]{1,19}")


def _error(field: str, message: str) -> DeclarationError:
    return DeclarationError(message, field=field)


def _compact(value: str | None) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def _unit(code: str | None, *, field: str, label: str, commune: bool = False):
    try:
        unit = geography_selectors.unit_get(edition=Edition.CURRENT, code=(code or "").strip())
    except NotFound:
        raise _error(
            field,
            _("%(label)s: no administrative unit has the code %(code)s.") % {"label": label, "code": code},
        ) from None
    if commune and unit.level != Level.COMMUNE:
        raise _error(field, _("%(label)s must be a commune or ward.") % {"label": label})
    return unit


def _date_in_window(value: dt.date | None, *, field: str, label: str, values: dict) -> dt.date:
    """A date within the exposure window before today and at most `future_days_allowed` after it."""
    if value is None:
        raise _error(field, _("%(label)s is required.") % {"label": label})
    today = clock.today()
    latest = today + dt.timedelta(days=values["future_days_allowed"])
    earliest = today - dt.timedelta(days=values["exposure_window_days"])
    if value > latest:
        raise _error(
            field,
            _("%(label)s cannot be later than %(date)s.") % {"label": label, "date": latest.isoformat()},
        )
    if value < earliest:
        raise _error(
            field,
            _("%(label)s must be within the last %(days)d days (from %(date)s).")
            % {"label": label, "days": values["exposure_window_days"], "date": earliest.isoformat()},
        )
    return value


def _past_date(value: dt.date | None, *, field: str, label: str) -> dt.date:
    if value is None:
        raise _error(field, _("%(label)s is required.") % {"label": label})
    if value > clock.today():
        raise _error(field, _("%(label)s cannot be in the future.") % {"label": label})
    return value


def _country(code: str | None, *, field: str, label: str) -> str:
    value = (code or "").strip().upper()
    if value not in rules.COUNTRY_CODES:
        raise _error(
            field,
            _("%(label)s: %(code)s is not an ISO 3166 two-letter country code.")
            % {"label": label, "code": code or "—"},
        )
    return value


def _check_common(data: dict[str, Any], person) -> dict[str, Any]:
    stay_code = data.get("stay_unit")
    if stay_code:
        stay_unit = _unit(stay_code, field="stay_unit", label=_("Place of stay"), commune=True)
    else:
        stay_unit = selectors.residence_commune(person=person)
        if stay_unit is None:
            raise _error("stay_unit", _("Place of stay is required."))
    address = " ".join((data.get("stay_address") or "").split())
    if not address:
        raise _error("stay_address", _("Address of stay is required."))
    if len(address) > 200:
        raise _error("stay_address", _("Address of stay has at most 200 characters."))
    answers = {name: bool(data.get(name)) for name in [*rules.SYMPTOMS, *rules.EXPOSURES]}
    return {"stay_unit": stay_unit, "stay_address": address, **answers}


def _check_domestic(data: dict[str, Any], values: dict) -> dict[str, Any]:
    travel_keys = ["travel_from", "travel_to", "transport", "vehicle_number", "travel_date"]
    if not any(data.get(key) for key in travel_keys):
        return {}
    travel_from = _unit(data.get("travel_from"), field="travel_from", label=_("Travelling from"))
    travel_to = _unit(data.get("travel_to"), field="travel_to", label=_("Travelling to"))
    if travel_from.pk == travel_to.pk:
        raise _error("travel_to", _("Travelling to must differ from travelling from."))
    transport = data.get("transport") or ""
    if transport not in Transport.values:
        raise _error("transport", _("Means of transport must be one of: %s.") % ", ".join(Transport.values))
    return {
        "travel_from": travel_from,
        "travel_to": travel_to,
        "transport": transport,
        "vehicle_number": _vehicle_number(data.get("vehicle_number"), transport),
        "travel_date": _date_in_window(
            data.get("travel_date"), field="travel_date", label=_("Travel date"), values=values
        ),
    }


def _vehicle_number(raw: str | None, transport: str) -> str:
    if transport == Transport.PLANE:
        number = _compact(raw)
        if not FLIGHT_NUMBER.fullmatch(number):
            raise _error("vehicle_number", _("Flight number must look like VN213 (airline code and digits)."))
        return number
    if transport == Transport.TRAIN:
        number = _compact(raw)
        if not TRAIN_NUMBER.fullmatch(number):
            raise _error("vehicle_number", _("Train number must look like SE1 (letters and digits)."))
        return number
    number = " ".join((raw or "").upper().split())
    if number and not OTHER_VEHICLE.fullmatch(number):
        raise _error(
            "vehicle_number",
            _("Vehicle number has 2 to 20 letters, digits, spaces, dots or dashes (e.g. 51F-123.45)."),
        )
    return number


def _check_entry(data: dict[str, Any], values: dict) -> dict[str, Any]:
    checked: dict[str, Any] = {
        "passport": _passport(data.get("passport")),
        "nationality": _country(data.get("nationality"), field="nationality", label=_("Nationality")),
        "arrival_date": _date_in_window(
            data.get("arrival_date"), field="arrival_date", label=_("Arrival date"), values=values
        ),
        "countries_visited": _countries(data.get("countries_visited") or []),
        "returned_from_abroad": True,  # arriving from abroad is the exposure the entry form declares
        **_flight_or_gate(data),
        **_vaccination(data),
        **_test(data),
    }
    return checked


def _passport(raw: str | None) -> str:
    try:
        return identity_validators.check_passport(raw or "", field="passport")
    except identity_validators.IdentityError as error:
        raise _error("passport", _("Passport: %(reason)s") % {"reason": error.message}) from None


def _countries(codes: list[str]) -> list[str]:
    checked: list[str] = []
    for code in codes:
        value = _country(code, field="countries_visited", label=_("Countries visited"))
        if value not in checked:
            checked.append(value)
    return checked


def _flight_or_gate(data: dict[str, Any]) -> dict[str, str]:
    flight = _compact(data.get("flight_number"))
    gate = " ".join((data.get("border_gate") or "").split())
    if not flight and not gate:
        raise _error("flight_number", _("Flight number or border gate: give one of them."))
    if flight and not FLIGHT_NUMBER.fullmatch(flight):
        raise _error("flight_number", _("Flight number must look like VN213 (airline code and digits)."))
    if len(gate) > 100:
        raise _error("border_gate", _("Border gate has at most 100 characters."))
    return {"flight_number": flight, "border_gate": gate}


def _vaccination(data: dict[str, Any]) -> dict[str, Any]:
    doses = data.get("vaccine_doses") or 0
    if not 0 <= doses <= 5:
        raise _error("vaccine_doses", _("Vaccine doses must be between 0 and 5."))
    if doses == 0:
        if data.get("vaccine_product") or data.get("vaccine_last_date"):
            raise _error("vaccine_doses", _("Vaccine doses: give the number of doses of the vaccine named."))
        return {"vaccine_product": "", "vaccine_doses": 0, "vaccine_last_date": None}
    product = data.get("vaccine_product") or ""
    if product not in Vaccine.values:
        raise _error("vaccine_product", _("Vaccine: choose the product of your doses."))
    last = _past_date(data.get("vaccine_last_date"), field="vaccine_last_date", label=_("Date of last dose"))
    return {"vaccine_product": product, "vaccine_doses": doses, "vaccine_last_date": last}


def _test(data: dict[str, Any]) -> dict[str, Any]:
    kind = data.get("test_kind") or ""
    if not kind:
        if data.get("test_date") or data.get("test_result"):
            raise _error("test_kind", _("Test kind: say which test the date and result belong to."))
        return {"test_kind": "", "test_date": None, "test_result": ""}
    if kind not in TestKind.values:
        raise _error("test_kind", _("Test kind must be one of: %s.") % ", ".join(TestKind.values))
    result = data.get("test_result") or ""
    if result not in ("negative", "positive"):
        raise _error("test_result", _("Test result must be negative or positive."))
    date = _past_date(data.get("test_date"), field="test_date", label=_("Test date"))
    return {"test_kind": kind, "test_date": date, "test_result": result}


def _flagged(answers: dict[str, Any], values: dict) -> bool:
    return any(answers.get(name) for name in values["flag_answers"])


@transaction.atomic
def declaration_submit(*, declared_by, person, data: dict[str, Any]) -> Declaration:
    """Record a declaration `declared_by` made about `person` (themself or a member of their household).

    `data` holds `kind` and the form's fields (units as codes of the current edition). The stay's commune
    is granted access to the person until the declaration's retention ends, so its health officials see
    the declaration (and the person) through the one jurisdiction mechanism.
    """
    if person.pk != declared_by.pk and person.pk not in {
        m.pk for m in selectors.declarable_persons(declared_by=declared_by)
    }:
        raise NotHouseholdMember()
    kind = data.get("kind")
    if kind not in Kind.values:
        raise _error("kind", _("Kind must be domestic or entry."))
    ruleset = selectors.policy()
    checked = _check_common(data, person)
    if kind == Kind.DOMESTIC:
        checked.update(_check_domestic(data, ruleset.values))
    else:
        checked.update(_check_entry(data, ruleset.values))
    flagged = _flagged(checked, ruleset.values)
    declaration = Declaration.objects.create(
        kind=kind,
        person=person,
        declared_by=declared_by,
        declared_at=clock.now(),
        rules_version=ruleset.version,
        flagged=flagged,
        follow_up=FollowUp.OPEN if flagged else FollowUp.NOT_NEEDED,
        **checked,
    )
    stay = declaration.stay_unit
    account_services.access_grant_create(
        person=person,
        unit=stay,
        reason=f"declared a stay in {stay.name} on {timezone.localdate(declaration.declared_at).isoformat()}",
        source_type="declarations.declaration",
        source_id=str(declaration.pk),
        expires_at=declaration.declared_at + dt.timedelta(days=ruleset.values["retention_days"]),
    )
    return declaration


def _legacy_stay_unit(stay_unit, person):
    """The record's place when it is a commune of the current map, else the person's residence commune."""
    if stay_unit is not None and stay_unit.level == Level.COMMUNE and stay_unit.edition == Edition.CURRENT:
        return stay_unit
    commune = selectors.residence_commune(person=person)
    if commune is None:
        raise _error("stay_unit", _("Place of stay: neither the record nor the person names a commune."))
    return commune


def _legacy_entry(*, border_gate: str, flight_number: str) -> dict[str, Any]:
    """What an old entry declaration said of the arrival, kept only where it fits the form's fields."""
    flight = _compact(flight_number)
    gate = " ".join((border_gate or "").split())
    return {
        "returned_from_abroad": True,
        "flight_number": flight if FLIGHT_NUMBER.fullmatch(flight) else "",
        "border_gate": gate if len(gate) <= 100 else "",
    }


@transaction.atomic
def declaration_import_legacy(
    *,
    person,
    kind: str,
    declared_at: dt.datetime,
    source: str,
    stay_unit=None,
    stay_address: str = "",
    answers: Iterable[str] = (),
    border_gate: str = "",
    flight_number: str = "",
) -> Declaration | None:
    """A declaration from a 2021 app's record (issue 7): the person's history, stored as it was declared.

    It is not checked against today's windows (a 2021 trip or arrival is outside them by design), and has
    none of a new declaration's effects: not flagged for follow-up (nobody is to call about it now), no
    access grant to the place of stay, not read by the COVID card (`symptoms_uncleared` reads declarations
    made in pccovid only), and not purged by the retention rule, which limits how long live declarations
    are kept for tracing: this one is history, kept as long as the staged record it comes from, and removed
    by undoing its link.

    What the record says is kept where the form has a field for it; the rest stays in the staged record:
    `answers` other than the form's symptoms and exposures, a flight number not in IATA form, a gate longer
    than the field. The place of stay is `stay_unit` when it is a commune of the current map, else the
    person's residence commune; an empty address becomes the commune's name. `source` is "legacy:<source>".

    Returns None when the person already has it (same source, kind and moment). Raises `DeclarationError`
    when nothing sensible can be stored: an unknown kind, a moment without a time zone or in the future, no
    commune.
    """
    if not source.startswith(LEGACY_PREFIX):
        raise ValueError(f"A legacy declaration's source starts with {LEGACY_PREFIX!r}: {source!r}")
    if kind not in Kind.values:
        raise _error("kind", _("Kind must be domestic or entry."))
    if timezone.is_naive(declared_at) or declared_at > clock.now():
        raise _error("declared_at", _("Declared at: a past moment with its time zone is required."))
    found = Declaration.objects.filter(person=person, source=source, kind=kind, declared_at=declared_at)
    if found.exists():
        return None
    unit = _legacy_stay_unit(stay_unit, person)
    names = set(answers)
    checked = {name: name in names for name in [*rules.SYMPTOMS, *rules.EXPOSURES]}
    if kind == Kind.ENTRY:
        checked.update(_legacy_entry(border_gate=border_gate, flight_number=flight_number))
    return Declaration.objects.create(
        kind=kind, person=person, declared_by=person, declared_at=declared_at, source=source[:40],
        rules_version=selectors.policy(at=clock.localdate(declared_at)).version, stay_unit=unit,
        stay_address=" ".join((stay_address or "").split())[:200] or unit.name, **checked,
    )  # fmt: skip


def _inside(unit, assignment_unit) -> bool:
    return unit.edition == assignment_unit.edition and unit.path.startswith(assignment_unit.path)


@transaction.atomic
def declaration_follow_up(*, assignment, declaration_id: int, note: str) -> Declaration:
    """Mark a flagged declaration followed up: commune or province health officials of its place of stay
    or of the person's residence only. The row is locked and re-read through the restriction inside the
    transaction, so a declaration out of reach is "not found" here too."""
    declaration = (
        selectors.declaration_in_reach(assignment=assignment, declaration_id=declaration_id)
        .select_for_update(of=("self",))
        .first()
    )
    if declaration is None:
        raise NotFound()
    if assignment.role not in rules.FOLLOW_UP_ROLES or not (
        _inside(declaration.stay_unit, assignment.unit)
        or _inside(declaration.person.residence_unit, assignment.unit)
    ):
        raise Forbidden(
            _("Only the commune or province health officials of the place of stay or residence follow up."),
            code="not_follow_up_official",
        )
    if declaration.follow_up != FollowUp.OPEN:
        raise _error(
            "declaration",
            _("This declaration is not waiting for follow-up (%(state)s).")
            % {"state": declaration.get_follow_up_display()},
        )
    note = note.strip()
    if not note:
        raise _error("note", _("Note: say what was done (called, visited, tested...)."))
    declaration.follow_up = FollowUp.DONE
    declaration.followed_up_by_id = assignment.user_id
    declaration.followed_up_at = clock.now()
    declaration.follow_up_note = note[:2000]
    declaration.save(update_fields=["follow_up", "followed_up_by", "followed_up_at", "follow_up_note"])
    audit_services.personal_data_reads_record(
        assignment=assignment,
        persons=[declaration.person],
        fields=["declaration.follow_up"],
        purpose=Purpose.EPIDEMIC_CONTROL,
    )
    return declaration


@transaction.atomic
def declarations_purge_expired(*, now: dt.datetime) -> int:
    """Delete declarations older than the retention rule, except those held for a case and those from a 2021
    app (history: see `declaration_import_legacy`). Returns how many."""
    retention = selectors.policy(at=timezone.localdate(now)).values["retention_days"]
    cutoff = now - dt.timedelta(days=retention)
    expired = Declaration.objects.filter(declared_at__lt=cutoff).exclude(source__startswith=LEGACY_PREFIX)
    held = expired.filter(held_for_case__gt="").count()
    deleted, _by_model = expired.exclude(held_for_case__gt="").delete()
    logger.info(
        "declarations purge: %d deleted (declared before %s, retention %d days), %d kept for cases",
        deleted,
        cutoff.isoformat(),
        retention,
        held,
    )
    return deleted
