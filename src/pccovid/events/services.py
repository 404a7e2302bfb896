"""Domain events with an outbox (design.md, "Things that happen").

A service records an event in its own transaction (`event_record`); after commit, the handlers that other
apps subscribed run, each in its own transaction. A handler that succeeded is never run again for that
event (idempotent by event id); a failed one is retried by `pccovid worker`. A national deployment puts a
broker between the outbox and the handlers; nothing else changes.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction

from pccovid.core import clock
from pccovid.events.models import HandlerRun, OutboxEvent

logger = logging.getLogger("pccovid.events")
Handler = Callable[[OutboxEvent], None]
_handlers: dict[str, list[Handler]] = defaultdict(list)
MAX_ATTEMPTS = 10


def subscribe(name: str) -> Callable[[Handler], Handler]:
    """Register a handler for events called `name` (from the consumer app's AppConfig.ready)."""

    def register(handler: Handler) -> Handler:
        if handler not in _handlers[name]:
            _handlers[name].append(handler)
        return handler

    return register


def handler_name(handler: Handler) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"


def event_record(*, name: str, payload: dict[str, Any]) -> OutboxEvent:
    """Write the event beside the change that caused it; handlers run only if that transaction commits."""
    event = OutboxEvent.objects.create(name=name, payload=payload, occurred_at=clock.now())
    if _handlers.get(name) and getattr(settings, "PCCOVID_EVENTS_INLINE", True):
        transaction.on_commit(lambda: event_dispatch(event_id=event.pk))
    return event


def event_dispatch(*, event_id) -> int:
    """Run every handler of the event that has not succeeded yet. Returns how many failed."""
    event = OutboxEvent.objects.get(pk=event_id)
    done = set(event.runs.filter(status=HandlerRun.Status.DONE).values_list("handler", flat=True))
    failures = 0
    for handler in _handlers.get(event.name, []):
        if handler_name(handler) not in done:
            failures += not _run(handler, event)
    return failures


def _run(handler: Handler, event: OutboxEvent) -> bool:
    name = handler_name(handler)
    try:
        with transaction.atomic():
            handler(event)
            _record(event, name, HandlerRun.Status.DONE, "")
        return True
    except Exception as error:  # a handler's failure must not be lost: it is recorded and retried
        logger.exception("handler %s failed on event %s", name, event.pk)
        _record(event, name, HandlerRun.Status.FAILED, f"{type(error).__name__}: {error}")
        return False


def _record(event: OutboxEvent, name: str, status: str, error: str) -> None:
    run, _created = HandlerRun.objects.get_or_create(
        event=event, handler=name, defaults={"status": status, "finished_at": clock.now()}
    )
    run.status, run.last_error, run.finished_at = status, error, clock.now()
    run.attempts += 1
    run.save()


def events_pending(*, limit: int = 500) -> list[OutboxEvent]:
    """Events with a subscribed handler that has not succeeded (never run, or failed and not given up)."""
    names = [name for name, handlers in _handlers.items() if handlers]
    pending = []
    for event in OutboxEvent.objects.filter(name__in=names).prefetch_related("runs").order_by("occurred_at"):
        runs = {run.handler: run for run in event.runs.all()}
        for handler in _handlers[event.name]:
            run = runs.get(handler_name(handler))
            if run is None or (run.status == HandlerRun.Status.FAILED and run.attempts < MAX_ATTEMPTS):
                pending.append(event)
                break
        if len(pending) >= limit:
            break
    return pending
