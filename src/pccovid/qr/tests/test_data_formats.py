"""docs/data-formats.md: its worked example verifies with its key set (so the page cannot drift)."""

import datetime as dt
import json
from pathlib import Path

from pccovid.core import keys
from pccovid.qr import formats

DOC = Path(__file__).resolve().parents[4] / "docs" / "data-formats.md"


def _example() -> tuple[str, dict]:
    text = DOC.read_text(encoding="utf-8")
    example = text.split("<!-- example:start -->")[1].split("```")[1].strip()
    key_set = json.loads(text.split("```json")[1].split("```")[0])
    return example, key_set


def test_worked_example_verifies_until_its_expiry():
    example, key_set = _example()
    issued = dt.datetime(2021, 10, 1, 1, 0, tzinfo=dt.UTC)
    public = keys.public_keys_from_jwks(key_set, now=issued)
    code = formats.parse_scanned(example, public_keys=public, now=issued)
    assert (code.kind, code.signature, code.reason) == ("personal", "valid", None)
    assert code.fields["expires_at"] == "2021-10-31T01:00:00+00:00"
    later = formats.parse_scanned(example, public_keys=public, now=issued + dt.timedelta(days=30))
    assert later.reason == "expired"
    assert len(example.encode()) == 197
