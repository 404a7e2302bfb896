"""SMS senders. Production plugs a gateway in through settings.PCCOVID_SMS_SENDER (a dotted path)."""

import logging
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from pccovid.core import clock

logger = logging.getLogger("pccovid.sms")


def console_and_file_sender(phone: str, text: str) -> None:
    """Development sender: logs the message and appends it to the outbox file the tests read."""
    logger.info("SMS to %s: %s", phone, text)
    outbox = settings.PCCOVID_SMS_OUTBOX
    outbox.parent.mkdir(parents=True, exist_ok=True)
    with outbox.open("a", encoding="utf-8") as handle:
        handle.write(f"{clock.now().isoformat()}\t{phone}\t{text}\n")


@cache
def _sender(path: str):
    return import_string(path)


def send(phone: str, text: str) -> None:
    _sender(settings.PCCOVID_SMS_SENDER)(phone, text)
