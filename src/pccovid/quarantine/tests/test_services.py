import datetime as dt
import io

import pytest
from django.db import transaction

from pccovid.core import clock, keys
from pccovid.core.errors import NotFound
from pccovid.events import services as event_services
from pccovid.events.models import OutboxEvent
from pccovid.identity import services as identity_services
from pccovid.quarantine import certificate, selectors, services
from pccovid.quarantine.models import Alert, Order, ScheduledTest
from pccovid.quarantine.services import QuarantineError
from pccovid.quarantine.tests.conftest import NOW, TODAY, local
from pccovid.testing import services as testing_services
from pccovid.testkit import make_person

DAY = dt.timedelta(days=1)


def _order(officer, person, **kwargs) -> Order:
    kwargs.setdefault("kind", "quarantine")
    kwargs.setdefault("place", "home")
    return services.order_create(assignment=officer[1], person_qid=person.qid, **kwargs)


def _f1(officer, contact) -> Order:
    return _order(officer, contact.person, contact_id=contact.pk)


# --- Rules ------------------------------------------------------------------------------------------------


def test_unvaccinated_f1_in_december_2021_quarantines_14_days_tested_on_days_1_7_14(officer, people, contact):
    order = _f1(officer, contact(people["an"]))
    assert (order.starts_on, order.ends_on, order.monitor_until) == (TODAY, dt.date(2022, 1, 2), None)
    assert order.test_days == [1, 7, 14]
    assert (order.rules_domain, order.rules_version, order.basis) == (
        "quarantine.contact",
        "2021.12",
        "not fully vaccinated",
    )
    tests = list(
        order.scheduled_tests.order_by("day_number").values_list("day_number", "due_on", "site__code")
    )
    assert tests == [(1, TODAY, "BT01"), (7, TODAY + 6 * DAY, "BT01"), (14, TODAY + 13 * DAY, "BT01")]
    assert order.unit.code == "26743"  # An lives in a residential group: the order follows the commune


def test_vaccinated_14_days_before_day_1_quarantines_7_days_and_monitors_7(officer, people, contact, dose):
    dose(people["an"], TODAY - 14 * DAY)
    order = _f1(officer, contact(people["an"]))
    assert (order.ends_on, order.monitor_until, order.test_days) == (
        TODAY + 6 * DAY,
        TODAY + 13 * DAY,
        [1, 7],
    )
    assert order.basis == f"fully vaccinated, last dose {TODAY - 14 * DAY:%d/%m/%Y}"


def test_13_days_after_the_last_dose_is_not_protected(officer, people, contact, dose):
    dose(people["an"], TODAY - 13 * DAY)
    order = _f1(officer, contact(people["an"]))
    assert order.test_days == [1, 7, 14]
    assert order.basis.startswith("not protected")


def test_a_last_dose_over_6_months_old_protects_in_2022_but_not_in_2021(officer, people, contact, dose):
    dose(people["an"], TODAY - 181 * DAY)
    assert _f1(officer, contact(people["an"])).test_days == [1, 7, 14]
    later = dt.datetime(2022, 3, 1, 3, 0, tzinfo=dt.UTC)
    with clock.frozen(later):
        plan = services.contact_plan(
            person=people["an"], exposure_day=dt.date(2022, 2, 28), today=later.date()
        )
    assert (plan.rules_version, plan.test_days, plan.ends_on) == ("2022.02", [5], dt.date(2022, 3, 5))
    assert plan.monitor_until == dt.date(2022, 3, 10)


def test_february_2022_rules_for_an_unprotected_contact(people):
    with clock.frozen(dt.datetime(2022, 3, 1, 3, 0, tzinfo=dt.UTC)):
        plan = services.contact_plan(
            person=people["an"], exposure_day=dt.date(2022, 2, 28), today=dt.date(2022, 3, 1)
        )
    assert (plan.rules_version, plan.ends_on, plan.monitor_until, plan.test_days) == (
        "2022.02",
        dt.date(2022, 3, 7),
        dt.date(2022, 3, 10),
        [7],
    )


def test_recovered_within_6_months_is_protected(officer, people, contact, case):
    case(people["an"], isolated_at=NOW - 60 * DAY, outcome="recovered", outcome_on=TODAY - 50 * DAY,
         closed_at=NOW - 50 * DAY)  # fmt: skip
    order = _f1(officer, contact(people["an"]))
    assert order.test_days == [1, 7]
    assert order.basis == f"recovered on {TODAY - 50 * DAY:%d/%m/%Y}"


