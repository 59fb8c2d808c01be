from django.db import InterfaceError, OperationalError
from django.template.response import TemplateResponse


class DatabaseUnavailableMiddleware:
    """Answer a friendly 503 while the database cannot be reached, instead of a 500.

    Django's connection health checks reconnect by themselves on the next request once
    the database is back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            response = TemplateResponse(request, "503.html", status=503)
            response["Retry-After"] = "10"
            return response.render()
        return None
