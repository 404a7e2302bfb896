"""Writes of citizen reports: a citizen submits one (with its checks, the daily limit and the photo
cleaned of its metadata); an official of the commune moves it along with a note the citizen reads.

Every check lives here, so the web form and the API refuse the same things with the same message.
"""

import io
import re
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from pccovid.core import clock
from pccovid.core.errors import NotFound, TooManyRequests
from pccovid.feedback import rules, selectors
from pccovid.feedback.errors import FeedbackError
from pccovid.feedback.models import CitizenReport, CitizenReportEvent, Kind, Status
from pccovid.geography import selectors as geography_selectors
from pccovid.geography.models import Edition, Level

UNIT_CODE = re.compile(r"[0-9A-Za-z.]{1,20}")
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


@dataclass(frozen=True)
class CleanPhoto:
    content: ContentFile
    content_type: str


def _text(value: str | None, *, field: str, label: str, limit: int, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise FeedbackError(_("%(label)s is required.") % {"label": label}, field=field)
    if len(text) > limit:
        raise FeedbackError(
            _("%(label)s has at most %(n)d characters.") % {"label": label, "n": limit}, field=field
        )
    if "\x00" in text:
        raise FeedbackError(
            _("%(label)s contains a character that is not text.") % {"label": label}, field=field
        )
    return text


def _commune(edition: str, code: str):
    """The commune or ward the citizen picked, from the 2025 or the 2021 list."""
    code = (code or "").strip()
    if edition not in Edition.values:
        raise FeedbackError(_("List: choose the 2025 or the 2021 list of communes."), field="edition")
    if not code:
        raise FeedbackError(_("Commune or ward is required."), field="unit")
    try:
        if not UNIT_CODE.fullmatch(code):
            raise NotFound()
        unit = geography_selectors.unit_get(edition=edition, code=code)
    except NotFound:
        raise FeedbackError(
            _("Commune or ward: no unit has the code %(code)s in the %(edition)s list.")
            % {"code": code[:20], "edition": edition},
            field="unit",
        ) from None
    if unit.level != Level.COMMUNE:
        raise FeedbackError(
            _("Commune or ward: %(name)s is not a commune or ward.") % {"name": unit.name}, field="unit"
        )
    return unit


def _current_commune(unit):
    """The same place on the current (2025) map: the unit itself, or the 2025 unit that took it over
    (None when the 2021 ward has no recorded successor; its 2021 officials still see the report)."""
    if unit.edition == Edition.CURRENT:
        return unit
    try:
        return unit.succession.new_unit
    except ObjectDoesNotExist:
        return None


def _photo_error(message: str) -> FeedbackError:
    return FeedbackError(message, code="invalid_photo", field="photo")


def photo_clean(*, upload, values: dict) -> CleanPhoto:
    """A real JPEG, PNG or WebP image within the size limit, turned upright, at most `photo_max_side_px`
    on its long side and re-encoded without any metadata (EXIF, GPS, XMP, ICC, text chunks)."""
    limit = values["photo_max_bytes"]
    data = upload.read(limit + 1)
    if len(data) > limit or (upload.size or 0) > limit:
        raise _photo_error(_("Photo: at most %(mb)d MB.") % {"mb": limit // (1024 * 1024)})
    try:
        with Image.open(io.BytesIO(data), formats=list(rules.PHOTO_FORMATS)) as probe:
            image_format = probe.format
            probe.verify()
        with Image.open(io.BytesIO(data), formats=[image_format]) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
        content = _reencode(upright, image_format, values["photo_max_side_px"])
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise _photo_error(_("Photo: send a JPEG, PNG or WebP picture.")) from None
    return CleanPhoto(
        content=ContentFile(content, name=f"photo.{EXTENSIONS[image_format]}"),
        content_type=rules.PHOTO_FORMATS[image_format],
    )


def _reencode(image: Image.Image, image_format: str, max_side: int) -> bytes:
    if image.mode in ("P", "PA", "LA") or (image_format == "JPEG" and image.mode not in ("RGB", "L")):
        image = image.convert("RGB" if image_format == "JPEG" else "RGBA")
    image = image.copy()
    image.thumbnail((max_side, max_side))
    image.info = {}  # metadata travels in `info` (exif, icc_profile, xmp, text): none is written back
    out = io.BytesIO()
    if image_format == "JPEG":
        image.save(out, "JPEG", quality=85, optimize=True)
    elif image_format == "WEBP":
        image.save(out, "WEBP", quality=85)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


@transaction.atomic
def citizen_report_submit(
    *,
    reporter,
    kind: str,
    edition: str,
    unit_code: str,
    place: str = "",
    description: str,
    photo=None,
) -> CitizenReport:
    """A citizen's report, "received", in the queue of the commune it names. The daily limit counts the
    citizen's reports of the local day (429 when reached)."""
    ruleset = selectors.policy()
    values = ruleset.values
    if kind not in Kind.values:
        raise FeedbackError(_("Kind: choose what you are reporting."), field="kind")
    unit = _commune(edition, unit_code)
    place = _text(place, field="place", label=_("Place"), limit=values["place_max_chars"], required=False)
    description = _text(
        description,
        field="description",
        label=_("Description"),
        limit=values["description_max_chars"],
        required=True,
    )
    if selectors.reports_sent_today(reporter=reporter) >= values["max_reports_per_day"]:
        raise TooManyRequests(
            _(
                "You have sent %(n)d reports today, the most a day, so that the commune's queue stays "
                "readable for everyone. Try again tomorrow."
            )
            % {"n": values["max_reports_per_day"]},
            code="too_many_reports",
        )
    clean = photo_clean(upload=photo, values=values) if photo else None
    now = clock.now()
    report = CitizenReport(
        reporter=reporter,
        kind=kind,
        unit=unit,
        commune=_current_commune(unit),
        place=place,
        description=description,
        status=Status.RECEIVED,
        status_changed_at=now,
        rules_version=ruleset.version,
        created_at=now,
    )
    if clean:
        report.photo_content_type = clean.content_type
        report.photo.save(clean.content.name, clean.content, save=False)
    report.save()
    CitizenReportEvent.objects.create(report=report, status=Status.RECEIVED, at=now)
    return report


@transaction.atomic
def citizen_report_status_change(*, assignment, report_id: int, status: str, note: str = "") -> CitizenReport:
    """An official of the report's commune (or above) moves it on with a note to the citizen. The row is
    locked and re-read through the restriction inside the transaction; the change is recorded with who,
    from which unit, and when."""
    report = (
        selectors.report_in_reach(assignment=assignment, report_id=report_id)
        .select_for_update(of=("self",))
        .first()
    )
    if report is None:
        raise NotFound()
    if status not in Status.values:
        raise FeedbackError(_("Status: choose one of the statuses offered."), field="status")
    if status not in rules.TRANSITIONS[report.status]:
        raise FeedbackError(
            _("This report is %(current)s; it cannot become %(new)s.")
            % {"current": report.get_status_display(), "new": Status(status).label},
            code="invalid_transition",
            field="status",
        )
    note = _text(
        note, field="note", label=_("Note"), limit=selectors.policy().values["note_max_chars"], required=False
    )
    if status in rules.NOTE_REQUIRED and not note:
        raise FeedbackError(
            _("Note: tell the citizen what was done, or why the report is rejected."), field="note"
        )
    now = clock.now()
    report.status = status
    report.status_changed_at = now
    report.save(update_fields=["status", "status_changed_at"])
    CitizenReportEvent.objects.create(
        report=report,
        status=status,
        note=note,
        by_id=assignment.user_id,
        by_unit_id=assignment.unit_id,
        at=now,
    )
    return report
