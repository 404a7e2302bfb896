"""Merge with provenance and its undoing; the clerical review queue and its decisions."""

import datetime as dt

import pytest

from pccovid.audit.models import PersonalDataRead
from pccovid.core import clock
from pccovid.core.errors import Forbidden, NotFound
from pccovid.identity import services as identity_services
from pccovid.identity.models import IdentifierKind, PersonIdentifier
from pccovid.migration import linking, merge, review, selectors
from pccovid.migration.models import FieldValue, LinkEffect, RecordLink, StagedRecord
from pccovid.migration.tests.conftest import stage
from pccovid.vaccination.models import Dose

HI_CARD = "DN4790123456789"


def dose_record(
    record_id: str, number: int, day: str, vaccine: str = "AstraZeneca", **fields
) -> StagedRecord:
    payload = {"dose_number": str(number), "vaccine": vaccine, "vaccinated_on": day, "lot": "", "site": "x"}
    return stage(record_id, "vaccination", payload, cccd="079090001234", **fields)


def roles(person) -> set[tuple[str, str, str]]:
    return set(FieldValue.objects.filter(person=person).values_list("field", "value", "role"))


def test_a_merged_dose_counts_and_every_value_keeps_its_source(people):
    an = people["an"]
    dose_record("V1", 1, "2021-08-12", full_name="Nguyễn Văn Ân", name_key="nguyen van an",
                birth_date=dt.date(1990, 5, 17), sex="M", phone="+84909999999")  # fmt: skip
    linking.link_deterministic()
    assert merge.links_merge() == 1
    dose = Dose.objects.get(person=an)
    assert (dose.dose_number, dose.product.code, dose.given_on, dose.source, dose.site) == (
        1, "EU/1/21/1529", dt.date(2021, 8, 12), "legacy:vaccination", None,
    )  # fmt: skip
    assert roles(an) == {
        ("full_name", "Nguyễn Văn Ân", "confirms"),  # the same folded key: a diacritic variant
        ("birth_date", "1990-05-17", "confirms"),
        ("sex", "M", "confirms"),
        ("phone", "+84909999999", "alternative"),  # another phone is kept beside, never replaces
        ("cccd", "079090001234", "confirms"),
        ("dose", "1|EU/1/21/1529|2021-08-12", "added"),
    }
    assert set(FieldValue.objects.values_list("source", "observed_on")) == {
        ("vaccination", dt.date(2021, 8, 12))
    }
    assert an.full_name == "Nguyễn Văn An"  # the register's value stays
    assert merge.links_merge() == 0


def test_doses_merge_in_number_order_and_a_second_copy_confirms(people):
    an = people["an"]
    dose_record("V2", 2, "2021-09-20")
    dose_record("V1", 1, "2021-08-12")
    stage("W1", source="ward_vaccinations", cccd="079090001234",
          payload={"Mũi": "1", "Loại vắc xin": "Astra Zeneca", "Ngày tiêm": "2021-08-12"})  # fmt: skip
    linking.link_deterministic()
    merge.links_merge()
    assert list(Dose.objects.filter(person=an).values_list("dose_number", "source")) == [
        (1, "legacy:vaccination"),
        (2, "legacy:vaccination"),
    ]
    ward = FieldValue.objects.get(field="dose", source="ward_vaccinations")
    assert ward.role == "confirms"


def test_a_conflicting_dose_is_kept_as_an_alternative_with_its_reason(people):
    dose_record("V1", 1, "2021-08-12")
    dose_record("V1b", 1, "2021-08-30", vaccine="Moderna")
    linking.link_deterministic()
    merge.links_merge()
    assert Dose.objects.count() == 1
    kept = FieldValue.objects.get(field="dose", role="alternative")
    assert kept.value.startswith("1|EU/1/20/1507|2021-08-30|Dose 1 is already recorded (given on 12/08/2021)")


def test_health_insurance_card_becomes_the_persons_identifier(people):
    stage("S1", source="social_insurance", cccd="079090001234", health_insurance=HI_CARD,
          payload={"valid_from": "2021-01-01"})  # fmt: skip
    linking.link_deterministic()
    merge.links_merge()
    held = PersonIdentifier.objects.get(kind=IdentifierKind.HEALTH_INSURANCE)
    assert (held.person, held.value, held.source) == (people["an"], HI_CARD, "legacy:social_insurance")
    assert ("health_insurance", HI_CARD, "added") in roles(people["an"])
    number = PersonIdentifier.objects.get(kind=IdentifierKind.SOCIAL_INSURANCE)
    assert (number.person, number.value) == (people["an"], HI_CARD[-10:])
    assert ("social_insurance", HI_CARD[-10:], "added") in roles(people["an"])


def test_a_social_insurance_number_held_by_someone_else_is_kept_apart(people):
    identity_services.identifier_add(
        person=people["binh"],
        identifier=identity_services.IdentifierIn(IdentifierKind.SOCIAL_INSURANCE, HI_CARD[-10:], "t"),
    )
    stage("S1", source="social_insurance", cccd="079090001234", health_insurance=HI_CARD)
    linking.link_deterministic()
    merge.links_merge()
    kept = FieldValue.objects.get(field="social_insurance")
    assert (kept.person, kept.role) == (people["an"], "alternative")
    assert kept.value.startswith(f"{HI_CARD[-10:]}|This social_insurance number already belongs")


