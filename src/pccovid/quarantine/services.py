"""Writes of quarantine (F1) and isolation (F0): orders, facilities, daily reports, alerts, scheduled tests,
release with a signed certificate, and the handlers of other apps' events.

Dates (rule set in force on day 1, `quarantine/rules.py`; each order stores its domain and version):
- F1: day 1 is the day after the contact's last exposure (local date): quarantine counts from the last
  exposure even when the order is made late. Without a traced contact, day 1 is the order date. The last
  day is day 1 + quarantine days - 1, but never before the order date: a contact ordered after their
  period would have ended stays in quarantine until the exit test of that day.
- F0: day 1 is the local date the case was isolated; the same "never before the order date" holds.
- Tests: the rule's last test day is the exit test (moved with the last day when that moves); the other
  test days are scheduled unless already past when the order is made (nobody can be tested yesterday).
  Each test is a to-do of a test site in the person's commune (none there: no site, the order still
  stands).
- Before the first rule set of a domain took effect, that first rule set applies (an order in October 2021
  follows the December 2021 rules; there is no older rule table).

Choices made here:
- An isolation order from `tracing.case_opened` keeps the case's place (home, facility, hospital); for a
  facility or hospital the bed is not known yet (facility empty) until an official assigns one.
- A second daily report of the same day replaces the first (a person measures again); alerts raised by the
  first stay.
- Days before the order was made are not "missed": nobody could report for them.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pccovid.audit import services as audit_services
from pccovid.audit.models import Purpose
from pccovid.core import clock, keys
from pccovid.core.errors import ApplicationError, Forbidden, NotFound
from pccovid.core.querysets import units_within
from pccovid.declarations import rules as declaration_rules
from pccovid.events import services as event_services
from pccovid.geography import selectors as geography_selectors
from pccovid.identity import selectors as identity_selectors
from pccovid.quarantine import certificate, rules, selectors
from pccovid.quarantine.models import (
    Alert,
    AlertKind,
    DailyReport,
    Facility,
    FacilityKind,
    Order,
    OrderKind,
    OrderStatus,
    Place,
    ScheduledTest,
)
from pccovid.rules import services as rule_services
from pccovid.testing import selectors as testing_selectors
from pccovid.tracing import selectors as tracing_selectors
from pccovid.vaccination import selectors as vaccination_selectors

ORDER_CREATED = "quarantine.order_created"
ORDER_RELEASED = "quarantine.order_released"
ACTION = "quarantine.manage"
AUDIT_FIELDS = ["full_name", "birth_date", "residence_unit", "quarantine_order"]
MAX_BATCH = 500
_FACILITY_CODE = re.compile(r"[A-Z0-9._-]{2,20}")


class QuarantineError(ApplicationError):
    code = "quarantine_refused"


@dataclass(frozen=True)
class Plan:
    """What the rules decided for one order."""

    starts_on: dt.date
    ends_on: dt.date
    monitor_until: dt.date | None
    test_days: list[int]
    basis: str
    rules_domain: str
    rules_version: str


@dataclass
class OrdersReport:
    created: list[Order] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


# --- Rules ------------------------------------------------------------------------------------------------


def ruleset(domain: str, day: dt.date) -> rule_services.RuleSet:
    """The rule set in force on `day`; before the first one took effect, the first one."""
    first = min(d.effective_from for d in rules.RULESETS if d.domain == domain)
    return rule_services.current(domain, at=max(day, first))


def protection(*, person, day_one: dt.date, values: dict) -> tuple[bool, str]:
    """Whether an F1 counts as protected on day 1 (vaccinated or recovered), and the sentence why."""
    facts = vaccination_selectors.vaccination_facts(person=person, on=day_one)
    last = facts["last_dose_on"]
    complete = facts["primary_series_complete"] and last is not None
    if complete:
        since, high = (day_one - last).days, values["vaccinated_max_days"]
        if since >= values["vaccinated_min_days"] and (high is None or since <= high):
            return True, f"fully vaccinated, last dose {last:%d/%m/%Y}"
    recovered = tracing_selectors.recovered_on(person=person)
    if recovered and 0 <= (day_one - recovered).days <= values["recovered_within_days"]:
        return True, f"recovered on {recovered:%d/%m/%Y}"
    if complete:
        return False, f"not protected: last dose {last:%d/%m/%Y}, outside the rule's window"
    return False, "not fully vaccinated"


def _dates(
    *, starts_on: dt.date, days: int, monitor_days: int, test_days: list[int], today: dt.date
) -> tuple[dt.date, dt.date | None, list[int]]:
    ends_on = max(starts_on + dt.timedelta(days=days - 1), today)
    shift = (ends_on - starts_on).days + 1 - days
    tests: list[int] = []
    if test_days:
        exit_day = test_days[-1] + shift
        earlier = [
            d for d in test_days[:-1] if starts_on + dt.timedelta(days=d - 1) >= today and d < exit_day
        ]
        tests = [*earlier, exit_day]
    monitor_until = ends_on + dt.timedelta(days=monitor_days) if monitor_days else None
    return ends_on, monitor_until, tests


def contact_plan(*, person, exposure_day: dt.date | None, today: dt.date) -> Plan:
    """F1 quarantine: from the day after the last exposure (or today), by the rule set of day 1."""
    starts_on = exposure_day + dt.timedelta(days=1) if exposure_day else today
    found = ruleset(rules.CONTACT_RULES_2021.domain, starts_on)
    protected, basis = protection(person=person, day_one=starts_on, values=found.values)
    group = found.values["protected" if protected else "unprotected"]
    ends_on, monitor_until, tests = _dates(
        starts_on=starts_on,
        days=group["quarantine_days"],
        monitor_days=group["monitor_days"],
        test_days=group["test_days"],
        today=today,
    )
    return Plan(starts_on, ends_on, monitor_until, tests, basis, found.domain, found.version)


def case_plan(*, isolated_on: dt.date, today: dt.date, basis: str) -> Plan:
    """F0 isolation: from the day the case was isolated, by the rule set of that day."""
    found = ruleset(rules.CASE_RULES_2021.domain, isolated_on)
    values = found.values
    ends_on, monitor_until, tests = _dates(
        starts_on=isolated_on,
        days=values["isolation_days"],
        monitor_days=values["monitor_days"],
        test_days=values["test_days"],
        today=today,
    )
    return Plan(isolated_on, ends_on, monitor_until, tests, basis, found.domain, found.version)


# --- Orders -----------------------------------------------------------------------------------------------


def _commune_of(unit):
    """The commune a person's unit lies in (a residential group belongs to its commune)."""
    if unit.level == "commune":
        return unit
    communes = [u for u in geography_selectors.unit_ancestors(unit) if u.level == "commune"]
    return communes[-1] if communes else unit


