from django.db import models


class RuleSet(models.Model):
    """One version of one domain's policy values, effective from a date, with its legal source.

    Decisions store the (domain, version) that produced them, so old decisions stay explainable.
    """

    domain = models.CharField(max_length=50)
    version = models.CharField(max_length=30)
    effective_from = models.DateField()
    source = models.TextField(help_text="The legal or policy text these values come from.")
    values = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["domain", "version"], name="ruleset_domain_version")]
        indexes = [models.Index(fields=["domain", "effective_from"])]
        ordering = ["domain", "-effective_from"]

    def __str__(self) -> str:
        return f"{self.domain} {self.version} (from {self.effective_from})"