def test_a_late_order_counts_from_the_exposure_but_never_ends_before_today(
    officer, people, contact, neighbour
):
    order = _f1(officer, contact(people["an"], last_exposure_at=local(TODAY - 10 * DAY)))
    assert (order.starts_on, order.ends_on) == (TODAY - 9 * DAY, TODAY + 4 * DAY)
    assert order.test_days == [14]  # days 1 and 7 were past when the order was made
    very_late = _f1(officer, contact(neighbour, last_exposure_at=local(TODAY - 30 * DAY)))
    assert very_late.ends_on == TODAY
    assert very_late.test_days == [(TODAY - very_late.starts_on).days + 1]


def test_rules_before_the_first_rule_set_use_the_first(people):
    plan = services.contact_plan(
        person=people["an"], exposure_day=dt.date(2021, 10, 1), today=dt.date(2021, 10, 2)
    )
    assert plan.rules_version == "2021.12"


# --- Orders -----------------------------------------------------------------------------------------------


def test_one_active_order_per_person(officer, people):
    _order(officer, people["an"])
    with pytest.raises(QuarantineError, match="already has an active"):
        _order(officer, people["an"], kind="isolation")


def test_order_created_event(officer, people, contact):
    order = _f1(officer, contact(people["an"]))
    event = OutboxEvent.objects.get(name="quarantine.order_created")
    assert event.payload == {"order_id": order.pk, "person_qid": people["an"].qid, "kind": "quarantine",
                             "contact_id": order.contact_id, "case_id": None}  # fmt: skip


def test_a_full_facility_is_refused(officer, people, facility, neighbour):
    facility(capacity=1)
    _order(officer, people["an"], place="facility", facility_code="KCL01")
    with pytest.raises(QuarantineError, match="full"):
        _order(officer, neighbour, place="facility", facility_code="kcl01")


def test_the_place_must_match_the_facility(officer, people, facility):
    facility(kind="hospital")
    with pytest.raises(QuarantineError, match="matching place"):
        _order(officer, people["an"], place="facility", facility_code="KCL01")
    with pytest.raises(QuarantineError, match="facility"):
        _order(officer, people["an"], place="hospital")


def test_a_batch_for_contacts_skips_f2_and_is_atomic_when_the_facility_fills(
    officer, people, contact, facility, tree, neighbour, case
):
    dung = neighbour
    f1, f2, other = contact(people["an"]), contact(dung, degree=2), contact(make_person(
        tree["ben_thanh"], name="Võ Em", cccd="079090006666", phone=None))  # fmt: skip
    report = services.orders_for_contacts(assignment=officer[1], contact_ids=[f1.pk, f2.pk, 999999])
    assert [o.contact_id for o in report.created] == [f1.pk]
    assert report.skipped == [(f2.pk, "F2: self-monitoring, no quarantine order"), (999999, "Not found.")]
    facility(capacity=1)
    with pytest.raises(QuarantineError, match="full"):
        services.orders_for_contacts(
            assignment=officer[1],
            contact_ids=[other.pk, contact(dung, of=case(people["chi"])).pk],
            place="facility",
            facility_code="KCL01",
        )
    assert not Order.objects.filter(facility__isnull=False).exists()


def test_an_official_elsewhere_cannot_order_release_or_read(officer, official, people):
    _user, hanoi = official("commune_official", "hoan_kiem")
    with pytest.raises(NotFound):
        services.order_create(assignment=hanoi, person_qid=people["an"].qid, kind="quarantine", place="home")
    order = _order(officer, people["an"])
    with pytest.raises(NotFound):
        services.order_release(assignment=hanoi, order_id=order.pk)
    with pytest.raises(NotFound):
        selectors.order_get(assignment=hanoi, order_id=order.pk, purpose="epidemic_control")
    assert selectors.orders_list(assignment=hanoi, purpose="epidemic_control").count == 0
    assert selectors.orders_list(assignment=officer[1], purpose="epidemic_control").count == 1


def test_facility_register(officer, official):
    facility = services.facility_register(
        assignment=officer[1], code="kcl-9", name=" Ký túc xá ", kind="facility", capacity=300
    )
    assert (facility.code, facility.name, facility.unit.code) == ("KCL-9", "Ký túc xá", "26743")
    with pytest.raises(QuarantineError, match="already"):
        services.facility_register(assignment=officer[1], code="KCL-9", name="x", kind="facility", capacity=1)
    rows = selectors.facilities_list(assignment=officer[1])
    assert [(r.facility.code, r.occupied, r.free) for r in rows] == [("KCL-9", 0, 300)]


# --- Daily reports and alerts -----------------------------------------------------------------------------


@pytest.fixture
def citizen(people, django_user_model):
    return django_user_model.objects.create_user(
        username="an-citizen", password="pw-123456", person=people["an"]
    )


