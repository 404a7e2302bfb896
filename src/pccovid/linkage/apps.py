from django.apps import AppConfig


class LinkageConfig(AppConfig):
    """Record linkage of any two tables (or one, deduplicated): Splink (Fellegi-Sunter) on DuckDB."""

    name = "pccovid.linkage"
    label = "linkage"
