"""Helpers shared by management commands."""

import json
import urllib.request
from pathlib import Path

from django.core.management.base import CommandError


def load_json_source(source: str, *, what: str) -> dict:
    """A JSON document from a file or an operator-given URL (a downloaded key set or trust list).
    Unreadable or not JSON: one clear line, exit code 2."""
    try:
        if source.startswith(("http://", "https://")):
            with urllib.request.urlopen(source, timeout=10) as response:  # an operator-given address
                return json.load(response)
        return json.loads(Path(source).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CommandError(f"Cannot read the {what} {source}: {error}", returncode=2) from error