def test_daily_report_fever_and_symptoms_raise_alerts(officer, people, citizen):
    order = _order(officer, people["an"])
    report = services.daily_report_submit(user=citizen, person_qid=people["an"].qid, temperature="38,2",
                                          symptoms=["cough", "fatigue"], note="ho nhẹ")  # fmt: skip
    assert (str(report.temperature), report.symptoms) == ("38.2", ["cough", "fatigue"])
    alerts = set(order.alerts.values_list("kind", "detail"))
    assert alerts == {("fever", "38.2 °C"), ("symptoms", "cough, fatigue")}
    again = services.daily_report_submit(
        user=citizen, person_qid=people["an"].qid, temperature=36.6, symptoms=[]
    )
    assert again.pk == report.pk and order.reports.count() == 1  # the day's report is replaced


def test_daily_report_for_a_household_member(officer, tree, django_user_model):
    home = identity_services.household_create(code="HH-1", unit=tree["ben_thanh"])
    parent = make_person(tree["ben_thanh"], name="Đỗ Cha", cccd="079070000001", birth=dt.date(1970, 1, 1),
                         phone=None, household=home)  # fmt: skip
    child = make_person(tree["ben_thanh"], name="Đỗ Con", cccd="079210000002", birth=dt.date(2010, 1, 1),
                        phone=None, household=home)  # fmt: skip
    user = django_user_model.objects.create_user(username="parent", password="pw-123456", person=parent)
    order = _order(officer, child)
    report = services.daily_report_submit(user=user, person_qid=child.qid, temperature=36.9, symptoms=[])
    assert (report.order, report.submitted_by) == (order, user)


def test_daily_report_refusals(officer, people, citizen, neighbour):
    with pytest.raises(NotFound):
        services.daily_report_submit(user=citizen, person_qid=people["an"].qid, temperature=36.5, symptoms=[])
    _order(officer, neighbour)
    with pytest.raises(NotFound):  # not their household
        services.daily_report_submit(user=citizen, person_qid=neighbour.qid, temperature=36.5, symptoms=[])
    _order(officer, people["an"])
    for temperature in ("45", "abc", "NaN"):
        with pytest.raises(QuarantineError) as error:
            services.daily_report_submit(user=citizen, person_qid=people["an"].qid, temperature=temperature,
                                         symptoms=[])  # fmt: skip
        assert error.value.status == 400 and error.value.field == "temperature"
    with pytest.raises(QuarantineError, match="Symptoms"):
        services.daily_report_submit(
            user=citizen, person_qid=people["an"].qid, temperature=36.5, symptoms=["x"]
        )


def test_missed_reports_raise_alerts_once_from_the_order_day_to_yesterday(officer, people, contact, citizen):
    order = _f1(officer, contact(people["an"], last_exposure_at=local(TODAY - 3 * DAY)))  # day 1 = 18 Dec
    assert services.alerts_raise_missed() == 0  # 18 and 19 Dec were before the order: not missed
    services.daily_report_submit(user=citizen, person_qid=people["an"].qid, temperature=36.5, symptoms=[])
    with clock.frozen(NOW + 3 * DAY):
        assert services.alerts_raise_missed() == 2  # 21 and 22 Dec; 20 Dec has its report; 23 Dec is today
        assert services.alerts_raise_missed() == 0
    missed = sorted(order.alerts.filter(kind="missed_report").values_list("on", flat=True))
    assert missed == [TODAY + DAY, TODAY + 2 * DAY]
    alert = order.alerts.first()
    resolved = services.alert_resolve(assignment=officer[1], alert_id=alert.pk, note="Đã gọi điện")
    assert resolved.resolved_at is not None and "Đã gọi điện" in resolved.detail


# --- Tests, conversion, release ---------------------------------------------------------------------------


def _result(technician, person, result: str, taken: dt.datetime, external_id: str):
    return testing_services.result_record(assignment=technician, person_qid=person.qid, kind="rapid_antigen",
                                          sample_taken_at=taken, result=result, site_code="BT01",
                                          external_id=external_id)  # fmt: skip


def test_a_recorded_result_completes_the_scheduled_test(officer, people, django_capture_on_commit_callbacks):
    order = _order(officer, people["an"])
    with django_capture_on_commit_callbacks(execute=True):
        result = _result(officer[1], people["an"], "negative", NOW - dt.timedelta(hours=1), "S-1")
    test = order.scheduled_tests.get(day_number=1)
    assert (test.result_id, test.done_at) == (result.pk, NOW)
    assert order.scheduled_tests.filter(done_at__isnull=True).count() == 2


