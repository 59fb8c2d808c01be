from functools import lru_cache

import segno
from django import template
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@lru_cache(maxsize=512)
def _qr_svg(payload):
    # segno writes the code as one <path>: no script, no style attribute, and the payload
    # is only encoded in the geometry, never copied into the markup as text.
    qr = segno.make(payload, error="m")
    return qr.svg_inline(scale=5, border=2, dark="#111", light="#fff", svgclass="qr-code")


@register.simple_tag
def qr_svg(payload):
    """A QR code for the payload as inline SVG, generated on the server."""
    return mark_safe(_qr_svg(str(payload)))


@register.filter
def yuan(amount):
    """12345 -> "12,345 yuan" / "12,345元" in the active language."""
    if amount in (None, ""):
        return ""
    return _("%(amount)s yuan") % {"amount": number_format(amount, force_grouping=True)}
