import pytest
from django.core.management import call_command
from django.db import transaction

from pccovid.events import services
from pccovid.events.models import HandlerRun, OutboxEvent

seen: list[str] = []
flaky = {"fail": True}


def remember(event):
    seen.append(event.payload["n"])


def sometimes_fails(event):
    if flaky["fail"]:
        raise RuntimeError("downstream unavailable")
    seen.append(f"late-{event.payload['n']}")


@pytest.fixture(autouse=True)
def handlers():
    seen.clear()
    flaky["fail"] = True
    services.subscribe("test.happened")(remember)
    yield
    services._handlers.pop("test.happened", None)


def test_handlers_run_after_commit_once(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event = services.event_record(name="test.happened", payload={"n": 1})
        assert seen == []  # not before commit
    assert seen == [1]
    services.event_dispatch(event_id=event.pk)  # a second delivery changes nothing
    assert seen == [1] and HandlerRun.objects.get().status == "done"


def test_a_rolled_back_change_leaves_no_event(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValueError), transaction.atomic():
        services.event_record(name="test.happened", payload={"n": 2})
        raise ValueError("the change failed")
    assert not OutboxEvent.objects.exists() and seen == []


def test_a_failed_handler_is_retried_by_the_worker(db, django_capture_on_commit_callbacks):
    services.subscribe("test.happened")(sometimes_fails)
    with django_capture_on_commit_callbacks(execute=True):
        services.event_record(name="test.happened", payload={"n": 3})
    failed = HandlerRun.objects.get(handler__endswith="sometimes_fails")
    assert failed.status == "failed" and "downstream unavailable" in failed.last_error and seen == [3]
    flaky["fail"] = False
    call_command("worker", once=True)
    assert seen == [3, "late-3"]  # the handler that succeeded before did not run again
    assert set(HandlerRun.objects.values_list("status", flat=True)) == {"done"}
    assert services.events_pending() == []
