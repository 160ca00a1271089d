"""The booking reference as a QR code: inline SVG from segno (pure Python, no image files, no JavaScript)."""

from __future__ import annotations

import io

import segno
from markupsafe import Markup


def qr_code(reference: str):
    """segno's QR code of the reference alone (what a conductor's or front desk's scanner reads)."""
    return segno.make(reference, error="m", micro=False)


def qr_svg(reference: str, scale: int = 4) -> Markup:
    """<svg> markup of the reference's QR code, labelled for screen readers."""
    label = f"QR code of booking {reference}"
    svg = qr_code(reference).svg_inline(scale=scale, border=2, omitsize=True, svgclass="qr", title=label)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))


def qr_svg_bytes(reference: str, scale: int = 4) -> bytes:
    """The QR code as a standalone SVG document (for the PDF)."""
    out = io.BytesIO()
    qr_code(reference).save(out, kind="svg", scale=scale, border=2, xmldecl=True, omitsize=True)
    return out.getvalue()
