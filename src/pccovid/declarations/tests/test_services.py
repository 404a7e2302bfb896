"""declaration_submit (every check, flagging, the access grant), follow-up permissions, the purge."""

import datetime as dt
import logging

import pytest

from pccovid.accounts.models import AccessGrant
from pccovid.audit.models import PersonalDataRead
from pccovid.core import clock
from pccovid.core.errors import Forbidden, NotFound
from pccovid.declarations import rules, services
from pccovid.declarations.errors import DeclarationError
from pccovid.declarations.models import Declaration, FollowUp
from pccovid.declarations.tests.conftest import NOW, TODAY


def _submit(person, data, declared_by=None):
    return services.declaration_submit(declared_by=declared_by or person, person=person, data=data)


def _refused(person, data, field: str, words: str) -> DeclarationError:
    with pytest.raises(DeclarationError) as error:
        _submit(person, data)
    assert error.value.field == field, error.value.message
    assert words.lower() in error.value.message.lower(), error.value.message
    assert not Declaration.objects.exists()
    return error.value


def test_domestic_declaration_for_self_is_stored_unflagged(family, domestic_data, tree):
    declaration = _submit(family["lan"], domestic_data(vehicle_number=" 51b-123.45 "))
    assert declaration.kind == "domestic" and declaration.declared_by == family["lan"]
    assert declaration.declared_at == NOW and declaration.rules_version == rules.DECLARATION_RULES.version
    assert declaration.stay_unit == tree["ben_thanh"] and declaration.stay_address == "12 Lê Lợi"
    assert (declaration.travel_from, declaration.travel_to) == (tree["hanoi"], tree["hcmc"])
    assert declaration.vehicle_number == "51B-123.45"
    assert not declaration.flagged and declaration.follow_up == FollowUp.NOT_NEEDED


def test_submit_grants_the_stay_commune_access_until_retention_ends(family, domestic_data, tree):
    declaration = _submit(family["lan"], domestic_data(stay_unit="00070"))
    grant = AccessGrant.objects.get()
    assert grant.person == family["lan"] and grant.unit == tree["hoan_kiem"]
    assert grant.reason == "declared a stay in Phường Hoàn Kiếm on 2021-10-15"
    assert (grant.source_type, grant.source_id) == ("declarations.declaration", str(declaration.pk))
    assert grant.expires_at == NOW + dt.timedelta(days=21)


def test_place_of_stay_defaults_to_the_residence_commune(family, domestic_data, tree):
    data = domestic_data()
    del data["stay_unit"]
    assert _submit(family["lan"], data).stay_unit == tree["ben_thanh"]


def test_no_travel_is_a_valid_domestic_declaration(family):
    declaration = _submit(family["lan"], {"kind": "domestic", "stay_address": "12 Lê Lợi"})
    assert declaration.travel_from is None and declaration.transport == ""


def test_declaring_for_household_members(family, domestic_data):
    for member in ("minh", "hung"):
        declaration = _submit(family[member], domestic_data(), declared_by=family["lan"])
        assert declaration.person == family[member] and declaration.declared_by == family["lan"]


def test_declaring_for_someone_outside_the_household_is_refused(family, people, domestic_data):
    with pytest.raises(Forbidden) as error:
        _submit(people["binh"], domestic_data(), declared_by=family["lan"])
    assert error.value.code == "not_household_member" and error.value.field == "person"
    assert not Declaration.objects.exists() and not AccessGrant.objects.exists()


@pytest.mark.parametrize("answer", [*rules.SYMPTOMS, *rules.EXPOSURES])
def test_any_symptom_or_exposure_flags_for_follow_up(family, domestic_data, answer):
    declaration = _submit(family["lan"], domestic_data(**{answer: True}))
    assert declaration.flagged and declaration.follow_up == FollowUp.OPEN


def test_entry_declaration_is_stored_and_flagged_as_returned_from_abroad(family, entry_data, tree):
    data = entry_data(countries_visited=["us", "JP", "US"], flight_number="vn 51")
    declaration = _submit(family["lan"], data)
    assert declaration.kind == "entry" and declaration.stay_unit == tree["sai_gon"]
    assert declaration.countries_visited == ["US", "JP"] and declaration.flight_number == "VN51"
    assert declaration.passport == "C1234567" and declaration.vaccine_doses == 2
    assert declaration.returned_from_abroad and declaration.flagged


