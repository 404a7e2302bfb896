"""The certificates API: public lists, verification, the citizen's certificates, revocation."""

import base64

import pytest
from cryptography import x509

from pccovid.certificates import dcc, selectors, services
from pccovid.certificates.tests.conftest import NOW
from pccovid.core import clock

API = "/api/v1/certificates"


@pytest.fixture(autouse=True)
def frozen():
    with clock.frozen(NOW):
        yield


def _post(client, path, body=None):
    return client.post(f"{API}{path}", body or {}, content_type="application/json")


def test_trust_list_is_public_and_verifies_offline(client, an_vaccinated):
    certificate = services.my_vaccination_certificate(person=an_vaccinated)
    response = client.get(f"{API}/trust-list")
    assert response.status_code == 200
    body = response.json()
    trust = selectors.trust_list_certificates(body)
    assert dcc.verify(certificate.text, trust_list=trust, now=NOW).valid
    csca = x509.load_der_x509_certificate(base64.b64decode(body["csca"]))
    assert [s["active"] for s in body["signers"]] == [True]
    assert trust[bytes.fromhex(certificate.kid)].issuer == csca.subject


def test_verify_is_public_and_gives_reasons(client, an_vaccinated):
    certificate = services.my_vaccination_certificate(person=an_vaccinated)
    body = _post(client, "/verify", {"text": certificate.text}).json()
    assert body["valid"] and body["reasons"] == [] and body["payload"]["v"][0]["ci"] == certificate.uvci
    assert body["kid"] == certificate.kid and body["issuer"] == "VN"
    bad = _post(client, "/verify", {"text": "HC1:" + certificate.text[4:-3] + "AAA"}).json()
    assert not bad["valid"] and bad["reasons"] and bad["messages"]
    assert _post(client, "/verify", {"text": ""}).status_code == 422


def test_my_certificates(citizen_client, an_vaccinated):
    first = _post(citizen_client, "/mine/vaccination")
    assert first.status_code == 201, first.content
    assert first.json()["payload"]["v"][0]["dn"] == 2
    assert _post(citizen_client, "/mine/vaccination").status_code == 200
    listed = citizen_client.get(f"{API}/mine").json()
    assert [c["uvci"] for c in listed] == [first.json()["uvci"]]


def test_anonymous_has_no_own_certificates(client):
    assert client.get(f"{API}/mine").status_code == 401
    assert _post(client, "/mine/vaccination").status_code == 401


def test_no_doses_is_a_clear_400(citizen_client):
    response = _post(citizen_client, "/mine/vaccination")
    assert response.status_code == 400 and response.json()["error"] == "no_doses"


def test_revoke_and_revocation_list(client, official, an_vaccinated):
    certificate = services.my_vaccination_certificate(person=an_vaccinated)
    user, _assignment = official("commune_official", "ben_thanh", username="revoker")
    client.force_login(user)
    response = _post(client, "/revoke", {"uvci": certificate.uvci, "reason": "Issued in error"})
    assert response.status_code == 200 and response.json()["revoked_at"]
    client.logout()
    hashes = client.get(f"{API}/revocations").json()["hashes"]
    assert hashes == [dcc.revocation_hash(certificate.uvci)]
    assert _post(client, "/verify", {"text": certificate.text}).json()["reasons"] == ["revoked"]


def test_revoke_out_of_jurisdiction_is_404_and_wrong_role_403(client, official, an_vaccinated):
    certificate = services.my_vaccination_certificate(person=an_vaccinated)
    hanoi, _a = official("commune_official", "hoan_kiem", username="hanoi")
    client.force_login(hanoi)
    response = _post(client, "/revoke", {"uvci": certificate.uvci, "reason": "x"})
    assert response.status_code == 404 and response.json()["error"] == "not_found"
    checkpoint, _a = official("checkpoint_officer", "ben_thanh", username="cp")
    client.force_login(checkpoint)
    response = _post(client, "/revoke", {"uvci": certificate.uvci, "reason": "x"})
    assert response.status_code == 403 and response.json()["error"] == "no_permission"


def test_revoke_anonymous_is_401(client, an_vaccinated):
    certificate = services.my_vaccination_certificate(person=an_vaccinated)
    assert _post(client, "/revoke", {"uvci": certificate.uvci, "reason": "x"}).status_code == 401


def test_revoke_needs_an_official(citizen_client, an_vaccinated):
    certificate = services.my_vaccination_certificate(person=an_vaccinated)
    response = _post(citizen_client, "/revoke", {"uvci": certificate.uvci, "reason": "x"})
    assert response.status_code == 403 and response.json()["error"] == "no_role"


def test_my_certificates_query_count(citizen_client, an_vaccinated, record, django_assert_max_num_queries):
    import datetime as dt

    services.my_vaccination_certificate(person=an_vaccinated)
    record(an_vaccinated, 3, dt.date(2022, 2, 1))
    services.my_vaccination_certificate(person=an_vaccinated)
    with django_assert_max_num_queries(6):
        assert len(citizen_client.get(f"{API}/mine").json()) == 2
