import uuid

from django.db import models


class OutboxEvent(models.Model):
    """Something other apps care about, written in the same transaction as the change itself."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100, db_index=True, help_text="e.g. 'testing.result_recorded'")
    payload = models.JSONField()
    occurred_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["occurred_at"]

    def __str__(self) -> str:
        return f"{self.name} {self.id}"


class HandlerRun(models.Model):
    """One handler's run of one event: at most one success, so a handler never acts twice on an event."""

    class Status(models.TextChoices):
        DONE = "done"
        FAILED = "failed"

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="runs")
    handler = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    finished_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "handler"], name="handler_run_once")]

    def __str__(self) -> str:
        return f"{self.handler} on {self.event_id}: {self.status}"
