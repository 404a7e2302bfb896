def test_a_token_request_with_control_characters_is_refused_not_a_server_error(client, official):
    official("tracer", "ben_thanh", username="scanner-owner")
    response = client.post(
        "/api/v1/accounts/token",
        {"username": "scanner\x00owner", "password": "pw-123456", "device_name": "scanner"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["field"] == "username"
