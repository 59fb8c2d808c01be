"""The one place where a redirect target taken from user input is checked.

Every view that redirects to a ``next`` parameter or to the Referer asks
:func:`safe_next`, which returns only a path of this site.
"""

import re
from urllib.parse import unquote, urlsplit

from django.utils.http import url_has_allowed_host_and_scheme

# Control characters (browsers drop tabs and newlines inside URLs, so "/\t/evil.example"
# becomes "//evil.example") and backslashes (browsers read "/\evil.example" as
# "//evil.example").
UNSAFE = re.compile(r"[\x00-\x1f\x7f\\]")


def local_path(value, request):
    """``value`` as a path (with its query) on this site, or None (no query)."""
    if not value or len(value) > 2000:
        return None
    decoded = unquote(value)
    if UNSAFE.search(value) or UNSAFE.search(decoded):
        return None
    parts = urlsplit(value)
    # A full address (a Referer) is fine when it names this very site.
    foreign = parts.scheme not in ("http", "https") or parts.netloc != request.get_host()
    if (parts.scheme or parts.netloc) and foreign:
        return None
    path = parts.path
    if not path.startswith("/") or path.startswith("//") or unquote(path).startswith("//"):
        return None
    target = path + (f"?{parts.query}" if parts.query else "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return None
    return target


def safe_next(request, fallback, value=None):
    """Where to send the visitor next: ``value`` if given, else the ``next`` field (POST,
    then GET), else the Referer, provided it is a path of this site; else ``fallback``."""
    if value is None:
        candidates = [
            request.POST.get("next"),
            request.GET.get("next"),
            request.META.get("HTTP_REFERER"),
        ]
    else:
        candidates = [value]
    for candidate in candidates:
        if candidate:
            return local_path(candidate, request) or fallback
    return fallback
