"""`pccovid verify-dcc TEXT|IMAGE`: verify one EU Digital COVID Certificate, offline if need be.

Options: --trust-list FILE_OR_URL, --revocations FILE_OR_URL, --at ISO (check at another instant), --json.

Works offline with a trust list saved from `GET /api/v1/certificates/trust-list` (and optionally a
revocation list from `/revocations`); without --trust-list it uses this installation's keystore and
database. Prints the verdict, each reason, and the certificate's fields. Exit status: 0 valid, 1 not
valid (or no QR code in the image), 2 usage error.
"""

import contextlib
import datetime as dt
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from pccovid.certificates import conformance, dcc, selectors
from pccovid.core import clock
from pccovid.core.commands import load_json_source

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff"}


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="The HC1: text, or the path of an image of the QR code.")
        parser.add_argument("--trust-list", dest="trust_list", help="A trust list JSON (file or URL).")
        parser.add_argument("--revocations", help="A revocation list JSON (file or URL).")
        parser.add_argument("--at", help="Check validity at this instant (ISO 8601) instead of now.")
        parser.add_argument("--json", dest="as_json", action="store_true", help="Print the result as JSON.")

    def _text(self, source: str) -> str:
        path = Path(source)
        if path.suffix.lower() in IMAGE_SUFFIXES or (not source.startswith(dcc.PREFIX) and path.is_file()):
            if not path.is_file():
                raise CommandError(f"No such image: {source}", returncode=2)
            try:
                texts = conformance.qr_texts(path.read_bytes())
            except dcc.DccError as error:
                raise CommandError(str(error), returncode=2) from error
            if not texts:
                self.stderr.write("No QR code was found in this image.")
                sys.exit(1)
            return texts[0]
        return source

    def handle(self, *args, source: str, trust_list, revocations, at, as_json: bool, **options) -> None:
        text = self._text(source)
        try:
            now = dt.datetime.fromisoformat(at.replace("Z", "+00:00")) if at else clock.now()
        except ValueError as error:
            raise CommandError(f"--at is not an ISO 8601 instant: {at}", returncode=2) from error
        if now.tzinfo is None:
            now = now.replace(tzinfo=dt.UTC)
        if trust_list:
            try:
                trust = selectors.trust_list_certificates(load_json_source(trust_list, what="trust list"))
            except (KeyError, TypeError, ValueError) as error:
                raise CommandError(f"Not a trust list: {trust_list} ({error})", returncode=2) from error
            revoked = (
                set(load_json_source(revocations, what="revocation list").get("hashes", []))
                if revocations
                else set()
            )
            verdict = dcc.verify(text, trust_list=trust, now=now, revoked=revoked)
        else:
            try:
                with clock.frozen(now) if at else contextlib.nullcontext():
                    verdict = selectors.certificate_verify(text=text)
            except DatabaseError as error:
                raise CommandError(
                    f"Cannot read the revocation list from the database ({error}): run `pccovid migrate`, "
                    "or verify offline with --trust-list FILE.",
                    returncode=2,
                ) from error
        decoded = verdict.decoded
        result = {
            "valid": verdict.valid,
            "reasons": verdict.reasons,
            "messages": verdict.messages,
            "kid": verdict.kid,
            "issuer": decoded.issuer if decoded else None,
            "issued_at": decoded.issued_at.isoformat() if decoded and decoded.issued_at else None,
            "expires_at": decoded.expires_at.isoformat() if decoded and decoded.expires_at else None,
            "payload": dcc.to_json(verdict.payload) if verdict.payload else None,
        }
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(f"verdict: {'valid' if verdict.valid else 'not valid'}")
            for reason, message in zip(verdict.reasons, verdict.messages, strict=True):
                self.stdout.write(f"reason: {reason}: {message}")
            for name in ("kid", "issuer", "issued_at", "expires_at"):
                self.stdout.write(f"{name}: {result[name] or '-'}")
            if result["payload"]:
                self.stdout.write("payload: " + json.dumps(result["payload"], ensure_ascii=False))
        if not verdict.valid:
            sys.exit(1)
