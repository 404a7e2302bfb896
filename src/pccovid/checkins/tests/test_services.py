"""Venue registration, citizen check-in (household members, revoked and closed venues), bulk ingest."""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command

from pccovid.checkins import selectors, services
from pccovid.checkins.models import CheckIn
from pccovid.checkins.tests.conftest import NOW, citizen_account, personal_qr
from pccovid.core.errors import ApplicationError, NotFound
from pccovid.qr import services as qr_services
from pccovid.qr.formats import venue_qr_text


def poster(venue) -> str:
    return venue_qr_text(venue_code=venue.code, token=venue.qr_token)


def test_venue_register_gives_a_code_and_a_poster_token(venue, tree):
    assert re.fullmatch(r"[A-Z0-9]{8}", venue.code) and len(venue.qr_token) >= 16
    assert venue.unit == tree["ben_thanh"] and venue.active and venue.qr_issued_at == NOW
    assert venue.name == "Tạp hóa Cô Bình"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"name": "bad\x00name"}, "name"),
        ({"category": "casino"}, "category"),
        ({"unit_code": "99999"}, "unit_code"),
        ({"unit_code": "79"}, "unit_code"),  # a province, not a commune
        ({"unit_code": "26743.001"}, "unit_code"),  # a residential group
        ({"unit_code": "x\x00"}, "unit_code"),
    ],
)
def test_venue_register_refuses_bad_input(operator, tree, changes, field):
    data = {"name": "Chợ Bến Thành", "category": "market", "unit_code": "26743", "address_line": ""}
    with pytest.raises(ApplicationError) as refused:
        services.venue_register(operator=operator, **{**data, **changes})
    assert refused.value.field == field


def test_citizen_checks_in_with_household_members(citizen, household, venue):
    checkins = services.checkin_by_citizen(
        user=citizen, venue_text=poster(venue), members=[household["dung"].qid, household["an"].qid]
    )
    assert [c.person for c in checkins] == [household["an"], household["dung"]]
    assert {(c.venue_id, c.at, c.how, c.recorded_by_id) for c in checkins} == {
        (venue.pk, NOW, "citizen_scan", citizen.pk)
    }


def test_citizen_cannot_check_in_someone_outside_the_household(citizen, household, people, venue):
    with pytest.raises(ApplicationError) as refused:
        services.checkin_by_citizen(user=citizen, venue_text=poster(venue), members=[people["chi"].qid])
    assert refused.value.code == "not_household_member" and not CheckIn.objects.exists()


def test_reissued_poster_refuses_the_old_one(citizen, venue, operator):
    old = poster(venue)
    services.venue_qr_reissue(operator=operator, venue_code=venue.code)
    with pytest.raises(ApplicationError) as refused:
        services.checkin_by_citizen(user=citizen, venue_text=old, members=[])
    assert refused.value.code == "venue_qr_revoked"
    assert "no longer valid" in refused.value.message
    venue.refresh_from_db()
    assert len(services.checkin_by_citizen(user=citizen, venue_text=poster(venue), members=[])) == 1


def test_only_the_operator_reissues_or_deactivates(citizen, venue):
    with pytest.raises(NotFound):
        services.venue_qr_reissue(operator=citizen, venue_code=venue.code)
    with pytest.raises(NotFound):
        services.venue_deactivate(operator=citizen, venue_code=venue.code)


def test_inactive_venue_is_refused(citizen, venue, operator):
    services.venue_deactivate(operator=operator, venue_code=venue.code)
    with pytest.raises(ApplicationError) as refused:
        services.checkin_by_citizen(user=citizen, venue_text=poster(venue), members=[])
    assert refused.value.code == "venue_inactive"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("hello", "not_a_venue_qr"),
        ("PCV|VENUE|ZZZZZZZZ|abcdefghijklmnopqrstuv", "unknown_venue"),
    ],
)
def test_not_a_poster_is_refused(citizen, venue, text, code):
    with pytest.raises(ApplicationError) as refused:
        services.checkin_by_citizen(user=citizen, venue_text=text, members=[])
    assert refused.value.code == code


def test_unlinked_account_cannot_check_in(venue, db):
    user = citizen_account(None, "+84909999999")
    with pytest.raises(ApplicationError) as refused:
        services.checkin_by_citizen(user=user, venue_text=poster(venue), members=[])
    assert refused.value.code == "not_linked"


def _event(n: int, person, *, at=None, qr=None) -> dict:
    return {"client_event_id": f"dev1-{n}", "qr_text": qr or personal_qr(person), "at": at or NOW}


def test_bulk_ingest_is_idempotent(operator, venue, people):
    batch = [_event(n, people["an"] if n % 2 else people["chi"]) for n in range(10)]
    first = services.checkins_bulk_ingest(recorded_by=operator, venue_code=venue.code, events=batch)
    assert (first.stored, first.duplicates, first.rejected) == (10, 0, 0)
    again = services.checkins_bulk_ingest(recorded_by=operator, venue_code=venue.code, events=batch)
    assert (again.stored, again.duplicates, again.rejected) == (0, 10, 0)
    overlap = batch[5:] + [_event(n, people["an"]) for n in range(10, 15)]
    partial = services.checkins_bulk_ingest(recorded_by=operator, venue_code=venue.code, events=overlap)
    assert (partial.stored, partial.duplicates) == (5, 5)
    assert CheckIn.objects.filter(how="venue_scan", venue=venue).count() == 15


