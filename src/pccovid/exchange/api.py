from typing import Any

from django.http import HttpRequest
from ninja import Body, Query, Router, Schema
from pydantic import Field

from pccovid.accounts import selectors as account_selectors
from pccovid.audit.models import Purpose
from pccovid.core.errors import NotFound
from pccovid.exchange import fhir, selectors, services
from pccovid.identity import selectors as identity_selectors

router = Router(tags=["exchange"])


class BundleOut(Schema):
    resourceType: str
    type: str
    entry: list[dict[str, Any]]


class BundleImportOut(Schema):
    people_created: int
    people_matched: int
    doses_added: int
    doses_unchanged: int
    results_added: int
    results_unchanged: int


class ExportQuery(Schema):
    purpose: Purpose = Purpose.DATA_QUALITY
    assignment: int | None = Field(None, description="Role assignment to act as.")


@router.get("/me/bundle", response=BundleOut)
def my_bundle(request: HttpRequest):
    """The signed-in citizen's immunizations and lab results as a FHIR R4 Bundle."""
    person = identity_selectors.person_own(user=request.user)
    if person is None:
        raise NotFound("Your account is not linked to a person yet.")
    return fhir.bundle_build(selectors.person_records(person=person))


@router.get("/persons/{qid}/bundle", response=BundleOut)
def person_bundle(request: HttpRequest, qid: str, query: Query[ExportQuery]):
    """Officials: one person's records as a FHIR R4 Bundle (an audited read; out of reach is 404)."""
    assignment = account_selectors.acting_assignment(user=request.user, assignment_id=query.assignment)
    person = identity_selectors.person_get(assignment=assignment, qid=qid, purpose=query.purpose)
    return fhir.bundle_build(selectors.person_records(person=person))


@router.post("/bundles", response=BundleImportOut)
def bundle_import(request: HttpRequest, payload: Body[dict[str, Any]], assignment: int | None = None):
    """Import a FHIR R4 Bundle of Patients with their Immunizations and Observations: all of it or nothing."""
    acting = account_selectors.acting_assignment(user=request.user, assignment_id=assignment)
    return services.bundle_import(assignment=acting, data=payload)
