"""django-htmx's middleware, reading htmx's request headers from the WSGI environ.

django-htmx reads them from ``request.headers``, which Django builds on first use from
every header of the request; on a citizen's page nothing else asks for it, so each
request paid for that mapping to learn that it carried no ``HX-Request`` (README.md,
"Tenth pass"). ``request.htmx`` is the same object with the same answers."""

from urllib.parse import unquote

from django.http.request import HttpHeaders
from django_htmx import middleware


class HtmxDetails(middleware.HtmxDetails):
    def _get_header_value(self, name):
        meta = self.request.META
        value = meta.get(HttpHeaders.to_wsgi_name(name)) or None
        if value and meta.get(HttpHeaders.to_wsgi_name(f"{name}-URI-AutoEncoded")) == "true":
            value = unquote(value)
        return value


class HtmxMiddleware(middleware.HtmxMiddleware):
    def __call__(self, request):
        if self.async_mode:
            return self.__acall__(request)
        request.htmx = HtmxDetails(request)
        return self.get_response(request)

    async def __acall__(self, request):
        request.htmx = HtmxDetails(request)
        return await self.get_response(request)
