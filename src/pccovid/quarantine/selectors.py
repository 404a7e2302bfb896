"""Reads of quarantine and isolation.

Internal (other apps, the citizen's own pages): `active_order_of`, `in_quarantine`, `own_orders`,
`own_active_order`. Officials: every read goes through `orders_in_reach` (`restrict_to` with
"quarantine.manage": people living in the unit, or put in its reach by an access grant, e.g. a contact of
a case traced there) and every person shown is audited. Counts per unit (`order_counts`) are aggregates:
no audit.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from pccovid.audit import services as audit_services
from pccovid.core import clock, keys
from pccovid.core.errors import ApplicationError, NotFound
from pccovid.core.querysets import units_within
from pccovid.geography import selectors as geography_selectors
from pccovid.identity import selectors as identity_selectors
from pccovid.quarantine import certificate
from pccovid.quarantine.models import (
    Alert,
    DailyReport,
    Facility,
    Order,
    OrderKind,
    OrderStatus,
    Place,
    ScheduledTest,
)
from pccovid.testing import selectors as testing_selectors

ACTION = "quarantine.manage"
LIST_FIELDS = ["full_name", "birth_date", "residence_unit", "quarantine_order"]
DETAIL_FIELDS = [*LIST_FIELDS, "daily_reports", "scheduled_tests", "alerts"]
LIST_MAX = 200


@dataclass(frozen=True)
class OrderPage:
    items: list[Order]
    count: int


@dataclass(frozen=True)
class FacilityRow:
    facility: Facility
    occupied: int

    @property
    def free(self) -> int:
        return max(0, self.facility.capacity - self.occupied)


# --- Internal ---------------------------------------------------------------------------------------------


def active_order_of(*, person, lock: bool = False) -> Order | None:
    """The person's active order of either kind (at most one: a database constraint)."""
    orders = Order.objects.filter(person=person, status=OrderStatus.ACTIVE)
    if lock:
        orders = orders.select_for_update(of=("self",))  # PostgreSQL: not the nullable facility
    return orders.select_related("facility").first()


def in_quarantine(*, person) -> bool:
    """Under an active quarantine (F1) or isolation (F0) order."""
    return Order.objects.filter(person=person, status=OrderStatus.ACTIVE).exists()


