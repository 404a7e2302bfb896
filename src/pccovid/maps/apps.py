from django.apps import AppConfig


class MapsConfig(AppConfig):
    """The epidemic map: unit boundaries loaded from GeoJSON (`pccovid geo load FILE`), the officials'
    map coloured by level with drill-down to residential groups and households, and the
    citizens' public map."""

    name = "pccovid.maps"
    label = "maps"
