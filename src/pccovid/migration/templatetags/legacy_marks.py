"""The source mark of anything from a 2021 app ("from NCOVI, 12/08/2021"): one wording for the old apps'
page and for the test results and declarations pages that show what a merge brought in."""

import datetime as dt

from django import template
from django.utils.translation import gettext as _

from pccovid.core import clock
from pccovid.migration.corrections import source_name

register = template.Library()


@register.simple_tag
def legacy_provenance(source: str, day: dt.date | dt.datetime | None = None) -> str:
    """`day`: the day the source recorded it (a moment is read as its day in Vietnam)."""
    if day is None:
        return _("from %(source)s") % {"source": source_name(source)}
    if isinstance(day, dt.datetime):
        day = clock.localdate(day)
    return _("from %(source)s, %(day)s") % {"source": source_name(source), "day": f"{day:%d/%m/%Y}"}
