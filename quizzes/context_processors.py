from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils.translation import get_language

LARGE_TEXT_COOKIE = "large_text"


def display(request):
    """What every page needs: the large-text mode kept in a cookie, whether someone is
    logged in (read from the session so that pages need not load the user), and who
    runs the site."""
    return {
        "large_text": request.COOKIES.get(LARGE_TEXT_COOKIE) == "1",
        "signed_in": SESSION_KEY in request.session,
        "site_issuer": settings.SITE_ISSUER.get(get_language()) or settings.SITE_ISSUER["en"],
        "site_address": settings.SITE_ADDRESS,
    }
