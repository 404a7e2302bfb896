"""`pccovid verify-qr TEXT|IMAGE [--keys FILE_OR_URL] [--json]`: recognise and verify one QR code.

Works offline with a key set saved from `GET /api/v1/qr/keys`; without --keys it uses this
installation's keystore. Exit status: 0 accepted (valid, unsigned, or a kind that carries no signature),
1 rejected (bad signature, unknown key, expired, malformed, no QR in the image), 2 usage error.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pccovid.core import clock, keys
from pccovid.core.commands import load_json_source
from pccovid.qr import formats, scan
from pccovid.qr.selectors import KEY_PURPOSE

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff"}


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="The text of the code, or the path of an image of it.")
        parser.add_argument(
            "--keys", dest="key_set", help="A key set JSON (file or URL), as served by /api/v1/qr/keys."
        )
        parser.add_argument("--json", dest="as_json", action="store_true", help="Print the result as JSON.")

    def _text(self, source: str) -> str:
        path = Path(source)
        if path.suffix.lower() in IMAGE_SUFFIXES or path.is_file():
            if not path.is_file():
                raise CommandError(f"No such image: {source}", returncode=2)
            try:
                return scan.scanned_text(image=path.read_bytes())
            except scan.ScanError as error:
                self.stderr.write(str(error.message))
                sys.exit(1)
        return source

    def _public_keys(self, source: str | None) -> dict:
        if source is None:
            return keys.public_keys(KEY_PURPOSE)
        try:
            return keys.public_keys_from_jwks(load_json_source(source, what="key set"), now=clock.now())
        except (KeyError, TypeError, ValueError) as error:
            raise CommandError(f"Not a key set: {source} ({error})", returncode=2) from error

    def handle(self, *args, source: str, key_set: str | None, as_json: bool, **options) -> None:
        public_keys = self._public_keys(key_set)
        code = formats.parse_scanned(self._text(source), public_keys=public_keys, now=clock.now())
        if as_json:
            result = {
                name: getattr(code, name) for name in ("kind", "signature", "reason", "message", "fields")
            }
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(f"kind: {code.kind}")
            self.stdout.write(f"signature: {code.signature}")
            self.stdout.write(f"reason: {code.reason or '-'}")
            self.stdout.write(f"message: {code.message}")
            for name, value in code.fields.items():
                self.stdout.write(f"  {name}: {'-' if value is None else value}")
        if not code.accepted:
            sys.exit(1)
