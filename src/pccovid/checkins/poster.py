"""The venue's poster as a PDF (reportlab): the venue's name large, the QR drawn module by module as
vector squares (sharp at any print size), the venue code and address. Vietnamese names need a font with
their glyphs: DejaVu Sans where installed; otherwise the name is printed without diacritics."""

import io
from functools import cache
from pathlib import Path

import segno
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.units import cm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from pccovid.core.text import fold

_FONT_FILES = [
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans-Bold.ttf"),
    Path("/Library/Fonts/Arial Unicode.ttf"),
]
PAGE_SIZES = {"a4": A4, "a5": A5}


@cache
def _font() -> str | None:
    """The registered name of a font with Vietnamese glyphs, or None."""
    for path in _FONT_FILES:
        if path.exists():
            pdfmetrics.registerFont(TTFont("PosterFont", str(path)))
            return "PosterFont"
    return None


def poster_pdf(*, name: str, address: str, code: str, qr_text: str, size: str = "a4") -> bytes:
    font = _font()
    text = (lambda s: s) if font else (lambda s: fold(s).upper())
    font = font or "Helvetica-Bold"
    width, height = PAGE_SIZES[size]
    scale = width / A4[0]
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"PC-Covid {code}")
    y = height - 2.5 * cm * scale
    title_size = 30 * scale
    for line in simpleSplit(text(name), font, title_size, width - 3 * cm * scale)[:3]:
        pdf.setFont(font, title_size)
        pdf.drawCentredString(width / 2, y, line)
        y -= title_size * 1.2
    pdf.setFont(font, 14 * scale)
    pdf.drawCentredString(width / 2, y, text(_("Scan to check in with PC-Covid")))
    side = 14 * cm * scale
    _draw_qr(pdf, qr_text, x=(width - side) / 2, top=y - 0.8 * cm * scale, side=side)
    y -= side + 2 * cm * scale
    pdf.setFont(font, 16 * scale)
    pdf.drawCentredString(width / 2, y, code)
    pdf.setFont(font, 11 * scale)
    for line in simpleSplit(text(address), font, 11 * scale, width - 3 * cm * scale)[:2]:
        y -= 16 * scale
        pdf.drawCentredString(width / 2, y, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _draw_qr(pdf: canvas.Canvas, qr_text: str, *, x: float, top: float, side: float) -> None:
    matrix = segno.make(qr_text, error="m", micro=False).matrix
    module = side / len(matrix)
    pdf.setFillColorRGB(0, 0, 0)
    for row, cells in enumerate(matrix):
        for column, dark in enumerate(cells):
            if dark:
                pdf.rect(x + column * module, top - (row + 1) * module, module, module, stroke=0, fill=1)
