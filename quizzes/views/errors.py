"""Error pages that Django calls by name (settings and ``handler500``), and the one it
leaves empty (405)."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import (
    HttpResponse,
    HttpResponseServerError,
)
from django.shortcuts import render
from django.template.loader import render_to_string


def server_error(request):
    """The 500 page, or the friendly 503 while the database cannot be reached.

    Django calls this for any uncaught exception, in a view or in middleware (a session
    saved after the view, say), so one place covers a database outage everywhere. It
    renders without the request's context processors, which may need the database too.
    Django's connection health checks reconnect by themselves once the database is back.
    """
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "10"
        return response
    return HttpResponseServerError(render_to_string("500.html"))


# The methods some page of the site answers; OPTIONS is left to Django.
USED_METHODS = frozenset({"GET", "HEAD", "POST", "OPTIONS"})


def method_not_allowed_page(get_response):
    """Middleware: a 405 (a link to a form's address, a form sent to a page) gets a page
    that says what happened; Django's decorators send it empty, a blank screen.

    A method no page answers (PUT, DELETE, PATCH, made-up ones) gets that page at once,
    before the CSRF check, which would otherwise send a misleading "the form expired"
    page to a request that never came from a form."""

    def middleware(request):
        if request.method not in USED_METHODS:
            page = render(request, "405.html", status=405)
            page["Allow"] = "GET, HEAD, POST"
            return page
        response = get_response(request)
        if response.status_code == 405 and not response.streaming and not response.content:
            page = render(request, "405.html", status=405)
            page["Allow"] = response.get("Allow", "")
            return page
        return response

    return middleware


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
