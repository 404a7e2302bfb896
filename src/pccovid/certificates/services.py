"""Issuing and revoking EU Digital COVID Certificates. The codec is `dcc.py`; keys are the keystore's
(`core.keys.dcc_*`); policy (validity, booster coding) is `rules.py`."""

import datetime as dt
import functools
import json
import re
import secrets
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from pccovid.certificates import dcc, rules
from pccovid.certificates.errors import CertificateError
from pccovid.certificates.models import Certificate
from pccovid.core import clock, keys
from pccovid.core.errors import Forbidden, NotFound
from pccovid.core.text import fold
from pccovid.vaccination import selectors as vaccination_selectors

UVCI_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


@functools.cache
def vaccine_products() -> dict[str, str]:
    """`mp` code -> name of every product in the DCC value set shipped in data/."""
    data = json.loads((dcc.SCHEMA_PATH.parent / "vaccine-medicinal-product.json").read_text("utf-8"))
    return {code: value["display"] for code, value in data["valueSetValues"].items()}


def transliterate(text: str) -> str:
    """ICAO 9303 machine-readable form: no diacritics (đ -> D), upper case, spaces and hyphens to `<`,
    other characters dropped; at most 80 characters (the schema's limit)."""
    folded = fold(text).upper().replace("-", " ")
    return re.sub(r"[^A-Z<]", "", re.sub(r"\s+", "<", folded.strip()))[:80]


def name_fields(full_name: str) -> dict[str, str]:
    """DCC `nam` of a Vietnamese name: the first word is the family name (họ), the rest the given
    names (tên đệm and tên): 'Nguyễn Văn An' -> fn 'Nguyễn', gn 'Văn An', fnt 'NGUYEN', gnt 'VAN<AN'."""
    words = full_name.split()
    if not words:
        raise CertificateError(_("The person has no name to put on a certificate."), field="person")
    family, given = words[0], " ".join(words[1:])
    fields = {"fn": family[:80], "fnt": transliterate(family)}
    if given:
        fields.update({"gn": given[:80], "gnt": transliterate(given)})
    return fields


def new_uvci() -> str:
    """URN:UVCI:01:VN:<26 random Crockford base32 characters> (schema 1 of the eHN UVCI guidelines: an
    opaque unique string; no checksum, which is optional)."""
    return "URN:UVCI:01:VN:" + "".join(secrets.choice(UVCI_ALPHABET) for _ in range(26))


def vaccination_entry_for(*, dose: Any, doses: Sequence[Any]) -> dict:
    """The DCC vaccination entry (tg, vp, mp, ma, dn, sd, dt) of one of the vaccination app's `Dose` rows.

    `doses` are all of the person's doses: the product of dose 1 decides the primary series, and a
    booster is coded the EU way (3/3 after two doses, 2/1 after one, `rules.dose_coding`). A product
    outside the DCC value set (Nano Covax...) is refused: no other country could read it."""
    product = dose.product
    if not getattr(product, "in_dcc_valueset", True) or product.code not in vaccine_products():
        raise CertificateError(
            _(
                "%(product)s is not in the EU Digital COVID Certificate vaccine list, so no "
                "certificate can be issued for this dose."
            )
            % {"product": product.name},
            code="product_not_in_valueset",
            field="product",
        )
    first = next((d for d in doses if d.dose_number == 1), dose)
    primary = first.product.doses_in_primary_series
    dn, sd = rules.dose_coding(dose_number=dose.dose_number, doses_in_primary_series=primary)
    return {
        "tg": rules.DISEASE_COVID_19,
        "vp": product.prophylaxis,
        "mp": product.code,
        "ma": product.mah,
        "dn": dn,
        "sd": sd,
        "dt": dose.given_on.isoformat(),
    }


TEST_TYPE = {"rt_pcr": "LP6464-4", "rapid_antigen": "LP217198-3"}
TEST_RESULT = {"negative": "260415000", "positive": "260373001"}


def test_entry_for(*, result: Any) -> dict:
    """The DCC test entry (tt, nm, sc, tr, tc) of one of the testing app's `TestResult` rows. A pooled
    sample, or an invalid result, certifies nobody: refused with the reason."""
    if result.kind not in TEST_TYPE:
        raise CertificateError(
            _("A pooled sample certifies no one: an individual test is needed for a certificate."),
            code="test_not_certifiable",
            field="kind",
        )
    if result.result not in TEST_RESULT:
        raise CertificateError(
            _("An invalid test result cannot be certified."), code="test_not_certifiable", field="result"
        )
    entry = {
        "tt": TEST_TYPE[result.kind],
        "sc": result.sample_taken_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tr": TEST_RESULT[result.result],
    }
    if result.site:  # a result from a 2021 app names no test centre ("tc" is optional)
        entry["tc"] = result.site.name[:80]
    if result.kind == "rt_pcr":
        entry["nm"] = "RT-PCR"
    return entry


def recovery_entry_for(*, first_positive: Any) -> dict:
    """The DCC recovery entry of a person's first positive `TestResult` (df/du follow from `fr`)."""
    if first_positive.result != "positive":
        raise CertificateError(
            _("A recovery certificate needs a positive test."), code="test_not_certifiable"
        )
    return {"fr": clock.localdate(first_positive.sample_taken_at).isoformat()}


def _parse_instant(value: str, field: str) -> dt.datetime:
    try:
        instant = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError) as error:
        raise CertificateError(
            _("%(field)s is not a date and time.") % {"field": field}, field=field
        ) from error
    return instant if instant.tzinfo else instant.replace(tzinfo=dt.UTC)


