"""A URLconf with a view that fails, to see what visitors get when code breaks."""

from django.urls import path

from antifraud.urls import urlpatterns as site


def broken(request):
    raise RuntimeError("secret internal detail")


urlpatterns = [path("broken/", broken), *site]