def test_entry_by_land_needs_a_border_gate_not_a_flight(family, entry_data):
    declaration = _submit(family["lan"], entry_data(flight_number="", border_gate="Mộc Bài"))
    assert declaration.border_gate == "Mộc Bài" and declaration.flight_number == ""


def test_entry_without_vaccination_or_test(family, entry_data):
    data = entry_data(vaccine_product="", vaccine_doses=0, vaccine_last_date=None)
    data.update(test_kind="", test_date=None, test_result="")
    declaration = _submit(family["lan"], data)
    assert declaration.vaccine_product == "" and declaration.test_kind == ""


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"stay_unit": "99999"}, "stay_unit", "Place of stay: no administrative unit has the code 99999"),
        ({"stay_unit": "79"}, "stay_unit", "Place of stay must be a commune"),
        ({"stay_address": "   "}, "stay_address", "Address of stay is required"),
        ({"stay_address": "x" * 201}, "stay_address", "Address of stay has at most 200"),
        ({"travel_from": ""}, "travel_from", "Travelling from: no administrative unit"),
        ({"travel_to": "79x"}, "travel_to", "Travelling to: no administrative unit has the code 79x"),
        ({"travel_to": "01"}, "travel_to", "Travelling to must differ from travelling from"),
        ({"transport": "rocket"}, "transport", "Means of transport must be one of"),
        ({"transport": ""}, "transport", "Means of transport"),
        ({"travel_date": None}, "travel_date", "Travel date is required"),
        ({"travel_date": TODAY + dt.timedelta(days=2)}, "travel_date", "Travel date cannot be later than"),
        ({"travel_date": TODAY - dt.timedelta(days=15)}, "travel_date", "within the last 14 days"),
        ({"transport": "plane", "vehicle_number": "51B-123.45"}, "vehicle_number", "Flight number"),
        ({"transport": "plane", "vehicle_number": "VN12345"}, "vehicle_number", "Flight number"),
        ({"transport": "train", "vehicle_number": ""}, "vehicle_number", "Train number"),
        ({"vehicle_number": "#$%"}, "vehicle_number", "Vehicle number"),
    ],
)
def test_domestic_checks_name_the_field(family, domestic_data, overrides, field, words):
    _refused(family["lan"], domestic_data(**overrides), field, words)


@pytest.mark.parametrize(
    ("transport", "number", "stored"),
    [("plane", "vj 123", "VJ123"), ("plane", "5J750", "5J750"), ("train", "se1", "SE1"), ("car", "", "")],
)
def test_vehicle_numbers_accepted_per_transport(family, domestic_data, transport, number, stored):
    declaration = _submit(family["lan"], domestic_data(transport=transport, vehicle_number=number))
    assert declaration.vehicle_number == stored


def test_tomorrow_is_the_latest_travel_date(family, domestic_data):
    tomorrow = TODAY + dt.timedelta(days=1)
    assert _submit(family["lan"], domestic_data(travel_date=tomorrow)).travel_date == tomorrow


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"passport": "12"}, "passport", "passport number has 5 to 20"),
        ({"nationality": "XK"}, "nationality", "Nationality: XK is not an ISO 3166"),
        ({"nationality": ""}, "nationality", "Nationality"),
        ({"countries_visited": ["US", "ZZ"]}, "countries_visited", "Countries visited: ZZ is not"),
        ({"flight_number": "", "border_gate": ""}, "flight_number", "Flight number or border gate"),
        ({"flight_number": "VIETNAM1"}, "flight_number", "Flight number must look like VN213"),
        ({"border_gate": "x" * 101}, "border_gate", "Border gate has at most 100"),
        ({"arrival_date": None}, "arrival_date", "Arrival date is required"),
        ({"arrival_date": TODAY + dt.timedelta(days=2)}, "arrival_date", "Arrival date cannot be later"),
        ({"arrival_date": TODAY - dt.timedelta(days=20)}, "arrival_date", "Arrival date must be within"),
        ({"vaccine_doses": 6}, "vaccine_doses", "Vaccine doses must be between 0 and 5"),
        ({"vaccine_doses": 0}, "vaccine_doses", "Vaccine doses"),
        ({"vaccine_product": ""}, "vaccine_product", "Vaccine: choose the product"),
        ({"vaccine_last_date": None}, "vaccine_last_date", "Date of last dose is required"),
        ({"vaccine_last_date": TODAY + dt.timedelta(days=1)}, "vaccine_last_date", "Date of last dose"),
        ({"test_kind": ""}, "test_kind", "Test kind: say which test"),
        ({"test_kind": "smell"}, "test_kind", "Test kind must be one of"),
        ({"test_result": "maybe"}, "test_result", "Test result must be negative or positive"),
        ({"test_date": TODAY + dt.timedelta(days=1)}, "test_date", "Test date cannot be in the future"),
    ],
)
def test_entry_checks_name_the_field(family, entry_data, overrides, field, words):
    _refused(family["lan"], entry_data(**overrides), field, words)


