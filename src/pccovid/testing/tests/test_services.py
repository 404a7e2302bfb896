import datetime as dt
from decimal import Decimal

import pytest

from pccovid.accounts.models import AccessGrant
from pccovid.audit.models import PersonalDataRead
from pccovid.core import clock
from pccovid.core.errors import Forbidden, NotFound
from pccovid.events import services as event_services
from pccovid.events.models import OutboxEvent
from pccovid.testing import selectors, services
from pccovid.testing.errors import ImportTooLarge, ImportUnreadable, TestingError
from pccovid.testing.models import Pool, TestResult
from pccovid.testing.tests.conftest import NOW, csv_file

pytestmark = pytest.mark.django_db


def record(assignment, person, **overrides):
    data = {
        "assignment": assignment,
        "person_qid": person.qid,
        "kind": "rt_pcr",
        "sample_taken_at": NOW - dt.timedelta(hours=2),
        "result": "negative",
        "site_code": "BT01",
    }
    return services.result_record(**{**data, **overrides})


# --- result_record: each validation ---------------------------------------------------------------


def test_record_stores_and_citizen_sees_at_once(technician, people):
    _user, assignment = technician
    result = record(assignment, people["an"], ct_value=38.2, external_id="LAB-1")
    assert result.ct_value == Decimal("38.2")
    assert result.technician_id == assignment.user_id and result.source == "recorded"
    assert selectors.results_of(person=people["an"]) == [result]
    assert selectors.last_negative_test_at(person=people["an"]) == NOW - dt.timedelta(hours=2)
    assert selectors.positive_results(person=people["an"]) == []


def test_ct_only_for_pcr(technician, people):
    with pytest.raises(TestingError) as error:
        record(technician[1], people["an"], kind="rapid_antigen", ct_value=20)
    assert error.value.field == "ct_value"


@pytest.mark.parametrize("ct", [-1, 45.1, "abc"])
def test_ct_range(technician, people, ct):
    with pytest.raises(TestingError) as error:
        record(technician[1], people["an"], ct_value=ct)
    assert error.value.field == "ct_value"


def test_future_sample_refused(technician, people):
    with pytest.raises(TestingError) as error:
        record(technician[1], people["an"], sample_taken_at=NOW + dt.timedelta(hours=1))
    assert error.value.field == "sample_taken_at" and "future" in error.value.message


def test_old_sample_refused(technician, people):
    with pytest.raises(TestingError) as error:
        record(technician[1], people["an"], sample_taken_at=NOW - dt.timedelta(days=31))
    assert error.value.field == "sample_taken_at"


@pytest.mark.parametrize("field,value", [("kind", "antibody"), ("result", "maybe")])
def test_unknown_kind_or_result(technician, people, field, value):
    with pytest.raises(TestingError) as error:
        record(technician[1], people["an"], **{field: value})
    assert error.value.field == field


def test_unknown_person_is_not_found(technician):
    with pytest.raises(NotFound):
        services.result_record(
            assignment=technician[1], person_qid="ZZZZZZZZZZZZ", kind="rt_pcr",
            sample_taken_at=NOW, result="negative", site_code="BT01",
        )  # fmt: skip


def test_site_out_of_jurisdiction_is_not_found(technician, people):
    with pytest.raises(NotFound):
        record(technician[1], people["an"], site_code="HK01")
    assert not TestResult.objects.exists()


def test_checkpoint_officer_cannot_record(official, sites, people):
    _user, assignment = official("checkpoint_officer", "ben_thanh")
    with pytest.raises(Forbidden):
        record(assignment, people["an"])


def test_same_sample_id_twice_is_idempotent_other_values_refused(technician, people):
    first = record(technician[1], people["an"], external_id="LAB-1")
    again = record(technician[1], people["an"], external_id="LAB-1")
    assert again.pk == first.pk and TestResult.objects.count() == 1
    with pytest.raises(TestingError) as error:
        record(technician[1], people["an"], external_id="LAB-1", result="positive")
    assert error.value.field == "external_id"