def _facility_take(facility_id: int) -> Facility:
    """Lock the facility's row and check a bed is free (two officials filling the last bed: one waits)."""
    facility = Facility.objects.select_for_update().get(pk=facility_id)
    occupied = Order.objects.filter(facility_id=facility.pk, status=OrderStatus.ACTIVE).count()
    if occupied >= facility.capacity:
        raise QuarantineError(
            _("%(name)s is full (%(capacity)d beds): no order was made.")
            % {"name": facility.name, "capacity": facility.capacity},
            code="facility_full",
            field="facility_code",
        )
    return facility


def _schedule(order: Order, plan: Plan) -> None:
    site = testing_selectors.sites_within(unit=order.unit).order_by("code").first()
    ScheduledTest.objects.bulk_create(
        ScheduledTest(
            order=order,
            day_number=day,
            due_on=order.starts_on + dt.timedelta(days=day - 1),
            site=site,
        )
        for day in plan.test_days
    )


def _payload(order: Order) -> dict[str, Any]:
    return {
        "order_id": order.pk,
        "person_qid": order.person.qid,
        "kind": order.kind,
        "contact_id": order.contact_id,
        "case_id": order.case_id,
    }


def _active_refusal(person) -> QuarantineError:
    active = selectors.active_order_of(person=person)
    until = f"{active.ends_on:%d/%m/%Y}" if active else "?"
    return QuarantineError(
        _("%(name)s already has an active quarantine or isolation order (until %(date)s).")
        % {"name": person.full_name, "date": until},
        code="active_order_exists",
        field="person_qid",
    )