def test_unknown_kind_is_refused(family, domestic_data):
    _refused(family["lan"], domestic_data(kind="exit"), "kind", "Kind must be domestic or entry")


@pytest.fixture
def flagged(family, domestic_data):
    return _submit(family["lan"], domestic_data(fever=True))


def test_commune_official_of_the_residence_follows_up(flagged, official):
    _user, assignment = official("commune_official", "ben_thanh")
    done = services.declaration_follow_up(assignment=assignment, declaration_id=flagged.pk, note=" Called. ")
    assert done.follow_up == FollowUp.DONE and done.follow_up_note == "Called."
    assert done.followed_up_by_id == assignment.user_id and done.followed_up_at == NOW
    assert PersonalDataRead.objects.get().fields == ["declaration.follow_up"]


def test_official_of_the_place_of_stay_follows_up(family, domestic_data, official):
    declaration = _submit(family["lan"], domestic_data(stay_unit="00070", cough=True))
    _user, assignment = official("commune_official", "hoan_kiem")
    services.declaration_follow_up(assignment=assignment, declaration_id=declaration.pk, note="Visited.")
    assert Declaration.objects.get().follow_up == FollowUp.DONE


def test_province_official_follows_up(flagged, official):
    _user, assignment = official("province_official", "hcmc")
    services.declaration_follow_up(assignment=assignment, declaration_id=flagged.pk, note="Tested.")


def test_tracer_who_can_see_cannot_follow_up(flagged, official):
    _user, assignment = official("tracer", "ben_thanh")
    with pytest.raises(Forbidden):
        services.declaration_follow_up(assignment=assignment, declaration_id=flagged.pk, note="x")
    assert Declaration.objects.get().follow_up == FollowUp.OPEN


def test_follow_up_out_of_reach_is_not_found(flagged, official):
    _user, assignment = official("commune_official", "hoan_kiem")
    with pytest.raises(NotFound):
        services.declaration_follow_up(assignment=assignment, declaration_id=flagged.pk, note="x")
    assert not PersonalDataRead.objects.exists()


def test_follow_up_needs_an_open_flag_and_a_note(flagged, family, domestic_data, official):
    _user, assignment = official("commune_official", "ben_thanh")
    with pytest.raises(DeclarationError) as error:
        services.declaration_follow_up(assignment=assignment, declaration_id=flagged.pk, note="  ")
    assert error.value.field == "note"
    services.declaration_follow_up(assignment=assignment, declaration_id=flagged.pk, note="Called.")
    with pytest.raises(DeclarationError, match="not waiting for follow-up"):
        services.declaration_follow_up(assignment=assignment, declaration_id=flagged.pk, note="Again.")
    unflagged = _submit(family["lan"], domestic_data())
    with pytest.raises(DeclarationError, match="Not needed"):
        services.declaration_follow_up(assignment=assignment, declaration_id=unflagged.pk, note="x")


