"""Draw QR codes with segno: SVG for screens and print, PNG for download and tests."""

import io
import re

import segno


def qr_svg(text: str, *, scale: int = 4, dark: str = "#000", light: str = "#fff") -> str:
    """An inline SVG (no XML declaration) of `text`, error correction M, quiet zone 4 modules.

    It keeps segno's pixel size and gains a viewBox, so CSS can resize it (a 60 mm card, a full screen).
    """
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(
        buffer, kind="svg", scale=scale, dark=dark, light=light, xmldecl=False, svgns=True, nl=False
    )
    svg = buffer.getvalue().decode()
    size = re.search(r'width="(\d+)" height="(\d+)"', svg)
    return svg.replace("<svg ", f'<svg viewBox="0 0 {size[1]} {size[2]}" ', 1)


def qr_png(text: str, *, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
