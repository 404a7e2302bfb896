"""Issuing, booster coding, value-set refusal, key rotation, revocation."""

import datetime as dt
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from pccovid.certificates import dcc, rules, selectors, services
from pccovid.certificates.errors import CertificateError
from pccovid.certificates.models import Certificate
from pccovid.core import clock, keys
from pccovid.core.errors import Forbidden, NotFound

T0 = dt.datetime(2022, 1, 10, 3, 0, tzinfo=dt.UTC)

COMIRNATY = SimpleNamespace(
    code="EU/1/20/1528",
    name="Comirnaty",
    mah="ORG-100030215",
    prophylaxis="1119349007",
    doses_in_primary_series=2,
    in_dcc_valueset=True,
)
JANSSEN = SimpleNamespace(
    code="EU/1/20/1525",
    name="Janssen",
    mah="ORG-100001417",
    prophylaxis="J07BX03",
    doses_in_primary_series=1,
    in_dcc_valueset=True,
)
NANO_COVAX = SimpleNamespace(
    code="NANOCOVAX",
    name="Nano Covax",
    mah="Nanogen",
    prophylaxis="J07BX03",
    doses_in_primary_series=2,
    in_dcc_valueset=False,
)


def doses(*products, start=dt.date(2021, 8, 1)):
    return [
        SimpleNamespace(product=p, dose_number=i + 1, given_on=start + dt.timedelta(days=30 * i))
        for i, p in enumerate(products)
    ]


@pytest.fixture
def frozen():
    with clock.frozen(T0):
        yield


def test_transliteration_and_names():
    assert services.transliterate("Đặng Thị Ánh") == "DANG<THI<ANH"
    assert services.transliterate("Nguyễn-Phạm") == "NGUYEN<PHAM"
    assert services.name_fields("Nguyễn Văn An") == {
        "fn": "Nguyễn",
        "fnt": "NGUYEN",
        "gn": "Văn An",
        "gnt": "VAN<AN",
    }
    assert services.name_fields("Hùng") == {"fn": "Hùng", "fnt": "HUNG"}


@pytest.mark.parametrize(
    ("products", "coded"),
    [
        ((COMIRNATY,), (1, 2)),
        ((COMIRNATY, COMIRNATY), (2, 2)),
        ((COMIRNATY, COMIRNATY, COMIRNATY), (3, 3)),
        ((COMIRNATY, COMIRNATY, COMIRNATY, COMIRNATY), (4, 4)),
        ((JANSSEN,), (1, 1)),
        ((JANSSEN, COMIRNATY), (2, 1)),
        ((JANSSEN, COMIRNATY, COMIRNATY), (3, 1)),
    ],
)
def test_booster_coding_as_the_eu_does(products, coded):
    record = doses(*products)
    entry = services.vaccination_entry_for(dose=record[-1], doses=record)
    assert (entry["dn"], entry["sd"]) == coded
    assert entry["mp"] == products[-1].code and entry["ma"] == products[-1].mah
    assert entry["dt"] == record[-1].given_on.isoformat()


def test_product_outside_the_value_set_is_refused():
    record = doses(NANO_COVAX, NANO_COVAX)
    with pytest.raises(CertificateError) as error:
        services.vaccination_entry_for(dose=record[-1], doses=record)
    assert error.value.code == "product_not_in_valueset"
    assert "Nano Covax is not in the EU Digital COVID Certificate vaccine list" in error.value.message


def test_issue_vaccination_round_trip(people, frozen):
    record = doses(COMIRNATY, COMIRNATY, COMIRNATY)
    entry = services.vaccination_entry_for(dose=record[-1], doses=record)
    certificate = services.certificate_issue(person=people["an"], kind="v", entry=entry)
    assert certificate.uvci.startswith("URN:UVCI:01:VN:")
    assert certificate.expires_at - certificate.issued_at == rules.VACCINATION_VALIDITY
    assert certificate.kid == keys.dcc_signer().kid.hex()
    verdict = selectors.certificate_verify(text=certificate.text)
    assert verdict.valid, verdict.messages
    payload = verdict.payload
    assert payload == certificate.payload
    assert payload["ver"] == "1.3.0" and payload["dob"] == "1990-05-17"
    assert payload["nam"] == {"fn": "Nguyễn", "fnt": "NGUYEN", "gn": "Văn An", "gnt": "VAN<AN"}
    assert payload["v"][0] == {
        "tg": "840539006",
        "vp": "1119349007",
        "mp": "EU/1/20/1528",
        "ma": "ORG-100030215",
        "dn": 3,
        "sd": 3,
        "dt": "2021-09-30",
        "co": "VN",
        "is": "Ministry of Health of Viet Nam",
        "ci": certificate.uvci,
    }
    assert dcc.schema_errors(payload) == []
    # The signer certificate chains to the CSCA and carries the three DCC usages.
    signer = keys.dcc_signer().certificate
    assert signer.issuer == keys.dcc_csca_certificate().subject
    assert dcc.allowed_kinds(signer) == {"v", "t", "r"}
    keys.dcc_csca_certificate().public_key().verify(
        signer.signature, signer.tbs_certificate_bytes, ec.ECDSA(signer.signature_hash_algorithm)
    )