def _order_insert(
    *,
    person,
    kind: str,
    place: str,
    plan: Plan,
    facility: Facility | None,
    ordered_by=None,
    at: dt.datetime,
    case_id: int | None = None,
    contact_id: int | None = None,
) -> Order:
    """One order, its scheduled tests and its event. The caller holds the transaction."""
    if selectors.in_quarantine(person=person):
        raise _active_refusal(person)
    if facility is not None:
        facility = _facility_take(facility.pk)
    try:
        with transaction.atomic():
            order = Order.objects.create(
                person=person,
                kind=kind,
                place=place,
                facility=facility,
                case_id=case_id,
                contact_id=contact_id,
                unit=_commune_of(person.residence_unit),
                starts_on=plan.starts_on,
                ends_on=plan.ends_on,
                monitor_until=plan.monitor_until,
                test_days=plan.test_days,
                basis=plan.basis[:200],
                ordered_by=ordered_by,
                ordered_at=at,
                rules_domain=plan.rules_domain,
                rules_version=plan.rules_version,
            )
    except IntegrityError:  # another order for the person committed in between
        raise _active_refusal(person) from None
    _schedule(order, plan)
    event_services.event_record(name=ORDER_CREATED, payload=_payload(order))
    return order


def _check_role(assignment) -> None:
    if assignment is None or not assignment.allows(ACTION):
        raise Forbidden(_("Your role does not order or release quarantine."), code="no_permission")


def _check_place(place: str, kind: str) -> None:
    if place not in Place.values:
        raise QuarantineError(_("Place must be one of: %s.") % ", ".join(Place.values), field="place")
    if kind not in OrderKind.values:
        raise QuarantineError(_("Kind must be one of: %s.") % ", ".join(OrderKind.values), field="kind")


def _facility_for(*, assignment, place: str, facility_code: str | None) -> Facility | None:
    """The facility an official sends someone to: in their unit, or a unit above it (a province's camp)."""
    if place == Place.HOME:
        if facility_code:
            raise QuarantineError(_("An order at home has no facility."), field="facility_code")
        return None
    if not facility_code:
        raise QuarantineError(_("Choose the facility or hospital."), field="facility_code")
    facility = (
        selectors.facilities_usable(assignment=assignment)
        .filter(code=facility_code.strip().upper(), active=True)
        .first()
    )
    if facility is None:
        raise NotFound(_("No open facility with this code in your reach."), field="facility_code")
    wanted = FacilityKind.HOSPITAL if place == Place.HOSPITAL else FacilityKind.FACILITY
    if facility.kind != wanted:
        raise QuarantineError(
            _("%(name)s is of the kind “%(kind)s”: choose the matching place.")
            % {"name": facility.name, "kind": facility.get_kind_display()},
            field="facility_code",
        )
    return facility


def _still_in_reach(*, assignment, orders: list[Order]) -> None:
    """Re-read the new orders through the caller's restriction, inside the transaction."""
    ids = [o.pk for o in orders]
    if Order.objects.restrict_to(assignment, ACTION).filter(pk__in=ids).count() != len(ids):
        raise NotFound()


def _person_for(*, assignment, qid: str):
    return identity_selectors.person_get(
        assignment=assignment,
        qid=(qid or "").strip().upper(),
        purpose=Purpose.EPIDEMIC_CONTROL,
        action=ACTION,
        fields=AUDIT_FIELDS,
    )


def _contacts_by_id(ids: list[int]) -> dict[int, Any]:
    return {c.pk: c for c in tracing_selectors.contacts_by_ids(contact_ids=ids)}


def _case_person_id(case_id: int) -> int | None:
    case = tracing_selectors.case_by_id(case_id=case_id)
    return case.person_id if case else None


