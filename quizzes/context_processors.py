from django.conf import settings

LARGE_TEXT_COOKIE = "large_text"


def display(request):
    """Display preferences every page needs: the large-text mode kept in a cookie."""
    return {
        "large_text": request.COOKIES.get(LARGE_TEXT_COOKIE) == "1",
        "debug": settings.DEBUG,
    }
