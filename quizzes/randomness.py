"""Random strings drawn with one system call.

Django draws each character of a random string with ``secrets.choice``, which asks the
kernel for fresh bytes every time: 32 system calls for a CSRF token's mask. The mask is
drawn again for every page with a form, so on a question page's way out these calls
outnumbered all the app's network calls to Redis and PostgreSQL together (34 of 58
system calls per answer, ``strace -c`` on ``bench.profile_endpoint answer``), and system
calls are dear on a virtual machine. ``random_string`` takes the same strength from the
same source (``secrets``) in one call: each character uniform over the alphabet, bytes
that would bias it thrown away and drawn again.

``use_for_csrf_tokens`` makes Django's CSRF middleware draw its secrets and masks with
it (``django.middleware.csrf._get_new_csrf_string``, a private name: a test checks that
Django still calls it, and that its tokens still pass Django's own check).
"""

import secrets

from django.middleware import csrf


def random_string(length, alphabet):
    """``length`` characters, each drawn uniformly from ``alphabet`` (at most 256 of them)
    by a cryptographically secure generator, as ``get_random_string`` draws them."""
    size = len(alphabet)
    if not 0 < size <= 256:
        raise ValueError("An alphabet of 1 to 256 characters is needed.")
    usable = 256 - 256 % size  # bytes at or above this would favour the first characters
    chars = []
    while len(chars) < length:
        # A few bytes more than needed, so that one call nearly always suffices.
        drawn = secrets.token_bytes(length - len(chars) + 8)
        chars.extend(alphabet[byte % size] for byte in drawn if byte < usable)
    return "".join(chars[:length])


def csrf_string():
    return random_string(csrf.CSRF_SECRET_LENGTH, csrf.CSRF_ALLOWED_CHARS)


def use_for_csrf_tokens():
    """Called once at start-up (``QuizzesConfig.ready``)."""
    csrf._get_new_csrf_string = csrf_string
