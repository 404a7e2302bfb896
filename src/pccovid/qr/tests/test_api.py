"""/api/v1/qr/: the public key set, the citizen's own code, recognition of a scanned text."""

from pccovid.core import clock, keys
from pccovid.qr import selectors


def test_key_set_is_public_and_verifies_offline(client, an_code):
    response = client.get("/api/v1/qr/keys")
    assert response.status_code == 200
    body = response.json()
    assert [k["status"] for k in body["keys"]] == ["active"]
    assert body["keys"][0]["kid"] == keys.signing_key(selectors.KEY_PURPOSE).kid
    assert set(keys.public_keys_from_jwks(body, now=clock.now())) == {body["keys"][0]["kid"]}


def test_my_code_needs_a_signed_in_citizen(client, db):
    response = client.get("/api/v1/qr/me")
    assert response.status_code == 401 and response.json()["error"] == "unauthenticated"


def test_my_code_with_masked_fields(citizen_client, people):
    response = citizen_client.get("/api/v1/qr/me")
    assert response.status_code == 200
    body = response.json()
    assert body["text"].startswith(f"079090001234|NGUYEN VAN AN|1990-05-17|0|{people['an'].qid}|")
    assert (
        body["masked"]["document_number"] == "******001234" and body["masked"]["birth_date"] == "**/**/1990"
    )


def test_an_official_without_a_person_gets_404(client, official):
    user, _ = official("checkpoint_officer", "ben_thanh")
    client.force_login(user)
    assert client.get("/api/v1/qr/me").status_code == 404


def test_verify_reports_kind_verdict_and_fields(client, official, an_code):
    user, _ = official("checkpoint_officer", "ben_thanh")
    client.force_login(user)
    body = client.post("/api/v1/qr/verify", {"text": an_code}, content_type="application/json").json()
    assert (body["kind"], body["signature"], body["reason"]) == ("personal", "valid", None)
    assert body["fields"]["document_number"] == "079090001234"
    forged = an_code.replace("|0|", "|1|")
    body = client.post("/api/v1/qr/verify", {"text": forged}, content_type="application/json").json()
    assert (body["signature"], body["reason"]) == ("invalid", "bad_signature")
    body = client.post("/api/v1/qr/verify", {"text": "nonsense"}, content_type="application/json").json()
    assert (body["kind"], body["reason"]) == ("unknown", "malformed")


def test_verify_needs_authentication_and_a_text(client, official):
    assert client.post("/api/v1/qr/verify", {"text": "x"}, content_type="application/json").status_code == 401
    user, _ = official("checkpoint_officer", "ben_thanh")
    client.force_login(user)
    response = client.post("/api/v1/qr/verify", {"text": ""}, content_type="application/json")
    assert response.status_code == 422 and response.json()["field"] == "text"