def _period(kind: str, entry: dict, now: dt.datetime) -> tuple[dict, dt.datetime]:
    """The completed entry and the certificate's expiry."""
    entry = dict(entry)
    if kind == "v":
        if entry.get("mp") not in vaccine_products():
            raise CertificateError(
                _("%(code)s is not in the EU Digital COVID Certificate vaccine list.")
                % {"code": entry.get("mp") or "—"},
                code="product_not_in_valueset",
                field="mp",
            )
        return entry, now + rules.VACCINATION_VALIDITY
    if kind == "t":
        validity = rules.TEST_VALIDITY.get(entry.get("tt", ""))
        if validity is None:
            raise CertificateError(_("Unknown test type for a certificate."), field="tt")
        expires_at = _parse_instant(entry.get("sc", ""), "sc") + validity
        if expires_at <= now:
            raise CertificateError(_("This test result is no longer valid for a certificate."), field="sc")
        return entry, expires_at
    first_positive = dt.date.fromisoformat(entry["fr"]) if entry.get("fr") else None
    if first_positive is None:
        raise CertificateError(_("The date of the first positive test is missing."), field="fr")
    entry.setdefault("df", (first_positive + rules.RECOVERY_VALID_FROM).isoformat())
    entry.setdefault("du", (first_positive + rules.RECOVERY_VALID_UNTIL).isoformat())
    expires_at = dt.datetime.combine(dt.date.fromisoformat(entry["du"]), dt.time(23, 59, 59), dt.UTC)
    if expires_at <= now:
        raise CertificateError(_("The recovery period of this certificate is over."), field="du")
    return entry, expires_at


@transaction.atomic
def certificate_issue(*, person, kind: str, entry: dict) -> Certificate:
    """Sign and store a certificate of `kind` ("v", "t", "r") for `person` with one `entry` (the DCC
    fields of that type; `co`, `is` and `ci` are set here). Payload per the DCC schema 1.3.0."""
    if kind not in Certificate.Kind.values:
        raise CertificateError(_("Unknown certificate type."), field="kind")
    now = clock.now()
    entry, expires_at = _period(kind, {"tg": rules.DISEASE_COVID_19, **entry}, now)
    uvci = new_uvci()
    entry.update({"co": rules.COUNTRY, "is": rules.ISSUER, "ci": uvci})
    payload = {
        "ver": rules.SCHEMA_VERSION,
        "nam": name_fields(person.full_name),
        "dob": person.birth_date.isoformat(),
        kind: [entry],
    }
    errors = dcc.schema_errors(payload)
    if errors:
        raise CertificateError(
            _("The certificate would not follow the DCC schema: %(errors)s") % {"errors": "; ".join(errors)}
        )
    signer = keys.dcc_signer()
    issued_at = now.replace(microsecond=0)
    text = dcc.encode(
        payload,
        private_key=signer.private_key,
        kid=signer.kid,
        issuer=rules.CWT_ISSUER,
        issued_at=issued_at,
        expires_at=expires_at,
    )
    return Certificate.objects.create(
        person=person,
        kind=kind,
        uvci=uvci,
        uvci_hash=dcc.revocation_hash(uvci),
        payload=payload,
        issued_at=issued_at,
        expires_at=expires_at.replace(microsecond=0),
        kid=signer.kid.hex(),
        text=text,
    )


@transaction.atomic
def vaccination_certificate_issue(*, person, doses: Sequence[Any]) -> Certificate:
    """The citizen's vaccination certificate for their latest dose. If a valid, unrevoked one already
    covers that dose, it is returned as is (asking twice issues nothing new)."""
    if not doses:
        raise CertificateError(_("There is no vaccination on record to certify."), code="no_doses")
    last = max(doses, key=lambda d: d.dose_number)
    entry = vaccination_entry_for(dose=last, doses=doses)
    existing = Certificate.objects.filter(
        person=person, kind="v", revoked_at__isnull=True, expires_at__gt=clock.now()
    )
    for certificate in existing:
        current = certificate.payload["v"][0]
        if all(current.get(k) == v for k, v in entry.items()):
            return certificate
    return certificate_issue(person=person, kind="v", entry=entry)


def my_vaccination_certificate(*, person) -> Certificate:
    """The citizen's vaccination certificate from the doses the vaccination app holds for them."""
    return vaccination_certificate_issue(person=person, doses=vaccination_selectors.doses_of(person=person))


@transaction.atomic
def certificate_revoke(*, assignment, uvci: str, reason: str) -> Certificate:
    """Revoke one certificate of a person in the official's jurisdiction; the UVCI's hash joins the
    published revocation list. Revoking a revoked certificate changes nothing."""
    if assignment is None or not assignment.active or assignment.role not in rules.REVOKE_ROLES:
        raise Forbidden(
            _("Only commune and province health officials revoke certificates."), code="no_permission"
        )
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(_("Say why the certificate is revoked."), field="reason")
    certificate = (
        Certificate.objects.restrict_to(assignment, "person.view")
        .select_for_update()
        .filter(uvci=uvci.strip())
        .first()
    )
    if certificate is None:
        raise NotFound(_("No certificate with this UVCI in your jurisdiction."))
    if certificate.revoked_at is not None:
        return certificate
    certificate.revoked_at = clock.now()
    certificate.revocation_reason = reason[:200]
    certificate.revoked_by_id = assignment.user_id
    certificate.save(update_fields=["revoked_at", "revocation_reason", "revoked_by"])
    return certificate
