"""Property-based run over the whole OpenAPI schema: no 5xx, every response as the schema says.

Checks: no 5xx; status codes, content types, headers and bodies as documented. Not checked: that every
schema-valid request is accepted (business rules refuse some on purpose: a well-formed string that is not
a Vietnamese phone number is a 400 with a reason), nor that every malformed request is refused (a query
parameter given twice is read as its last value, as Django does).

The caller is an official (commune role, in the demo tree) whose account is also linked to a person, with a
device token, so both the citizen and the official endpoints are exercised past authentication.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks

from pccovid.accounts import services as account_services
from pccovid.testkit import make_person


@pytest.fixture
def api_schema(db):
    """The schema, served by the real WSGI app. Like Django's test client, keep the request signals
    from closing the test's connection (it would end the test transaction on PostgreSQL)."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def bearer(tree):
    person = make_person(tree["ben_thanh"])
    user = account_services.official_create(
        username="fuzz", password="pw-123456", role="commune_official", unit=tree["ben_thanh"]
    )
    user.person = person
    user.save()
    return {"Authorization": f"Bearer {account_services.api_token_create(user=user, name='schemathesis')}"}


schema = schemathesis.pytest.from_fixture("api_schema")
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_endpoint_answers_within_its_schema(case, bearer):
    case.call_and_validate(headers=bearer, checks=CHECKS)
