"""A URLconf with a view that fails, to see what visitors get when code breaks."""

from django.urls import path

from antifraud.urls import handler500  # noqa: F401  (Django reads it from the root URLconf)
from antifraud.urls import urlpatterns as site


def broken(request):
    raise RuntimeError("secret internal detail")


def database_down(request):
    from django.db import OperationalError

    raise OperationalError("connection refused: secret internal detail")


urlpatterns = [path("broken/", broken), path("database-down/", database_down), *site]