def test_undo_takes_back_exactly_what_the_merge_created(people, official):
    user, _assignment = official("data_engineer", "hcmc")
    dose_record("V1", 1, "2021-08-12", health_insurance=HI_CARD)
    keep = dose_record("V2", 2, "2021-09-20")
    linking.link_deterministic()
    merge.links_merge()
    wrong = RecordLink.objects.get(staged_record__record_id="V1")
    assert LinkEffect.objects.filter(link=wrong).count() == 3  # the dose, the card and its number
    merge.link_undo(link_id=wrong.pk, user=user, reason="Another person's card number")
    wrong.refresh_from_db()
    assert (wrong.status, wrong.merged, wrong.decided_by, wrong.decision_note) == (
        "undone", False, user, "Another person's card number",
    )  # fmt: skip
    assert list(Dose.objects.values_list("dose_number", flat=True)) == [2]
    assert not PersonIdentifier.objects.filter(
        kind__in=[IdentifierKind.HEALTH_INSURANCE, IdentifierKind.SOCIAL_INSURANCE]
    ).exists()
    assert not FieldValue.objects.filter(link=wrong).exists()
    assert FieldValue.objects.filter(link__staged_record=keep).exists()
    assert linking.link_deterministic().considered == 0  # an undone record is never proposed again


@pytest.mark.parametrize(("reason", "message"), [("", "Say why"), ("x", "not linked")])
def test_undo_refusals(people, official, reason, message):
    user, _assignment = official("data_engineer", "hcmc")
    dose_record("V1", 1, "2021-08-12")
    linking.link_deterministic()
    link = RecordLink.objects.get()
    if reason:
        merge.link_undo(link_id=link.pk, user=user, reason="first")
    with pytest.raises(merge.MergeError, match=message):
        merge.link_undo(link_id=link.pk, user=user, reason=reason)
    with pytest.raises(NotFound):
        merge.link_undo(link_id=link.pk + 100, user=user, reason="x")


# ------------------------------------------------------------------------------------------ clerical review


def review_pair_of(person, record_id: str = "R1", probability: float = 0.9) -> RecordLink:
    record = stage(record_id, source="ncovi", full_name=person.full_name, name_key=person.name_key,
                   payload={"declared_at": "2021-08-01T09:00:00+07:00"})  # fmt: skip
    return RecordLink.objects.create(
        staged_record=record, person=person, method="probabilistic", weight=3.2, probability=probability,
        explanation="name:exact;dob:missing;phone:missing;sex:missing", status="review",
        created_at=clock.now(),
    )  # fmt: skip


def test_queue_shows_the_jurisdictions_pairs_likeliest_first(people, official):
    _user, hcmc = official("data_engineer", "hcmc")
    low, high = review_pair_of(people["an"], "R1", 0.85), review_pair_of(people["binh"], "R2", 0.95)
    review_pair_of(people["chi"], "R3")  # Hanoi
    assert list(selectors.review_queue(assignment=hcmc)) == [high, low]
    assert selectors.review_count(assignment=hcmc) == 2
    _user, tracer = official("tracer", "hcmc")
    assert selectors.review_count(assignment=tracer) == 0


def test_reading_a_pair_is_audited_and_outside_the_jurisdiction_not_found(people, official):
    _user, hcmc = official("data_engineer", "hcmc")
    pair = review_pair_of(people["an"])
    assert selectors.review_pair(assignment=hcmc, link_id=pair.pk) == pair
    read = PersonalDataRead.objects.get()
    assert (read.person, read.purpose) == (people["an"], "data_quality")
    with pytest.raises(NotFound):
        selectors.review_pair(assignment=hcmc, link_id=review_pair_of(people["chi"], "R9").pk)


def test_accepting_links_and_merges_rejecting_leaves_unlinked(people, official):
    user, hcmc = official("data_engineer", "hcmc")
    accepted, rejected = review_pair_of(people["an"], "R1"), review_pair_of(people["binh"], "R2")
    review.review_decide(assignment=hcmc, link_id=accepted.pk, accept=True, note="same phone, same ward")
    review.review_decide(assignment=hcmc, link_id=rejected.pk, accept=False, note="different mother")
    accepted.refresh_from_db()
    rejected.refresh_from_db()
    assert (accepted.status, accepted.merged, accepted.decided_by) == ("linked", True, user)
    assert (rejected.status, rejected.merged, rejected.decision_note) == (
        "rejected",
        False,
        "different mother",
    )
    assert FieldValue.objects.filter(link=accepted, field="full_name", role="confirms").exists()
    assert not FieldValue.objects.filter(link=rejected).exists()
    assert [link.pk for link in selectors.legacy_records_of(person=people["an"])] == [accepted.pk]
    assert selectors.legacy_records_of(person=people["binh"]) == []


def test_review_refusals(people, official):
    _user, hcmc = official("data_engineer", "hcmc")
    _user, tracer = official("tracer", "hcmc")
    pair = review_pair_of(people["an"])
    with pytest.raises(Forbidden):
        review.review_decide(assignment=tracer, link_id=pair.pk, accept=True)
    with pytest.raises(NotFound):
        review.review_decide(assignment=hcmc, link_id=review_pair_of(people["chi"], "R9").pk, accept=True)
    review.review_decide(assignment=hcmc, link_id=pair.pk, accept=False)
    with pytest.raises(review.ReviewError, match="already settled"):
        review.review_decide(assignment=hcmc, link_id=pair.pk, accept=True)