def test_key_material_stays_in_the_keystore(people, frozen, settings):
    record = doses(COMIRNATY)
    certificate = services.certificate_issue(
        person=people["an"], kind="v", entry=services.vaccination_entry_for(dose=record[0], doses=record)
    )
    directory = settings.PCCOVID_KEY_DIR / "dcc"
    assert (directory / "csca.pem").stat().st_mode & 0o777 == 0o600
    assert (directory / f"dsc-{certificate.kid}.pem").exists()
    row = Certificate.objects.values().get(pk=certificate.pk)
    assert not any("PRIVATE" in str(value) for value in row.values())


def test_issue_test_and_recovery(people, frozen):
    test = services.certificate_issue(
        person=people["binh"],
        kind="t",
        entry={
            "tt": "LP6464-4",
            "nm": "RT-PCR",
            "sc": "2022-01-09T08:00:00Z",
            "tr": "260415000",
            "tc": "Trạm Y tế Phường Sài Gòn",
        },
    )
    assert test.expires_at == dt.datetime(2022, 1, 12, 8, 0, tzinfo=dt.UTC)
    assert selectors.certificate_verify(text=test.text).valid
    recovery = services.certificate_issue(person=people["chi"], kind="r", entry={"fr": "2022-01-01"})
    assert recovery.payload["r"][0]["df"] == "2022-01-12" and recovery.payload["r"][0]["du"] == "2022-06-30"
    assert selectors.certificate_verify(text=recovery.text).valid
    with pytest.raises(CertificateError, match="no longer valid"):
        services.certificate_issue(
            person=people["binh"],
            kind="t",
            entry={"tt": "LP217198-3", "sc": "2022-01-08T08:00:00Z", "tr": "260415000"},
        )


def test_a_payload_against_the_schema_is_refused(people, frozen):
    with pytest.raises(CertificateError, match="DCC schema"):
        services.certificate_issue(
            person=people["an"],
            kind="v",
            entry={
                "mp": "EU/1/20/1528",
                "vp": "1119349007",
                "ma": "ORG-100030215",
                "dn": 0,
                "sd": 2,
                "dt": "2021-08-01",
            },
        )
    with pytest.raises(CertificateError) as error:
        services.certificate_issue(person=people["an"], kind="v", entry={"mp": "NANOCOVAX", "dn": 1, "sd": 2})
    assert error.value.code == "product_not_in_valueset"


def test_expiry(people, frozen):
    record = doses(COMIRNATY, COMIRNATY)
    certificate = services.vaccination_certificate_issue(person=people["an"], doses=record)
    with clock.frozen(T0 + dt.timedelta(days=366)):
        verdict = selectors.certificate_verify(text=certificate.text)
    assert not verdict.valid and "expired" in verdict.reasons


def test_asking_twice_returns_the_same_certificate(people, frozen):
    record = doses(COMIRNATY, COMIRNATY)
    first = services.vaccination_certificate_issue(person=people["an"], doses=record)
    assert services.vaccination_certificate_issue(person=people["an"], doses=record) == first
    booster = services.vaccination_certificate_issue(
        person=people["an"], doses=doses(COMIRNATY, COMIRNATY, COMIRNATY)
    )
    assert booster != first and booster.payload["v"][0]["dn"] == 3
    with pytest.raises(CertificateError):
        services.vaccination_certificate_issue(person=people["an"], doses=[])


