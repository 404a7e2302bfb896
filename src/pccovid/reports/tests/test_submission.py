"""Entering, submitting, locking and correcting; who may do it."""

import datetime as dt

import pytest

from pccovid.core.errors import Forbidden, NotFound
from pccovid.reports import demo, rules, selectors, services
from pccovid.reports.services import ReportError

from .conftest import NOW, TODAY

VALUES = {f.key: 3 for f in rules.DAILY.entered_fields}


def _submit(assignment, **kwargs):
    return services.report_submit(assignment=assignment, form="daily", unit_code="26743", on=TODAY, **kwargs)


def test_submit_locks_and_a_correction_is_a_new_version(epidemic, officials):
    bt = officials["bt"]
    with pytest.raises(ReportError, match="Fill in before submitting"):
        _submit(bt)
    services.report_entries_save(assignment=bt, form="daily", unit_code="26743", on=TODAY, values=VALUES)
    first = _submit(bt)
    assert (first.version, first.supersedes, first.submitted_by) == (1, None, bt.user)
    assert first.figures["figures"]["tests_done"] == 2 and first.figures["figures"]["beds_total"] == 3
    # The ward's own row (tests at its site, the orders it follows) and its residential group's.
    assert [c["code"] for c in first.figures["children"]] == ["26743", "26743.001"]
    with pytest.raises(ReportError, match="locked"):
        services.report_entries_save(assignment=bt, form="daily", unit_code="26743", on=TODAY,
                                     values={"beds_total": 4})  # fmt: skip
    with pytest.raises(ReportError, match="Say why"):
        _submit(bt)
    second = _submit(bt, reason="Beds miscounted", values={"beds_total": 41})
    assert (second.version, second.supersedes, second.reason) == (2, first, "Beds miscounted")
    assert second.figures["figures"]["beds_total"] == 41
    first.refresh_from_db()
    assert first.figures["figures"]["beds_total"] == 3  # the old version stays as it was
    report = selectors.report_build(assignment=bt, form="daily", on=TODAY)
    assert [s.version for s in report.submissions] == [2, 1] and report.locked
    assert not report.changed_since_submission


def test_only_the_units_own_officials_enter_and_submit(epidemic, officials, official):
    for assignment, error in ((officials["hcmc"], Forbidden), (officials["hk"], NotFound)):
        with pytest.raises(error):
            services.report_entries_save(assignment=assignment, form="daily", unit_code="26743", on=TODAY,
                                         values=VALUES)  # fmt: skip
        with pytest.raises(error):
            _submit(assignment)
    _user, tracer = official("tracer", "ben_thanh")  # reads cases, not reports
    with pytest.raises(NotFound):
        selectors.report_build(assignment=tracer, form="daily", on=TODAY)


def test_entered_values_are_checked(epidemic, officials):
    for values in ({"tests_done": 5}, {"beds_total": -1}, {"beds_total": 10**9}, {"nope": 1}):
        with pytest.raises(ReportError):
            services.report_entries_save(assignment=officials["bt"], form="daily", unit_code="26743",
                                         on=TODAY, values=values)  # fmt: skip


def test_a_changed_value_is_a_new_row_and_an_unchanged_one_writes_nothing(epidemic, officials):
    bt = officials["bt"]
    save = lambda **v: services.report_entries_save(assignment=bt, form="daily", unit_code="26743",  # noqa: E731
                                                    on=TODAY, values=v)  # fmt: skip
    assert len(save(beds_total=5)) == 1
    assert save(beds_total=5) == []
    assert len(save(beds_total=6)) == 1
    report = selectors.report_build(assignment=bt, form="daily", on=TODAY)
    assert report.figures["beds_total"] == 6


def test_late_records_show_as_changed_since_submission(epidemic, officials, tree):
    from pccovid.testing import services as testing_services

    bt = officials["bt"]
    _submit(bt, values=VALUES)
    testing_services.result_record(assignment=bt, person_qid=epidemic["dung"].qid, kind="rapid_antigen",
                                   sample_taken_at=NOW - dt.timedelta(hours=1), result="negative",
                                   site_code="BT-T")  # fmt: skip
    assert selectors.report_build(assignment=bt, form="daily", on=TODAY).changed_since_submission


def test_demo_seed_submits_yesterdays_report(tree, official):
    from pccovid.accounts import services as account_services

    account_services.official_create(username="commune", password="pw-123456", role="commune_official",
                                     unit=tree["ben_thanh"])  # fmt: skip
    assert demo.demo_reports_seed(commune=tree["ben_thanh"], today=TODAY) == {"report_version": 1}
    assert demo.demo_reports_seed(commune=tree["ben_thanh"], today=TODAY) == {"report_version": 0}
