"""One view returning a fixed 1 KB HTML page."""

from django.http import HttpResponse
from django.urls import path

HEAD = b"<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8><title>bare</title></head><body>"
TAIL = b"</body></html>\n"
PAGE = HEAD + b"<p>" + b"x" * (1024 - len(HEAD) - len(TAIL) - 8) + b"</p>\n" + TAIL
assert len(PAGE) == 1024, len(PAGE)


def bare(request):
    return HttpResponse(PAGE, content_type="text/html; charset=utf-8")


urlpatterns = [path("bare/", bare, name="bare")]