def test_key_rotation_old_certificate_still_verifies(people, frozen):
    record = doses(COMIRNATY, COMIRNATY)
    old = services.vaccination_certificate_issue(person=people["an"], doses=record)
    new_kid = keys.dcc_signer_rotate()
    assert new_kid.hex() != old.kid
    trust = keys.dcc_signer_certificates()
    assert set(trust) == {bytes.fromhex(old.kid), new_kid}
    assert selectors.certificate_verify(text=old.text).valid
    new = services.certificate_issue(
        person=people["binh"], kind="v", entry=services.vaccination_entry_for(dose=record[0], doses=record)
    )
    assert new.kid == new_kid.hex() and selectors.certificate_verify(text=new.text).valid
    listed = {s["kid_hex"]: s["active"] for s in selectors.trust_list()["signers"]}
    assert listed == {old.kid: False, new.kid: True}
    # Once the old signer's own certificate has expired it leaves the trust list: its certificates fail.
    old_signer_end = trust[bytes.fromhex(old.kid)].not_valid_after_utc
    with clock.frozen(old_signer_end + dt.timedelta(days=1)):
        assert bytes.fromhex(old.kid) not in keys.dcc_signer_certificates()
        verdict = selectors.certificate_verify(text=old.text)
    assert "unknown_kid" in verdict.reasons


def test_revocation(people, official, frozen):
    certificate = services.vaccination_certificate_issue(person=people["an"], doses=doses(COMIRNATY))
    _user, assignment = official("commune_official", "ben_thanh")
    revoked = services.certificate_revoke(
        assignment=assignment, uvci=certificate.uvci, reason="Issued in error"
    )
    assert revoked.revoked_at == T0 and revoked.revocation_reason == "Issued in error"
    assert selectors.revocation_list()["hashes"] == [dcc.revocation_hash(certificate.uvci)]
    verdict = selectors.certificate_verify(text=certificate.text)
    assert not verdict.valid and verdict.reasons == ["revoked"]
    # Revoking again changes nothing.
    with clock.frozen(T0 + dt.timedelta(hours=1)):
        again = services.certificate_revoke(assignment=assignment, uvci=certificate.uvci, reason="x")
    assert again.revoked_at == T0 and again.revocation_reason == "Issued in error"


def test_revocation_needs_role_jurisdiction_and_reason(people, official, frozen):
    certificate = services.vaccination_certificate_issue(person=people["an"], doses=doses(COMIRNATY))
    _user, hanoi = official("commune_official", "hoan_kiem")
    with pytest.raises(NotFound):
        services.certificate_revoke(assignment=hanoi, uvci=certificate.uvci, reason="x")
    _user, worker = official("health_worker", "ben_thanh")
    with pytest.raises(Forbidden):
        services.certificate_revoke(assignment=worker, uvci=certificate.uvci, reason="x")
    _user, province = official("province_official", "hcmc")
    with pytest.raises(CertificateError):
        services.certificate_revoke(assignment=province, uvci=certificate.uvci, reason=" ")
    assert services.certificate_revoke(assignment=province, uvci=certificate.uvci, reason="fraud").revoked_at


def _result(kind="rt_pcr", result="negative", at=dt.datetime(2022, 1, 9, 8, 0, tzinfo=dt.UTC)):
    return SimpleNamespace(
        kind=kind, result=result, sample_taken_at=at, site=SimpleNamespace(name="Trạm Y tế Phường Sài Gòn")
    )


def test_test_entry_from_a_test_result(people, frozen):
    entry = services.test_entry_for(result=_result())
    assert entry == {
        "tt": "LP6464-4",
        "nm": "RT-PCR",
        "sc": "2022-01-09T08:00:00Z",
        "tr": "260415000",
        "tc": "Trạm Y tế Phường Sài Gòn",
    }
    certificate = services.certificate_issue(person=people["binh"], kind="t", entry=entry)
    assert selectors.certificate_verify(text=certificate.text).valid
    assert services.test_entry_for(result=_result("rapid_antigen", "positive"))["tr"] == "260373001"
    for bad in (_result("pooled_rt_pcr"), _result(result="invalid")):
        with pytest.raises(CertificateError) as error:
            services.test_entry_for(result=bad)
        assert error.value.code == "test_not_certifiable"


def test_recovery_entry_from_the_first_positive(people, frozen):
    entry = services.recovery_entry_for(
        first_positive=_result(result="positive", at=dt.datetime(2021, 12, 31, 20, 0, tzinfo=dt.UTC))
    )
    assert entry == {"fr": "2022-01-01"}  # the date in Vietnam
    with pytest.raises(CertificateError):
        services.recovery_entry_for(first_positive=_result())