def test_person_from_elsewhere_is_granted_and_audited(technician, people):
    """Chi lives in Hanoi and is tested in Bến Thành: a grant puts her in reach, the read is audited."""
    result = record(technician[1], people["chi"])
    grant = AccessGrant.objects.get(person=people["chi"])
    assert grant.unit.code == "26743" and grant.source_type == "testing.result"
    read = PersonalDataRead.objects.get(person=people["chi"])
    assert read.actor_id == technician[1].user_id and "tested at" in read.reason
    assert result.person_id == people["chi"].pk


def test_resident_is_audited_without_grant(technician, people):
    record(technician[1], people["an"])
    assert not AccessGrant.objects.exists()
    assert PersonalDataRead.objects.filter(person=people["an"]).count() == 1


# --- the event ------------------------------------------------------------------------------------


def test_event_on_commit_with_payload(technician, people, django_capture_on_commit_callbacks):
    received = []
    handler = event_services.subscribe("testing.result_recorded")(received.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = record(technician[1], people["an"], result="positive", ct_value=18)
            assert received == []  # a subscriber hears of it only after commit
    finally:
        event_services._handlers["testing.result_recorded"].remove(handler)
    event = OutboxEvent.objects.get(name="testing.result_recorded")
    assert received == [event]
    assert event.payload == {
        "result_id": result.pk,
        "person_qid": people["an"].qid,
        "result": "positive",
        "kind": "rt_pcr",
        "sample_taken_at": (NOW - dt.timedelta(hours=2)).isoformat(),
        "positive": True,
    }
    assert selectors.positive_results(person=people["an"]) == [result]


def test_refused_record_emits_nothing(technician, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(TestingError):
        record(technician[1], people["an"], kind="rapid_antigen", ct_value=20)
    assert callbacks == [] and not OutboxEvent.objects.exists()


# --- CSV ------------------------------------------------------------------------------------------


def test_csv_good_file_stored(technician, people, row):
    rows = [
        row(),
        row(external_id="S-0002", id_number="079185004321", full_name="Trần Thị Bình", birth_date="",
            kind="rt_pcr", result="positive", ct_value="21.5"),
    ]  # fmt: skip
    report = services.results_import_csv(assignment=technician[1], site_code="BT01", file=csv_file(rows))
    assert (report.rows, report.stored, report.unchanged, report.rejected) == (2, 2, 0, [])
    assert report.source == "csv:lab.csv"
    assert TestResult.objects.get(external_id="S-0002").ct_value == Decimal("21.5")


def test_csv_half_bad_file_stores_only_good_rows_and_names_bad_ones(technician, people, row):
    """The choice: good rows are stored (one transaction), bad rows are reported; the lab re-sends them."""
    rows = [
        row(),
        row(external_id="S-0002", kind="rapid_antigen", ct_value="20"),
        row(external_id="S-0003", sample_taken_at="2021-10-16 08:00"),
        row(external_id="S-0004", id_number="079999999999", full_name="", birth_date=""),
        row(external_id="S-0005", birth_date="1991-01-01"),
        row(external_id="S-0006", result="maybe"),
        row(external_id="S-0001", result="positive"),
        row(external_id="S-0007", full_name="Nguyễn Văn Ba"),
    ]
    report = services.results_import_csv(assignment=technician[1], site_code="BT01", file=csv_file(rows))
    assert report.stored == 1 and report.rows == 8 and report.rejected_rows == 7
    by_row = {error.row: error.field for error in report.rejected}
    assert by_row == {3: "ct_value", 4: "sample_taken_at", 5: "id_number", 6: "birth_date", 7: "result",
                      8: "external_id", 9: "full_name"}  # fmt: skip
    assert list(TestResult.objects.values_list("external_id", flat=True)) == ["S-0001"]


def test_csv_reupload_changes_nothing(technician, people, row, django_capture_on_commit_callbacks):
    rows = [row(), row(external_id="S-0002", id_number="079185004321", full_name="", birth_date="")]
    services.results_import_csv(assignment=technician[1], site_code="BT01", file=csv_file(rows))
    before = (TestResult.objects.count(), OutboxEvent.objects.count(), PersonalDataRead.objects.count())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = services.results_import_csv(assignment=technician[1], site_code="BT01", file=csv_file(rows))
    assert (report.stored, report.unchanged, report.rejected) == (0, 2, [])
    after = (TestResult.objects.count(), OutboxEvent.objects.count(), PersonalDataRead.objects.count())
    assert before == after and callbacks == []


def test_csv_bad_header_and_encoding(technician):
    import io

    bad = io.BytesIO(b"a,b\n1,2\n")
    with pytest.raises(ImportUnreadable):
        services.results_import_csv(assignment=technician[1], site_code="BT01", file=bad)
    with pytest.raises(ImportUnreadable):
        services.results_import_csv(
            assignment=technician[1], site_code="BT01", file=io.BytesIO(b"\xff\xfe\x00")
        )


def test_batch_too_large(technician):
    with pytest.raises(ImportTooLarge):
        services.results_import_rows(assignment=technician[1], site_code="BT01", rows=[{}] * 1001)


def test_batch_duplicate_id_in_one_batch(technician, people, row):
    report = services.results_import_rows(assignment=technician[1], site_code="BT01", rows=[row(), row()])
    assert report.stored == 1 and [(e.row, e.field) for e in report.rejected] == [(2, "external_id")]


# --- pools ----------------------------------------------------------------------------------------


def pooled(row, n, person_id, result=""):
    return row(external_id=f"P-{n}", id_number=person_id, full_name="", birth_date="", kind="pooled_rt_pcr",
               pool_code="POOL-7", result=result)  # fmt: skip


def test_pool_positive_flags_members_negative_clears(technician, people, row):
    rows = [pooled(row, 1, "079090001234"), pooled(row, 2, "079185004321")]
    report = services.results_import_csv(assignment=technician[1], site_code="BT01", file=csv_file(rows))
    assert report.stored == 2 and Pool.objects.get().members.count() == 2
    assert not TestResult.objects.exists()

    outcome = services.pool_record_result(
        assignment=technician[1], site_code="BT01", pool_code="POOL-7", result="positive"
    )
    assert (outcome.members, outcome.flagged) == (2, 2)
    due = selectors.retests_due(assignment=technician[1])
    assert {r.person_id for r in due} == {people["an"].pk, people["binh"].pk}
    assert selectors.positive_results(person=people["an"]) == []  # a pooled positive is not a case

    outcome = services.pool_record_result(
        assignment=technician[1], site_code="BT01", pool_code="POOL-7", result="negative"
    )
    assert outcome.cleared == 2 and selectors.retests_due(assignment=technician[1]) == []


def test_individual_result_clears_retest(technician, people, row):
    rows = [pooled(row, 1, "079090001234", "positive")]
    services.results_import_csv(assignment=technician[1], site_code="BT01", file=csv_file(rows))
    assert len(selectors.retests_due(assignment=technician[1])) == 1
    record(technician[1], people["an"], sample_taken_at=NOW - dt.timedelta(minutes=30))
    assert selectors.retests_due(assignment=technician[1]) == []


def test_pool_rules(technician, people, row):
    rows = [pooled(row, 1, "079090001234", "positive"), pooled(row, 2, "079185004321", "negative"),
            row(external_id="X", pool_code="POOL-7"), row(external_id="Y", kind="pooled_rt_pcr")]  # fmt: skip
    report = services.results_import_csv(assignment=technician[1], site_code="BT01", file=csv_file(rows))
    assert {(e.row, e.field) for e in report.rejected} == {(3, "result"), (4, "pool_code"), (5, "pool_code")}


def test_pool_unknown_is_not_found(technician):
    with pytest.raises(NotFound):
        services.pool_record_result(
            assignment=technician[1], site_code="BT01", pool_code="NOPE", result="negative"
        )


# --- sites ----------------------------------------------------------------------------------------


def test_site_register(official, tree):
    _user, assignment = official("commune_official", "ben_thanh")
    site = services.test_site_register(
        assignment=assignment, code="bt02", name="Lab", unit_code="26743", kind="lab"
    )
    assert site.code == "BT02"
    with pytest.raises(NotFound):
        services.test_site_register(assignment=assignment, code="SG01", name="X", unit_code="26740")


def test_csv_accepts_vietnamese_labels(technician, people, row):
    rows = [
        row(kind="Test nhanh", result="Âm tính"),
        row(external_id="S-2", kind="RT-PCR", result="dương tính", ct_value="22,5"),
    ]
    report = services.results_import_csv(assignment=technician[1], site_code="BT01", file=csv_file(rows))
    assert report.stored == 2, report.rejected
    assert TestResult.objects.get(external_id="S-2").ct_value == Decimal("22.5")


def test_pool_holds_at_most_ten(technician, tree, row):
    from pccovid.testkit import make_person

    numbers = [f"0790900{n:05d}" for n in range(11)]
    for n, number in enumerate(numbers):
        make_person(tree["group"], name=f"Người {n}", cccd=number, phone=None)
    rows = [row(external_id=f"P{n}", id_number=number, full_name="", birth_date="", kind="pooled_rt_pcr",
                pool_code="POOL-9", result="") for n, number in enumerate(numbers)]  # fmt: skip
    report = services.results_import_csv(assignment=technician[1], site_code="BT01", file=csv_file(rows))
    assert report.stored == 10 and [(e.row, e.field) for e in report.rejected] == [(12, "pool_code")]


# --- result_import_legacy: a 2021 ward list's test, history ----------------------------------------------


def legacy(person, **overrides):
    data = {"person": person, "kind": "PCR", "sampled_on": dt.date(2021, 9, 1), "result": "Dương tính",
            "source": "legacy:ward_tests"}  # fmt: skip
    return services.result_import_legacy(**{**data, **overrides})


def test_a_legacy_result_is_stored_without_site_event_grant_or_audit(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = legacy(people["an"])
    assert (result.kind, result.result, result.site, result.source) == (
        "rt_pcr", "positive", None, "legacy:ward_tests",
    )  # fmt: skip
    assert result.sample_taken_at == clock.local_midnight(dt.date(2021, 9, 1))
    assert result.legacy_source == "ward_tests" and result.positive and not result.needs_retest
    assert not OutboxEvent.objects.exists()  # no case opened, no quarantine test done, no risk recount
    assert not AccessGrant.objects.exists() and not PersonalDataRead.objects.exists()
    assert selectors.results_of(person=people["an"]) == [result]


def test_a_legacy_result_is_not_counted_in_the_reports(people, tree):
    legacy(people["an"])
    day = dt.date(2021, 9, 1)
    assert selectors.test_counts(unit=tree["hcmc"], start=day, end=day) == {}
    assert selectors.tests_by_day(unit=tree["hcmc"], start=day, end=day) == []


def test_the_same_legacy_test_twice_creates_nothing(people):
    first = legacy(people["an"], kind="Test nhanh kháng nguyên", result="Âm tính")
    assert first.kind == "rapid_antigen" and first.result == "negative"
    assert legacy(people["an"], kind="Test nhanh kháng nguyên", result="Âm tính") is None
    assert TestResult.objects.count() == 1


def test_another_result_of_the_same_sample_day_is_refused(people, technician):
    _user, assignment = technician
    record(assignment, people["an"], sample_taken_at=NOW - dt.timedelta(days=1), result="negative")
    with pytest.raises(
        TestingError, match=r"The RT-PCR result of 14/10/2021 is already recorded as Negative"
    ):
        legacy(people["an"], sampled_on=dt.date(2021, 10, 14))
    assert legacy(people["an"], sampled_on=dt.date(2021, 10, 14), result="Âm tính") is None
    assert TestResult.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "X-quang"}, "kind"),
        ({"kind": "gộp mẫu"}, "kind"),
        ({"result": "chưa rõ"}, "result"),
        ({"sampled_on": dt.date(2021, 10, 16)}, "sample_taken_at"),
        ({"sampled_on": dt.date(1980, 1, 1)}, "sample_taken_at"),
    ],
)
def test_an_unreadable_legacy_test_is_refused_with_its_field(people, overrides, field):
    with pytest.raises(TestingError) as error:
        legacy(people["an"], **overrides)
    assert error.value.field == field
    assert not TestResult.objects.exists()


def test_a_legacy_source_is_required(people):
    with pytest.raises(ValueError, match="legacy:"):
        legacy(people["an"], source="ward_tests")