def test_bulk_ingest_counts_a_repeated_id_inside_one_batch_once(operator, venue, people):
    report = services.checkins_bulk_ingest(
        recorded_by=operator, venue_code=venue.code, events=[_event(1, people["an"])] * 2
    )
    assert [r.result for r in report.results] == ["stored", "duplicate"]


def test_bulk_ingest_rejects_events_one_by_one(operator, venue, people):
    naive_local = dt.datetime(2021, 9, 20, 9, 30)  # Vietnam time, 02:30 UTC
    events = [
        _event(1, people["an"], at=naive_local),
        _event(2, people["an"], qr="PCV|VENUE|ABCDEFGH|abcdefghijklmnopqrstuv"),
        _event(3, people["an"], qr="079090001234|NGUYEN VAN AN|1990-05-17|0|0000000000AA|"),
        _event(4, people["an"], at=NOW + dt.timedelta(hours=1)),
        _event(5, people["an"], at=NOW - dt.timedelta(days=22)),
        {"client_event_id": "bad id!", "qr_text": personal_qr(people["an"]), "at": NOW},
        {"client_event_id": "dev1-7", "qr_text": personal_qr(people["an"]), "at": "yesterday"},
    ]
    report = services.checkins_bulk_ingest(recorded_by=operator, venue_code=venue.code, events=events)
    assert [(r.result, r.reason) for r in report.results] == [
        ("stored", ""),
        ("rejected", "not_personal_qr"),
        ("rejected", "unknown_person"),
        ("rejected", "time_in_future"),
        ("rejected", "too_old"),
        ("rejected", "invalid_event_id"),
        ("rejected", "invalid_time"),
    ]
    assert all(r.message for r in report.results[1:])
    assert CheckIn.objects.get().at == dt.datetime(2021, 9, 20, 2, 30, tzinfo=dt.UTC)


def test_bulk_ingest_checks_signed_codes(operator, venue, people):
    signed = qr_services.personal_qr_text(person=people["an"])
    document, rest = signed.split("|", 1)
    forged = f"{document[:-1]}{'0' if document[-1] != '0' else '1'}|{rest}"
    events = [_event(1, people["an"], qr=signed), _event(2, people["an"], qr=forged)]
    report = services.checkins_bulk_ingest(recorded_by=operator, venue_code=venue.code, events=events)
    assert [(r.result, r.reason) for r in report.results] == [("stored", ""), ("rejected", "bad_signature")]


def test_bulk_batch_over_1000_is_refused(operator, venue, people):
    with pytest.raises(ApplicationError) as refused:
        services.checkins_bulk_ingest(
            recorded_by=operator, venue_code=venue.code, events=[_event(n, people["an"]) for n in range(1001)]
        )
    assert refused.value.status == 422 and not CheckIn.objects.exists()


def test_only_the_operator_ingests(citizen, venue, people):
    with pytest.raises(NotFound):
        services.checkins_bulk_ingest(
            recorded_by=citizen, venue_code=venue.code, events=[_event(1, people["an"])]
        )


def test_a_full_batch_of_1000_is_stored(operator, venue, people):
    events = [_event(n, people["an"]) for n in range(1000)]
    report = services.checkins_bulk_ingest(recorded_by=operator, venue_code=venue.code, events=events)
    assert report.stored == 1000 == CheckIn.objects.count()


def test_retention_purge_keeps_recent_and_held_check_ins(operator, venue, people):
    old, recent = NOW - dt.timedelta(days=21, seconds=1), NOW - dt.timedelta(days=20)
    events = [_event(1, people["an"], at=recent)]
    services.checkins_bulk_ingest(recorded_by=operator, venue_code=venue.code, events=events)
    for n, held in ((2, None), (3, "CASE-79-0001")):
        CheckIn.objects.create(
            person=people["an"],
            venue=venue,
            at=old,
            how="venue_scan",
            recorded_by=operator,
            client_event_id=f"old-{n}",
            held_for_case=held,
        )
    assert services.checkins_purge_expired(now=NOW) == 1
    assert sorted(CheckIn.objects.values_list("client_event_id", flat=True)) == ["dev1-1", "old-3"]
    assert selectors.retention_days() == 21


def test_purge_expired_command_purges_and_prints_counts(operator, venue, people, caplog):
    CheckIn.objects.create(
        person=people["an"],
        venue=venue,
        at=NOW - dt.timedelta(days=30),
        how="venue_scan",
        recorded_by=operator,
        client_event_id="old",
    )
    out = io.StringIO()
    with caplog.at_level("INFO", logger="pccovid"):
        call_command("purge_expired", stdout=out)
    assert "Deleted 1 check-ins and 0 declarations" in out.getvalue()
    assert "1 check-ins, 0 declarations" in caplog.text and not CheckIn.objects.exists()