def test_purge_deletes_expired_keeps_recent_and_held(family, domestic_data, caplog):
    with clock.frozen(NOW - dt.timedelta(days=22)):
        old = _submit(family["lan"], {"kind": "domestic", "stay_address": "a"})
        held = _submit(family["lan"], {"kind": "domestic", "stay_address": "b"})
    with clock.frozen(NOW - dt.timedelta(days=20)):
        recent = _submit(family["lan"], {"kind": "domestic", "stay_address": "c"})
    Declaration.objects.filter(pk=held.pk).update(held_for_case="F0-79-2021-000123")
    with caplog.at_level(logging.INFO, logger="pccovid.declarations"):
        assert services.declarations_purge_expired(now=NOW) == 1
    assert set(Declaration.objects.values_list("pk", flat=True)) == {held.pk, recent.pk}
    assert not Declaration.objects.filter(pk=old.pk).exists()
    assert "1 deleted" in caplog.text and "1 kept for cases" in caplog.text
    assert services.declarations_purge_expired(now=NOW) == 0


# --- declaration_import_legacy: a 2021 app's declaration, history ------------------------------------------

DECLARED_AT = dt.datetime(2021, 8, 12, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def _legacy(person, **overrides):
    data = {"person": person, "kind": "domestic", "declared_at": DECLARED_AT, "source": "legacy:ncovi"}
    return services.declaration_import_legacy(**{**data, **overrides})


def test_a_legacy_declaration_keeps_its_moment_and_answers_with_no_effect(family, tree):
    declaration = _legacy(family["lan"], answers=["cough", "contact_with_case", "not_a_question"])
    assert (declaration.kind, declaration.source, declaration.legacy_source) == (
        "domestic",
        "legacy:ncovi",
        "ncovi",
    )
    assert declaration.declared_at == DECLARED_AT and declaration.declared_by == family["lan"]
    assert declaration.symptoms == ["cough"] and declaration.exposures == ["contact_with_case"]
    assert declaration.stay_unit == tree["ben_thanh"] and declaration.stay_address == "Phường Bến Thành"
    assert not declaration.flagged and declaration.follow_up == FollowUp.NOT_NEEDED
    assert not AccessGrant.objects.exists() and not PersonalDataRead.objects.exists()


def test_a_legacy_entry_keeps_gate_and_flight_where_they_fit(family, tree):
    entry = _legacy(family["lan"], kind="entry", stay_unit=tree["sai_gon"], stay_address=" 12  Lê Lợi ",
                    border_gate="Sân bay Tân Sơn Nhất", flight_number="vn 0123")  # fmt: skip
    assert (entry.border_gate, entry.flight_number, entry.returned_from_abroad) == (
        "Sân bay Tân Sơn Nhất", "VN0123", True,
    )  # fmt: skip
    assert entry.arrival_date is None  # the old app did not say: no imported case is made of it
    assert entry.stay_unit == tree["sai_gon"] and entry.stay_address == "12 Lê Lợi"
    odd = _legacy(family["minh"], kind="entry", border_gate="x" * 101, flight_number="chuyến bay 12")
    assert (odd.border_gate, odd.flight_number) == ("", "")


def test_a_stay_unit_that_is_no_current_commune_falls_back_to_the_residence(family, tree):
    assert _legacy(family["lan"], stay_unit=tree["hcmc"]).stay_unit == tree["ben_thanh"]


def test_the_same_legacy_declaration_twice_creates_nothing(family):
    _legacy(family["lan"])
    assert _legacy(family["lan"]) is None
    assert Declaration.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "quarantine"}, "kind"),
        ({"declared_at": dt.datetime(2021, 8, 12, 9, 30)}, "declared_at"),
        ({"declared_at": NOW + dt.timedelta(days=1)}, "declared_at"),
    ],
)
def test_an_odd_legacy_declaration_is_refused_with_its_field(family, overrides, field):
    with pytest.raises(DeclarationError) as error:
        _legacy(family["lan"], **overrides)
    assert error.value.field == field
    assert not Declaration.objects.exists()


def test_legacy_declarations_are_never_purged_nor_read_by_the_card(family):
    from pccovid.declarations import selectors

    declaration = _legacy(family["lan"], declared_at=NOW - dt.timedelta(days=2), answers=["fever"])
    assert selectors.symptoms_uncleared(person=family["lan"]) is None
    assert services.declarations_purge_expired(now=NOW + dt.timedelta(days=400)) == 0
    assert Declaration.objects.get() == declaration
