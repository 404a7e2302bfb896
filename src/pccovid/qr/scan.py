"""What a scanner hands us: the text of a QR code, from a photo (decoded here with zxing-cpp), from the
browser's camera (decoded on the device) or pasted. Photos from cheap phones are large and tilted:
zxing-cpp handles rotation and perspective; the image is bounded in size before decoding."""

import io

import zxingcpp
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from pccovid.core.errors import ApplicationError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_SIDE = 2000


class ScanError(ApplicationError):
    code = "scan_failed"


def decode_image(data: bytes) -> list[str]:
    """Every QR text found in an image (PNG, JPEG...), in reading order. Raises ScanError for no image."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ScanError(_("The image is larger than 10 MB."), field="image")
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise ScanError(_("This file is not an image we can read."), field="image") from error
    if max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE))
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    return [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode) if r.text]


def scanned_text(*, text: str | None = None, image: bytes | None = None) -> str:
    """The one QR text a scan produced: pasted/camera text wins; else the first QR code in the photo."""
    if text and text.strip():
        return text.strip()
    if image:
        found = decode_image(image)
        if not found:
            raise ScanError(
                _("No QR code was found in this image. Take the photo closer and in focus."), field="image"
            )
        return found[0]
    raise ScanError(_("Scan a QR code, upload a photo of it, or paste its text."), field="text")
