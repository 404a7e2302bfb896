from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """The city operations module: one dashboard per city, the data-quality panel, and exports of cleaned
    records to the national level (FHIR bundles, CSV)."""

    name = "pccovid.operations"
    label = "operations"