def _plan_for(*, person, kind: str, contact, today: dt.date, basis: str = "") -> Plan:
    if kind == OrderKind.QUARANTINE:
        exposure = clock.localdate(contact.last_exposure_at) if contact else None
        return contact_plan(person=person, exposure_day=exposure, today=today)
    return case_plan(isolated_on=today, today=today, basis=basis or f"isolation ordered on {today:%d/%m/%Y}")


@transaction.atomic
def order_create(
    *,
    assignment,
    person_qid: str,
    kind: str,
    place: str,
    facility_code: str | None = None,
    case_id: int | None = None,
    contact_id: int | None = None,
    at: dt.datetime | None = None,
) -> Order:
    """An official orders quarantine (F1) or isolation (F0) for a person in their reach."""
    _check_role(assignment)
    _check_place(place, kind)
    at = at or clock.now()
    person = _person_for(assignment=assignment, qid=person_qid)
    contact = None
    if contact_id is not None:
        contact = _contacts_by_id([contact_id]).get(contact_id)
        if contact is None or contact.person_id != person.pk:
            raise NotFound(_("No such contact of this person."), field="contact_id")
        if kind != OrderKind.QUARANTINE or contact.degree != 1:
            raise QuarantineError(_("Only a direct contact (F1) is quarantined."), field="contact_id")
    if case_id is not None and (kind != OrderKind.ISOLATION or _case_person_id(case_id) != person.pk):
        raise NotFound(_("No such case of this person."), field="case_id")
    facility = _facility_for(assignment=assignment, place=place, facility_code=facility_code)
    plan = _plan_for(person=person, kind=kind, contact=contact, today=clock.localdate(at))
    order = _order_insert(
        person=person,
        kind=kind,
        place=place,
        plan=plan,
        facility=facility,
        ordered_by=assignment.user,
        at=at,
        case_id=case_id,
        contact_id=contact_id,
    )
    _still_in_reach(assignment=assignment, orders=[order])
    return order


@transaction.atomic
def orders_for_contacts(
    *, assignment, contact_ids: list[int], place: str = Place.HOME, facility_code: str | None = None
) -> OrdersReport:
    """F1 quarantine for contacts of cases, all or nothing for the orders made (a facility that fills up
    part way refuses the whole batch). F2 contacts, people already under an order and contacts out of reach
    are skipped with the reason."""
    _check_role(assignment)
    _check_place(place, OrderKind.QUARANTINE)
    ids = list(dict.fromkeys(contact_ids))
    if len(ids) > MAX_BATCH:
        raise QuarantineError(_("At most %d contacts at a time.") % MAX_BATCH, field="contact_ids")
    facility = _facility_for(assignment=assignment, place=place, facility_code=facility_code)
    contacts = _contacts_by_id(ids)
    at, report = clock.now(), OrdersReport()
    for contact_id in ids:
        reason = _order_contact(
            assignment=assignment, contact=contacts.get(contact_id), place=place, facility=facility, at=at
        )
        if isinstance(reason, Order):
            report.created.append(reason)
        else:
            report.skipped.append((contact_id, reason))
    if report.created:
        _still_in_reach(assignment=assignment, orders=report.created)
    return report


def _order_contact(*, assignment, contact, place: str, facility, at: dt.datetime) -> Order | str:
    """The order made for one contact, or the reason it was skipped."""
    if contact is None:
        return str(_("Not found."))
    if contact.degree != 1:
        return str(_("F2: self-monitoring, no quarantine order"))
    try:
        person = _person_for(assignment=assignment, qid=contact.person.qid)
    except NotFound as error:
        return str(error.message)
    if selectors.in_quarantine(person=person):
        return str(_("Already under an active order."))
    plan = _plan_for(person=person, kind=OrderKind.QUARANTINE, contact=contact, today=clock.localdate(at))
    return _order_insert(
        person=person,
        kind=OrderKind.QUARANTINE,
        place=place,
        plan=plan,
        facility=facility,
        ordered_by=assignment.user,
        at=at,
        contact_id=contact.pk,
    )


# --- Events of other apps ---------------------------------------------------------------------------------


