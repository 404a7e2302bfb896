"""The certificate as a one-page A4 PDF: the QR code and the fields beside it (reportlab)."""

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from pccovid.qr import render as qr_render

_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
)


def unicode_font() -> str:
    """A font with Vietnamese letters when the system has one; Helvetica otherwise."""
    if "DejaVuSans" in pdfmetrics.getRegisteredFontNames():
        return "DejaVuSans"
    for path in _FONT_CANDIDATES:
        try:
            pdfmetrics.registerFont(TTFont("DejaVuSans", path))
        except Exception:  # a missing or unreadable font file: try the next
            continue
        return "DejaVuSans"
    return "Helvetica"


def certificate_pdf(*, title: str, text: str, facts: list[tuple[str, str]]) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    font = unicode_font()
    page.setTitle(title)
    page.setFont(font, 16)
    page.drawString(20 * mm, height - 25 * mm, title)
    size = 110 * mm
    image = ImageReader(io.BytesIO(qr_render.qr_png(text, scale=8)))
    page.drawImage(image, (width - size) / 2, height - 35 * mm - size, size, size)
    y = height - 50 * mm - size
    for label, value in facts:
        page.setFont(font, 9)
        page.drawString(20 * mm, y, label)
        page.setFont(font, 11)
        page.drawString(70 * mm, y, str(value)[:90])
        y -= 7 * mm
    page.setFont(font, 8)
    page.drawString(20 * mm, 15 * mm, "EU Digital COVID Certificate · Ministry of Health of Viet Nam")
    page.showPage()
    page.save()
    return buffer.getvalue()
