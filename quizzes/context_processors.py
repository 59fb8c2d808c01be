from django.contrib.auth import SESSION_KEY

LARGE_TEXT_COOKIE = "large_text"


def display(request):
    """What every page needs: the large-text mode kept in a cookie, and whether someone
    is logged in, read from the session so that pages need not load the user."""
    return {
        "large_text": request.COOKIES.get(LARGE_TEXT_COOKIE) == "1",
        "signed_in": SESSION_KEY in request.session,
    }
