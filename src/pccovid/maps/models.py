from django.db import models


class Boundary(models.Model):
    """The outline of one administrative unit, as a GeoJSON geometry (Polygon or MultiPolygon, WGS 84
    longitude/latitude), loaded from a file with `pccovid geo load FILE`. A re-load replaces it.

    `illustrative` marks shapes that are not real boundaries (the demo's grid of cells): the map says so.
    """

    unit = models.OneToOneField("geography.AdminUnit", on_delete=models.CASCADE, related_name="boundary")
    geometry = models.JSONField()
    source = models.CharField(max_length=255, help_text="The file the shape was loaded from.")
    illustrative = models.BooleanField(default=False)
    loaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.unit_id} ({self.source})"