def _moment(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def case_opened_handle(event) -> None:
    """`tracing.case_opened`: the case's isolation order; an active F1 order converts into it. Idempotent:
    the same case never gets two orders."""
    payload = event.payload
    if Order.objects.filter(case_id=payload["case_id"]).exists():
        return
    person = identity_selectors.person_by_qid(qid=payload["person_qid"])
    if person is None:
        return
    active = Order.objects.select_for_update().filter(person=person, status=OrderStatus.ACTIVE).first()
    if active is not None and active.kind == OrderKind.ISOLATION:
        return  # already isolated (ordered by hand before the case reached the platform)
    if active is not None:
        active.status = OrderStatus.CONVERTED
        active.save(update_fields=["status"])
    isolated_on = clock.localdate(_moment(payload["isolated_at"]))
    basis = f"confirmed case {payload.get('case_code', '')}, isolated on {isolated_on:%d/%m/%Y}"
    plan = case_plan(isolated_on=isolated_on, today=clock.today(), basis=basis)
    place = payload.get("isolation_place") if payload.get("isolation_place") in Place.values else Place.HOME
    order = _order_insert(
        person=person,
        kind=OrderKind.ISOLATION,
        place=place,
        plan=plan,
        facility=None,
        at=clock.now(),
        case_id=payload["case_id"],
    )
    if active is not None:
        active.converted_to = order
        active.save(update_fields=["converted_to"])


def case_closed_handle(event) -> None:
    """`tracing.case_closed`: a tracer recorded the case's outcome. Recovered (e.g. a hospital's discharge
    paper) releases the isolation order with its certificate; deceased cancels it. Idempotent: only an
    active order changes."""
    payload = event.payload
    order = (
        Order.objects.select_for_update()
        .select_related("person")
        .filter(case_id=payload["case_id"], kind=OrderKind.ISOLATION, status=OrderStatus.ACTIVE)
        .first()
    )
    if order is None:
        return
    if payload.get("outcome") != "recovered":
        order.status = OrderStatus.CANCELLED
        order.save(update_fields=["status"])
        return
    order.status, order.released_at = OrderStatus.RELEASED, clock.now()
    order.release_code = _certificate(order)
    order.save(update_fields=["status", "released_at", "release_code"])


def _counts_as_test(payload: dict) -> bool:
    """A positive or negative individual result; a negative pool counts for its members, a positive pool
    only calls for an individual retest."""
    if payload.get("result") not in ("positive", "negative"):
        return False
    return not (payload.get("kind") == "pooled_rt_pcr" and payload.get("result") == "positive")


def result_recorded_handle(event) -> None:
    """`testing.result_recorded`: the open scheduled tests due by the sample's day are done (a late test
    stands for the ones missed before it, so a person tested only on the last day can still be released).
    A positive exit test of an isolation keeps the person isolated `retest_after_days` more, with a new
    test."""
    payload = event.payload
    if not _counts_as_test(payload) or ScheduledTest.objects.filter(result_id=payload["result_id"]).exists():
        return
    person = identity_selectors.person_by_qid(qid=payload["person_qid"])
    order = selectors.active_order_of(person=person, lock=True) if person else None
    if order is None:
        return
    sample_day = clock.localdate(_moment(payload["sample_taken_at"]))
    tests = list(order.scheduled_tests.filter(done_at__isnull=True, due_on__lte=sample_day))
    if not tests:
        return
    ScheduledTest.objects.filter(pk__in=[t.pk for t in tests]).update(
        result_id=payload["result_id"], done_at=clock.now()
    )
    exit_test = max(t.day_number for t in tests) == max(order.test_days, default=0)
    if payload["result"] == "positive" and exit_test and order.kind == OrderKind.ISOLATION:
        _isolation_extend(order, sample_day=sample_day, site=tests[0].site)


def _isolation_extend(order: Order, *, sample_day: dt.date, site) -> None:
    values = ruleset(order.rules_domain, order.starts_on).values
    ends_on = max(order.ends_on, sample_day) + dt.timedelta(days=values["retest_after_days"])
    day = (ends_on - order.starts_on).days + 1
    order.ends_on, order.test_days = ends_on, [*order.test_days, day]
    if order.monitor_until:
        order.monitor_until = ends_on + dt.timedelta(days=values["monitor_days"])
    order.save(update_fields=["ends_on", "test_days", "monitor_until"])
    ScheduledTest.objects.create(order=order, day_number=day, due_on=ends_on, site=site)


# --- Daily reports and alerts -----------------------------------------------------------------------------


def _temperature(value: Any, values: dict) -> Decimal:
    try:
        temperature = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise QuarantineError(_("Temperature must be a number, e.g. 36.8."), field="temperature") from None
    low, high = Decimal(str(values["temperature_min"])), Decimal(str(values["temperature_max"]))
    if not temperature.is_finite() or not low <= temperature <= high:
        raise QuarantineError(
            _("Temperature must lie between %(min)s and %(max)s °C.") % {"min": low, "max": high},
            field="temperature",
        )
    return temperature.quantize(Decimal("0.1"))


def _symptoms(codes: list[str]) -> list[str]:
    unknown = [c for c in codes if c not in declaration_rules.SYMPTOMS]
    if unknown:
        raise QuarantineError(
            _("Symptoms must be among: %s.") % ", ".join(declaration_rules.SYMPTOMS), field="symptoms"
        )
    return [c for c in declaration_rules.SYMPTOMS if c in codes]


def _alert(order: Order, kind: str, on: dt.date, detail: str) -> None:
    Alert.objects.get_or_create(
        order=order, kind=kind, on=on, defaults={"detail": detail[:300], "raised_at": clock.now()}
    )


@transaction.atomic
def daily_report_submit(
    *,
    user,
    person_qid: str,
    on: dt.date | None = None,
    temperature: Decimal | float | str,
    symptoms: list[str],
    note: str = "",
) -> DailyReport:
    """A citizen's daily health report, for themself or a member of their household under an active order.
    Fever or any symptom raises an alert for the commune."""
    order = selectors.own_active_order(user=user, person_qid=person_qid, lock=True)
    today = clock.today()
    on = on or today
    if on > today:
        raise QuarantineError(_("A report cannot be for a future day."), field="on")
    first = min(order.starts_on, clock.localdate(order.ordered_at))  # told today, reporting from today
    if on < first:
        raise QuarantineError(
            _("This order was made on %(date)s.") % {"date": f"{first:%d/%m/%Y}"}, field="on"
        )
    values = ruleset(rules.REPORT_RULES.domain, on).values
    reading, codes = _temperature(temperature, values), _symptoms(list(symptoms))
    report, _created = DailyReport.objects.update_or_create(
        order=order,
        on=on,
        defaults={
            "temperature": reading,
            "symptoms": codes,
            "note": " ".join(str(note or "").split())[:300],
            "submitted_at": clock.now(),
            "submitted_by": user,
        },
    )
    if reading >= Decimal(str(values["fever_celsius"])):
        _alert(order, AlertKind.FEVER, on, f"{reading} °C")
    if codes:
        _alert(order, AlertKind.SYMPTOMS, on, ", ".join(codes))
    return report


def alerts_raise_missed(*, on: dt.date | None = None, unit=None) -> int:
    """A "missed_report" alert for every day of every active order, from day 1 (or the order date, if later)
    to yesterday (or the last day), without a report. Idempotent. Returns how many were raised."""
    today = on or clock.today()
    orders = Order.objects.filter(status=OrderStatus.ACTIVE, starts_on__lt=today)
    if unit is not None:
        orders = orders.filter(unit_id__in=units_within(unit))
    reported = set(DailyReport.objects.filter(order__in=orders).values_list("order_id", "on"))
    reported |= set(
        Alert.objects.filter(order__in=orders, kind=AlertKind.MISSED_REPORT).values_list("order_id", "on")
    )
    now, new = clock.now(), []
    for pk, starts_on, ends_on, ordered_at in orders.values_list("pk", "starts_on", "ends_on", "ordered_at"):
        day = max(starts_on, clock.localdate(ordered_at))
        last = min(today - dt.timedelta(days=1), ends_on)
        while day <= last:
            if (pk, day) not in reported:
                new.append(Alert(order_id=pk, kind=AlertKind.MISSED_REPORT, on=day, raised_at=now))
            day += dt.timedelta(days=1)
    Alert.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


@transaction.atomic
def alert_resolve(*, assignment, alert_id: int, note: str = "") -> Alert:
    """An official marks an alert handled (a call made, a visit)."""
    _check_role(assignment)
    alert = (
        selectors.alerts_in_reach(assignment=assignment).select_for_update(of=("self",)).filter(pk=alert_id)
    )
    alert = alert.first()
    if alert is None:
        raise NotFound()
    if alert.resolved_at is not None:
        return alert
    note = " ".join(str(note or "").split())
    alert.resolved_at, alert.resolved_by = clock.now(), assignment.user
    if note:
        alert.detail = f"{alert.detail} · {note}".strip(" ·")[:300]
    alert.save(update_fields=["resolved_at", "resolved_by", "detail"])
    return alert


# --- Release ----------------------------------------------------------------------------------------------


def _certificate(order: Order) -> str:
    fields = certificate.ReleaseFields(
        qid=order.person.qid,
        full_name=order.person.full_name,
        birth_date=order.person.birth_date,
        kind=order.kind,
        starts_on=order.starts_on,
        ends_on=order.ends_on,
        released_at=order.released_at,
        rules=f"{order.rules_domain}@{order.rules_version}",
    )
    return certificate.release_sign(fields, key=keys.signing_key(certificate.KEY_PURPOSE))


@transaction.atomic
def order_release(*, assignment, order_id: int) -> Order:
    """Release when the last day is reached and the exit test is negative; with a signed certificate."""
    _check_role(assignment)
    if not selectors.orders_in_reach(assignment=assignment).filter(pk=order_id).exists():
        raise NotFound()
    order = Order.objects.select_for_update().select_related("person__residence_unit").get(pk=order_id)
    if order.status != OrderStatus.ACTIVE:
        raise QuarantineError(
            _("This order is not active (%(status)s).") % {"status": order.get_status_display()},
            code="not_active",
        )
    blockers = selectors.release_blockers(order=order)
    if blockers:
        raise QuarantineError(" ".join(blockers), code="not_releasable")
    order.status, order.released_at = OrderStatus.RELEASED, clock.now()
    order.release_code = _certificate(order)
    order.save(update_fields=["status", "released_at", "release_code"])
    audit_services.personal_data_reads_record(
        assignment=assignment, persons=[order.person], fields=AUDIT_FIELDS, purpose=Purpose.EPIDEMIC_CONTROL
    )
    event_services.event_record(
        name=ORDER_RELEASED, payload={**_payload(order), "released_at": order.released_at.isoformat()}
    )
    return order


# --- Facilities -------------------------------------------------------------------------------------------


@transaction.atomic
def facility_register(*, assignment, code: str, name: str, kind: str, capacity: int) -> Facility:
    """A quarantine facility or hospital in the official's own unit (a commune or a province)."""
    _check_role(assignment)
    if assignment.unit.level not in ("commune", "province"):
        raise Forbidden(_("Facilities are registered by a commune or a province."), code="no_permission")
    code = (code or "").strip().upper()
    if not _FACILITY_CODE.fullmatch(code):
        raise QuarantineError(
            _("Facility code has 2-20 letters, digits, dots, dashes or underscores."), field="code"
        )
    name = " ".join(str(name or "").split())[:120]
    if not name:
        raise QuarantineError(_("Name is required."), field="name")
    if kind not in FacilityKind.values:
        raise QuarantineError(_("Kind must be one of: %s.") % ", ".join(FacilityKind.values), field="kind")
    if not isinstance(capacity, int) or not 1 <= capacity <= 100_000:
        raise QuarantineError(_("Capacity is a number of beds, 1 to 100000."), field="capacity")
    if Facility.objects.filter(code=code).exists():
        raise QuarantineError(
            _("A facility already has this code."), code="facility_code_taken", field="code"
        )
    return Facility.objects.create(code=code, name=name, kind=kind, capacity=capacity, unit=assignment.unit)