def test_release_is_refused_before_the_end_and_without_a_negative_exit_test(
    officer, people, django_capture_on_commit_callbacks
):
    order = _order(officer, people["an"])
    with pytest.raises(QuarantineError, match="Ends on 02/01/2022"):
        services.order_release(assignment=officer[1], order_id=order.pk)
    end = dt.datetime(2022, 1, 2, 3, 0, tzinfo=dt.UTC)
    with clock.frozen(end):
        with pytest.raises(QuarantineError, match="Day 14 test has no result yet"):
            services.order_release(assignment=officer[1], order_id=order.pk)
        with django_capture_on_commit_callbacks(execute=True):
            _result(officer[1], people["an"], "negative", end - dt.timedelta(hours=1), "S-14")
        with django_capture_on_commit_callbacks(execute=True):
            released = services.order_release(assignment=officer[1], order_id=order.pk)
    assert (released.status, released.released_at) == ("released", end)
    verdict = certificate.release_verify(
        released.release_code, keys.public_keys(certificate.KEY_PURPOSE), end
    )
    assert verdict.status == "valid"
    assert verdict.fields["qid"] == people["an"].qid and verdict.fields["full_name"] == "NGUYEN VAN AN"
    assert verdict.fields["rules"] == "quarantine.contact@2021.12"
    event = OutboxEvent.objects.get(name="quarantine.order_released")
    assert event.payload["released_at"] == end.isoformat() and event.payload["order_id"] == order.pk
    assert not selectors.in_quarantine(person=people["an"])


def _case_opened(case_obj, place: str = "home") -> None:
    payload = {"case_id": case_obj.pk, "case_code": case_obj.code, "person_qid": case_obj.person.qid,
               "isolated_at": case_obj.isolated_at.isoformat(), "isolation_place": place}  # fmt: skip
    with transaction.atomic():
        event_services.event_record(name="tracing.case_opened", payload=payload)


def test_a_case_opened_converts_f1_quarantine_to_isolation(
    officer, people, contact, case, django_capture_on_commit_callbacks
):
    quarantine = _f1(officer, contact(people["an"]))
    f0 = case(people["an"])
    with django_capture_on_commit_callbacks(execute=True):
        _case_opened(f0)
    with django_capture_on_commit_callbacks(execute=True):
        _case_opened(f0)  # the same case again: still one order
    quarantine.refresh_from_db()
    isolation = Order.objects.get(case=f0)
    assert (quarantine.status, quarantine.converted_to_id) == ("converted", isolation.pk)
    assert (isolation.kind, isolation.status, isolation.ordered_by, isolation.rules_version) == (
        "isolation",
        "active",
        None,
        "2021.12",
    )
    assert (isolation.starts_on, isolation.ends_on, isolation.test_days) == (TODAY, TODAY + 9 * DAY, [10])
    assert selectors.active_order_of(person=people["an"]) == isolation


def test_a_positive_exit_test_extends_isolation(officer, people, case, django_capture_on_commit_callbacks):
    f0 = case(people["an"], isolation_place="hospital")
    with django_capture_on_commit_callbacks(execute=True):
        _case_opened(f0, place="hospital")
    order = Order.objects.get(case=f0)
    assert (order.place, order.facility) == ("hospital", None)
    day_10 = dt.datetime(2021, 12, 29, 3, 0, tzinfo=dt.UTC)
    with clock.frozen(day_10), django_capture_on_commit_callbacks(execute=True):
        _result(officer[1], people["an"], "positive", day_10 - dt.timedelta(hours=1), "S-P")
    order.refresh_from_db()
    assert (order.ends_on, order.test_days) == (dt.date(2022, 1, 1), [10, 13])
    assert ScheduledTest.objects.get(order=order, day_number=13).due_on == dt.date(2022, 1, 1)


# --- Counts -----------------------------------------------------------------------------------------------


def test_order_counts_per_child_unit_and_day(official, site, people, tree, case, contact):
    province = official("province_official", "hcmc")
    _f1(province, contact(people["an"]))
    _order(province, people["binh"], kind="isolation")
    counts = selectors.order_counts(unit=tree["hcmc"], on=TODAY)
    assert counts[tree["ben_thanh"].pk] == {"in_quarantine": 1, "in_isolation": 0, "new_orders": 1}
    assert counts[tree["sai_gon"].pk] == {"in_quarantine": 0, "in_isolation": 1, "new_orders": 1}
    before = selectors.order_counts(unit=tree["hcmc"], on=TODAY - DAY)
    assert all(c == {"in_quarantine": 0, "in_isolation": 0, "new_orders": 0} for c in before.values())
    assert Alert.objects.count() == 0


def test_the_alerts_command(officer, people):
    from django.core.management import call_command

    _order(officer, people["an"])
    out = io.StringIO()
    with clock.frozen(NOW + 2 * DAY):
        call_command("quarantine_alerts", stdout=out)
    assert out.getvalue().strip() == "Raised 2 missed-report alerts."