def _detail(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("person__residence_unit", "facility", "unit").prefetch_related(
        Prefetch("reports", queryset=DailyReport.objects.order_by("-on")),
        Prefetch("scheduled_tests", queryset=ScheduledTest.objects.select_related("site", "result")),
        Prefetch("alerts", queryset=Alert.objects.order_by("-on", "-pk")),
    )


def own_orders(*, person) -> list[Order]:
    """The citizen's (or a household member's) orders: the active one and released ones, newest first."""
    return list(
        _detail(
            Order.objects.filter(person=person, status__in=[OrderStatus.ACTIVE, OrderStatus.RELEASED])
        ).order_by("-ordered_at")[:5]
    )


def own_active_order(*, user, person_qid: str, lock: bool = False) -> Order:
    """The active order of the signed-in citizen or a member of their household (no audit: their own)."""
    me = identity_selectors.person_own(user=user)
    if me is None:
        raise NotFound(_("Your account is not linked to a person yet."))
    person = next((p for p in identity_selectors.household_members(person=me) if p.qid == person_qid), None)
    order = active_order_of(person=person, lock=lock) if person else None
    if order is None:
        raise NotFound(_("No active quarantine or isolation order."))
    order.person = person
    return order


def release_blockers(*, order: Order, today: dt.date | None = None) -> list[str]:
    """What stands between an active order and its release (empty: releasable)."""
    today = today or clock.today()
    blockers = []
    if today < order.ends_on:
        blockers.append(_("Ends on %(date)s.") % {"date": f"{order.ends_on:%d/%m/%Y}"})
    tests = sorted(order.scheduled_tests.all(), key=lambda t: t.day_number)
    if tests:
        exit_test = tests[-1]
        if exit_test.result is None:
            blockers.append(_("Day %(day)d test has no result yet.") % {"day": exit_test.day_number})
        elif exit_test.result.result != "negative":
            blockers.append(
                _("Day %(day)d test was %(result)s.")
                % {"day": exit_test.day_number, "result": exit_test.result.get_result_display()}
            )
    return blockers


def day_of(order: Order, on: dt.date | None = None) -> int:
    """Which day of the order `on` is (1 = starts_on)."""
    return ((on or clock.today()) - order.starts_on).days + 1


# --- Officials --------------------------------------------------------------------------------------------


def orders_in_reach(*, assignment) -> QuerySet:
    """Orders of the people in the assignment's reach, restricted, not yet read."""
    return Order.objects.restrict_to(assignment, ACTION)


def _audit(*, assignment, orders: list[Order], fields: list[str], purpose: str) -> None:
    persons = {o.person_id: o.person for o in orders}
    audit_services.personal_data_reads_record(
        assignment=assignment, persons=persons.values(), fields=fields, purpose=purpose
    )


def _choice(value: str | None, choices: list[str], name: str) -> str | None:
    if value and value not in choices:
        raise ApplicationError(
            _("%(name)s must be one of: %(values)s.") % {"name": name, "values": ", ".join(choices)},
            field=name,
        )
    return value or None


def orders_list(
    *,
    assignment,
    purpose: str,
    kind: str | None = None,
    status: str | None = None,
    place: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> OrderPage:
    """One page of the orders in reach, newest first; each person shown is audited."""
    audit_services.purpose_check(purpose)
    orders = orders_in_reach(assignment=assignment)
    filters = {
        "kind": _choice(kind, OrderKind.values, "kind"),
        "status": _choice(status, OrderStatus.values, "status"),
        "place": _choice(place, Place.values, "place"),
    }
    orders = orders.filter(**{k: v for k, v in filters.items() if v}).order_by("-ordered_at", "-pk")
    items = list(
        orders.select_related("person__residence_unit", "facility")[offset : offset + min(limit, LIST_MAX)]
    )
    _audit(assignment=assignment, orders=items, fields=LIST_FIELDS, purpose=purpose)
    return OrderPage(items=items, count=orders.count())


def order_get(*, assignment, order_id: int, purpose: str) -> Order:
    """One order with its reports, tests and alerts; "not found" when out of reach; audited."""
    audit_services.purpose_check(purpose)
    order = _detail(orders_in_reach(assignment=assignment).filter(pk=order_id)).first()
    if order is None:
        raise NotFound()
    _audit(assignment=assignment, orders=[order], fields=DETAIL_FIELDS, purpose=purpose)
    return order


def alerts_in_reach(*, assignment) -> QuerySet:
    return Alert.objects.filter(order__in=orders_in_reach(assignment=assignment))


def alerts_open(*, assignment, purpose: str, limit: int = 200) -> list[Alert]:
    """Unresolved alerts of the orders in reach, newest day first; each person shown is audited."""
    audit_services.purpose_check(purpose)
    alerts = list(
        alerts_in_reach(assignment=assignment)
        .filter(resolved_at__isnull=True)
        .select_related("order__person__residence_unit")
        .order_by("-on", "-pk")[: min(limit, LIST_MAX)]
    )
    _audit(assignment=assignment, orders=[a.order for a in alerts], fields=LIST_FIELDS, purpose=purpose)
    return alerts


def tests_due(*, assignment, purpose: str = "epidemic_control", limit: int = 200) -> list[ScheduledTest]:
    """The test sites' to-do list: open scheduled tests due by today at the sites inside the assignment's
    unit, of active orders in reach, oldest due first; each person shown is audited."""
    audit_services.purpose_check(purpose)
    due = list(
        ScheduledTest.objects.filter(
            done_at__isnull=True,
            due_on__lte=clock.today(),
            site__in=testing_selectors.sites_in_reach(assignment=assignment).values("pk"),
            order__in=orders_in_reach(assignment=assignment).filter(status=OrderStatus.ACTIVE),
        )
        .select_related("order__person__residence_unit", "site")
        .order_by("due_on", "pk")[: min(limit, LIST_MAX)]
    )
    _audit(assignment=assignment, orders=[t.order for t in due], fields=LIST_FIELDS, purpose=purpose)
    return due


def facilities_usable(*, assignment) -> QuerySet:
    """Facilities in the assignment's unit or below it, and those of the units above it (a commune sends
    people to the province's facility)."""
    unit = assignment.unit
    above = geography_selectors.unit_ancestors(unit).values("pk")
    return Facility.objects.filter(Q(unit_id__in=units_within(unit)) | Q(unit_id__in=above)).select_related(
        "unit"
    )


def facilities_list(*, assignment) -> list[FacilityRow]:
    """Facilities usable by the assignment, with their occupancy (active orders), by code."""
    found = facilities_usable(assignment=assignment).annotate(
        occupied=Count("orders", filter=Q(orders__status=OrderStatus.ACTIVE))
    )
    return [FacilityRow(f, f.occupied) for f in found.order_by("code")[:LIST_MAX]]


# --- Counts (issue 8: risk levels) ------------------------------------------------------------------------


def _covers(on: dt.date, prefix: str = "") -> Q:
    """Orders that cover the local day `on` (reached through `prefix`, e.g. "orders__"): from day 1 until
    the last day, or longer while waiting for release; a converted order stops the day its isolation
    starts; cancelled orders never count."""
    start, _end = clock.local_day_bounds(on)

    def on_order(lookup: str, value) -> Q:
        return Q(**{prefix + lookup: value})

    return (
        on_order("starts_on__lte", on)
        & ~on_order("status", OrderStatus.CANCELLED)
        & (
            on_order("ends_on__gte", on)
            | on_order("status", OrderStatus.ACTIVE)
            | on_order("released_at__gte", start)
        )
        & (on_order("converted_to__isnull", True) | on_order("converted_to__starts_on__gt", on))
    )


def order_counts(*, unit, on: dt.date) -> dict[int, dict[str, int]]:
    """People in quarantine (F1) and in isolation (F0) on `on`, and orders made that day, per direct child
    of `unit` (its own orders under its own id). An order covers a day from day 1 until its last day, or
    longer while it waits for release; a converted order stops the day its isolation starts; cancelled
    orders do not count. One grouped query, rolled up by `counts_by_child`."""
    start, end = clock.local_day_bounds(on)
    covers = _covers(on)
    rows = (
        Order.objects.filter(unit_id__in=units_within(unit))
        .filter(Q(starts_on__lte=on) | Q(ordered_at__gte=start, ordered_at__lt=end))
        .values("unit_id")
        .annotate(
            in_quarantine=Count("pk", filter=covers & Q(kind=OrderKind.QUARANTINE)),
            in_isolation=Count("pk", filter=covers & Q(kind=OrderKind.ISOLATION)),
            new_orders=Count("pk", filter=Q(ordered_at__gte=start, ordered_at__lt=end)),
        )
    )
    counts = {
        row["unit_id"]: {k: row[k] for k in ("in_quarantine", "in_isolation", "new_orders")} for row in rows
    }
    return geography_selectors.counts_by_child(unit=unit, counts_by_unit=counts)


def quarantined_at(*, person_ref: OuterRef, moment_ref: OuterRef) -> Exists:
    """True where the person (`person_ref`) was under a quarantine or isolation order at `moment_ref`:
    ordered before it, not cancelled, not released before it. For `tracing.selectors.new_case_counts`."""
    return Exists(
        Order.objects.filter(person_id=person_ref, ordered_at__lt=moment_ref)
        .exclude(status=OrderStatus.CANCELLED)
        .filter(Q(released_at__isnull=True) | Q(released_at__gte=moment_ref))
    )


# --- Release certificates ---------------------------------------------------------------------------------


def public_key_set() -> dict:
    """JWKS-like: the keys that verify release certificates (active, and retired within their grace)."""
    return keys.key_set(certificate.KEY_PURPOSE)


def certificate_verify(*, text: str) -> certificate.Verdict:
    """A pasted or scanned release certificate, checked against this installation's keys."""
    return certificate.release_verify(text, keys.public_keys(certificate.KEY_PURPOSE), clock.now())


# --- Report aggregates (issue 8) ---


def order_place_counts(*, unit, on: dt.date) -> dict[int, dict[str, int]]:
    """People in quarantine (F1) and in isolation or treatment (F0) on `on`, by where (home, facility,
    hospital), per unit id of the order (any depth inside `unit`, not rolled up): keys "f1_home",
    "f1_facility", "f1_hospital", "f0_home", "f0_facility", "f0_hospital". An order covers the same days
    as in `order_counts` (the tests check that the two agree). One grouped query. An aggregate: no audit."""
    covers = _covers(on)
    kinds = {"f1": OrderKind.QUARANTINE, "f0": OrderKind.ISOLATION}
    counted = {
        f"{prefix}_{place}": Count("pk", filter=Q(kind=kind, place=place))
        for prefix, kind in kinds.items()
        for place in Place.values
    }
    rows = (
        Order.objects.filter(unit_id__in=units_within(unit))
        .filter(covers)
        .values("unit_id")
        .annotate(**counted)
        .order_by()
    )
    return {row.pop("unit_id"): row for row in rows}


# --- Risk levels (issue 8) ---


def persons_under_order(*, person_ids) -> dict[int, str]:
    """person id -> kind ("quarantine" or "isolation") of their active order, for those of `person_ids`
    who have one. Internal: callers audit what they show."""
    return dict(
        Order.objects.filter(person_id__in=list(person_ids), status=OrderStatus.ACTIVE).values_list(
            "person_id", "kind"
        )
    )


# --- City operations (issue 8) ---


def facility_occupancy(*, unit, on: dt.date) -> list[dict]:
    """The facilities and hospitals located inside `unit`, by code, each with its capacity and the people
    placed there on `on` ("quarantine" F1, "isolation" F0): an order covers the same days as in
    `order_counts`. One query. An aggregate: no audit."""
    covers = _covers(on, prefix="orders__")
    rows = (
        Facility.objects.filter(unit_id__in=units_within(unit), active=True)
        .annotate(
            quarantine=Count("orders", filter=covers & Q(orders__kind=OrderKind.QUARANTINE)),
            isolation=Count("orders", filter=covers & Q(orders__kind=OrderKind.ISOLATION)),
        )
        .order_by("code")
        .values("code", "name", "kind", "capacity", "unit__name", "quarantine", "isolation")
    )
    return list(rows[:LIST_MAX])
