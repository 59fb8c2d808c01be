"""A campaign's poster: the QR code of its link (segno, as vector paths, so it stays
crisp at any print size) and the poster as a standalone A4 SVG file."""

import textwrap
import unicodedata

import segno
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe

# Quiet zone of 4 modules, as the QR standard asks; medium error correction survives a
# crease or a smudge on a printed poster and keeps the code small.
QR_BORDER = 4
QR_ERROR = "m"


def qr_code(link):
    """The QR code of ``link``: a segno QRCode (its ``matrix`` is what a scanner reads)."""
    return segno.make(link, error=QR_ERROR, micro=False)


def qr_svg(link, label):
    """The QR code as an inline SVG element scaled by its viewBox (no fixed size), with
    ``label`` as its accessible name."""
    svg = qr_code(link).svg_inline(
        scale=1, border=QR_BORDER, omitsize=True, svgclass="qr", lineclass=None
    )
    return mark_safe(
        svg.replace(
            "<svg ",
            f'<svg role="img" aria-label="{escape(label)}" shape-rendering="crispEdges" ',
            1,
        )
    )


def qr_path(link):
    """(size in modules with the quiet zone, SVG path data) to place the code inside
    another SVG."""
    code = qr_code(link)
    size = code.symbol_size(border=QR_BORDER)[0]
    svg = code.svg_inline(scale=1, border=QR_BORDER, omitsize=True, lineclass=None)
    start = svg.index(' d="') + 4
    return size, svg[start : svg.index('"', start)]


def wrap(text, width):
    """``text`` in lines of about ``width`` Latin letters; a Chinese character counts as
    two, and Chinese text breaks anywhere (SVG text does not wrap by itself)."""
    if any(unicodedata.east_asian_width(c) in "WF" for c in text):
        lines, line, used = [], "", 0
        for char in text:
            cost = 2 if unicodedata.east_asian_width(char) in "WF" else 1
            if used + cost > width:
                lines.append(line)
                line, used = "", 0
            line, used = line + char, used + cost
        return [*lines, line] if line else lines
    return textwrap.wrap(text, width) or [""]


def poster_svg(campaign, texts):
    """The A4 poster as an SVG document (millimetres), with ``texts`` in the active
    language: {"kicker", "unit", "link_hint", "takes", "hotlines", "genuine"}."""
    size, path = qr_path(campaign.link)
    lines = []
    y = 28

    def add(text, size, width, gap, weight=400, fill="#1a1a1a", center=False):
        nonlocal y
        for line in wrap(str(text), width):
            lines.append(
                {"y": y, "size": size, "weight": weight, "fill": fill, "center": center}
                | {"text": line}
            )
            y += gap

    add(campaign.title, 11.5, 30, 13, weight=700)
    add(texts["unit"], 6.5, 50, 8)
    add(
        f"{campaign.place} · {campaign.starts_on:%Y-%m-%d} – {campaign.ends_on:%Y-%m-%d}", 5, 60, 6
    )
    qr_y, y = y, y + 114
    add(texts["link_hint"], 4.5, 70, 6, center=True)
    add(campaign.link, 5.5, 60, 10, weight=700, center=True)
    add(texts["takes"], 4.2, 78, 6, center=True)
    y += 6
    add(texts["hotlines"], 9, 40, 12, weight=700, fill="#a3211c", center=True)
    add(texts["genuine"], 3.8, 88, 5, center=True)
    return render_to_string(
        "quizzes/poster.svg",
        {
            "campaign": campaign,
            "kicker": texts["kicker"],
            "lines": lines,
            "qr_y": qr_y,
            "qr_size": size,
            "qr_path": path,
        },
    )
