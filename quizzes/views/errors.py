"""Error pages that Django calls by name (settings and ``handler500``)."""

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


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
