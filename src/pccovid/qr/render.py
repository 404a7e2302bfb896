"""Draw QR codes with segno: SVG for screens and print, PNG for download and tests."""

import io

import segno


def qr_svg(text: str, *, scale: int = 4, dark: str = "#000", light: str = "#fff") -> str:
    """An inline SVG (no XML declaration) of `text`, error correction M, quiet zone 4 modules."""
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(
        buffer, kind="svg", scale=scale, dark=dark, light=light, xmldecl=False, svgns=True, nl=False
    )
    return buffer.getvalue().decode()


def qr_png(text: str, *, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
