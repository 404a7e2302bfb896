"""Probabilistic linkage of staged records on a generated city: accuracy, explanations, thresholds."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pccovid.core.text import fold
from pccovid.geography.models import AdminUnit, Edition
from pccovid.identity import services as identity_services
from pccovid.identity.models import IdentifierKind
from pccovid.migration import claims, formats, linking, probabilistic
from pccovid.migration.models import LinkRun, RecordLink, StagedRecord
from pccovid.migration.tests.conftest import COMMUNES, stage
from pccovid.rules.models import RuleSet


def test_the_model_links_what_identifiers_could_not_and_stays_right(legacy):
    truth = legacy / formats.TRUTH_FILE
    linking.link_deterministic()
    baseline = linking.links_evaluate(truth=truth)
    run = probabilistic.link_probabilistic()
    after = linking.links_evaluate(truth=truth)
    assert after.precision >= 0.99
    assert after.recall > baseline.recall + 0.1  # the step adds what had no usable identifier
    phone_only = StagedRecord.objects.filter(claims.PHONE_ONLY).count()
    assert (
        phone_only > 0
        and not RecordLink.objects.filter(
            staged_record__in=StagedRecord.objects.filter(claims.PHONE_ONLY)
        ).exists()
    )
    assert (run.considered, run.rules_version) == (
        baseline.pairs - round(baseline.recall * baseline.pairs) - phone_only,  # phone-only: left to claims
        "2021.2",
    )
    made = RecordLink.objects.filter(method="probabilistic")
    assert made.filter(status="linked").count() == run.linked > 0
    assert made.filter(status="review").count() == run.review == after.review  # none here: see below
    for link in made:
        assert link.weight is not None and link.run == run
        assert link.explanation.startswith("name:") and ";dob:" in link.explanation
    assert {c["output_column_name"] for c in run.model["comparisons"]} >= {"name", "dob", "sex"}


def test_links_and_review_pairs_follow_the_rule_table(legacy):
    RuleSet.objects.create(
        domain="linkage", version="strict", effective_from=dt.date(2021, 10, 1), source="test",
        values={"link_probability": 0.999, "review_probability": 0.5, "match_share": 0.9},
    )  # fmt: skip
    linking.link_deterministic()
    run = probabilistic.link_probabilistic()
    assert (run.rules_version, run.link_threshold, run.review_threshold) == ("strict", 0.999, 0.5)
    for link in RecordLink.objects.filter(run=run):
        if link.status == "linked":
            assert link.probability >= 0.999 and "second candidate" not in link.explanation
        else:  # likely enough alone, or together with the runner-up it names
            assert link.status == "review" and link.probability < 0.999
            rival = link.explanation.partition(";second candidate p=")[2]
            assert link.probability + (float(rival.split()[0]) if rival else 0) >= 0.5


def test_a_second_run_never_relinks_a_record(legacy):
    linking.link_deterministic()
    first = probabilistic.link_probabilistic()
    before = dict(RecordLink.objects.values_list("staged_record_id", "person_id"))
    second = probabilistic.link_probabilistic()
    assert second.considered == first.considered - first.linked - first.review
    assert second.linked == 0 and (second.review == 0 or second.note == "")
    after = dict(RecordLink.objects.values_list("staged_record_id", "person_id"))
    assert {key: after[key] for key in before} == before


def test_nothing_to_compare_is_a_note_not_an_error(people):
    stage("W1", source="ward_tests", birth_year=1990)
    run = probabilistic.link_probabilistic()
    assert (run.considered, run.linked, run.review) == (1, 0, 0)
    assert run.note.startswith("Nothing scored: map at least two") and LinkRun.objects.count() == 1


def test_phone_only_records_are_left_to_the_phones_owner(people):
    stage(
        "B1", source="bluezone", phone="+84903123456", payload={"registered_at": "2020-05-01T08:00:00+07:00"}
    )
    run = probabilistic.link_probabilistic()
    assert (run.considered, run.linked, run.review, run.note) == (0, 0, 0, "")


def _resident(name: str, born: int, sex: str, house: str, household=None, phone: str = ""):
    """A person of Phường Sài Gòn (one of the generated city's communes) at `house`."""
    unit = AdminUnit.objects.get(code=COMMUNES[0].code, edition=Edition.CURRENT)
    identifiers = (
        [identity_services.IdentifierIn(IdentifierKind.PHONE, phone, source="test")] if phone else []
    )
    return identity_services.person_create(
        full_name=name, birth_date=dt.date(born, 3, 9), sex=sex, residence_unit=unit, identifiers=identifiers,
        household=household, address_line=house,
    )  # fmt: skip


def _ward_test(record_id: str, name: str, born: int, sex: str, street: str, phone: str = "") -> StagedRecord:
    """A ward's test list row as staged: the birth year only, no identifier."""
    unit = AdminUnit.objects.get(code=COMMUNES[0].code, edition=Edition.CURRENT)
    key = fold(name)
    return stage(
        record_id, source="ward_tests", full_name=name, name_key=key, birth_year=born, birth_precision="year",
        name_sorted_key=" ".join(sorted(key.split())), sex=sex, unit_2025=unit, street_key=street,
        phone=phone,
    )  # fmt: skip


def test_namesakes_of_one_commune_and_year_are_told_apart_by_their_house(legacy):
    first = _resident("Lương Thế Vinh", 1980, "M", "Số 12 Đường Lê Lợi")
    second = _resident("Lương Thế Vinh", 1980, "M", "45/2 Pasteur")
    records = [
        _ward_test("T1", "Lương Thế Vinh", 1980, "M", "12 le loi"),
        _ward_test("T2", "Lương Thế Vinh", 1980, "M", "45/2 pasteur"),
    ]
    linking.link_deterministic()
    probabilistic.link_probabilistic()
    for record, person in zip(records, (first, second), strict=True):
        link = RecordLink.objects.get(staged_record=record)
        assert link.person == person and "place:house" in link.explanation


def test_a_record_under_the_family_phone_goes_to_the_member_it_names(legacy):
    unit = AdminUnit.objects.get(code=COMMUNES[0].code, edition=Edition.CURRENT)
    home = identity_services.household_create(code="T-HH-1", unit=unit, address_line="88 Đồng Khởi")
    _resident("Đỗ Văn Hậu", 1975, "M", "88 Đồng Khởi", household=home, phone="0912345678")
    # The child has a phone of their own; the ward listed them under their father's.
    child = _resident("Đỗ Minh Khôi", 2012, "M", "88 Đồng Khởi", household=home, phone="0987654321")
    record = _ward_test("T3", "Đỗ Minh Khôi", 2012, "M", "88 dong khoi", phone="+84912345678")
    linking.link_deterministic()
    probabilistic.link_probabilistic()
    link = RecordLink.objects.get(staged_record=record)
    assert link.person == child and "phone:household" in link.explanation


def test_a_saved_model_scores_without_training_and_links_the_same(legacy, tmp_path, monkeypatch):
    linking.link_deterministic()
    saved = tmp_path / "model.json"
    call_command("legacy_link", step="all", save_model=saved, no_progress=True, stdout=io.StringIO())
    made = dict(
        RecordLink.objects.filter(method="probabilistic").values_list("staged_record_id", "person_id")
    )
    assert made and json.loads(saved.read_text())["comparisons"] == LinkRun.objects.get().model["comparisons"]
    RecordLink.objects.filter(method="probabilistic").delete()

    def no_training(*args, **kwargs):
        raise AssertionError("a run with a saved model trained")

    monkeypatch.setattr("pccovid.linkage.engine._train", no_training)
    run = probabilistic.link_probabilistic(trained=saved)
    assert run.note == "Scored with the saved model model.json."
    assert dict(RecordLink.objects.filter(run=run).values_list("staged_record_id", "person_id")) == made


def test_a_missing_or_foreign_model_is_refused_in_one_line(legacy, tmp_path):
    with pytest.raises(CommandError, match="no such model file"):
        call_command("legacy_link", model=tmp_path / "none.json", no_progress=True)
    foreign = tmp_path / "foreign.json"
    foreign.write_text(json.dumps({"comparisons": [{"output_column_name": "name"}]}), encoding="utf-8")
    out = io.StringIO()
    call_command("legacy_link", model=foreign, no_progress=True, stdout=out)
    assert "Nothing scored:" in out.getvalue() and "the model compares name, these inputs name, dob" in (
        out.getvalue()
    )
    with pytest.raises(CommandError, match="for the probabilistic step"):
        call_command("legacy_link", step="deterministic", save_model=tmp_path / "m.json", no_progress=True)
