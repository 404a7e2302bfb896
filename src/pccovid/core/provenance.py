"""Where a record came from, as the domains' `source` columns write it for the 2021 apps' records."""

LEGACY_PREFIX = "legacy:"  # a record of a 2021 app brought in by the legacy merge: "legacy:ncovi"


def legacy_source(app: str) -> str:
    """The `source` of a record from the 2021 app `app` ("ncovi" -> "legacy:ncovi")."""
    return f"{LEGACY_PREFIX}{app}"


def legacy_app(source: str) -> str:
    """The 2021 app a `source` names ("legacy:ncovi" -> "ncovi"), or "" for a record made in pccovid."""
    return source.removeprefix(LEGACY_PREFIX) if source.startswith(LEGACY_PREFIX) else ""
