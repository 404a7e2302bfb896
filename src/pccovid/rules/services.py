"""Rule sets: defaults come from each app's `rules.py` (a `RULESETS` list); reads go through `current`."""

import datetime as dt
import importlib
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import transaction

from pccovid.core import clock
from pccovid.core.errors import ApplicationError
from pccovid.rules.models import RuleSet


@dataclass(frozen=True)
class RuleDefault:
    """A rule set as written in an app's rules.py, beside the text it comes from."""

    domain: str
    version: str
    effective_from: dt.date
    source: str
    values: dict[str, Any]


def declared_defaults() -> list[RuleDefault]:
    found: list[RuleDefault] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("pccovid."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.rules")
        except ModuleNotFoundError as missing:
            if missing.name != f"{config.name}.rules":
                raise
            continue
        found.extend(getattr(module, "RULESETS", []))
    return found


@transaction.atomic
def ruleset_install_defaults() -> int:
    """Insert every declared default that the database does not hold yet. Returns how many were added."""
    existing = set(RuleSet.objects.values_list("domain", "version"))
    new = [
        RuleSet(
            domain=d.domain,
            version=d.version,
            effective_from=d.effective_from,
            source=d.source,
            values=d.values,
        )
        for d in declared_defaults()
        if (d.domain, d.version) not in existing
    ]
    RuleSet.objects.bulk_create(new)
    return len(new)


def install_defaults_after_migrate(**kwargs: Any) -> None:
    ruleset_install_defaults()


def current(domain: str, *, at: dt.date | None = None) -> RuleSet:
    """The rule set of `domain` in force on `at` (default: today)."""
    at = at or clock.today()
    ruleset = (
        RuleSet.objects.filter(domain=domain, effective_from__lte=at).order_by("-effective_from").first()
    )
    if ruleset is None:
        raise ApplicationError(f"No rule set for '{domain}' is in force on {at}.", code="no_rules")
    return ruleset
