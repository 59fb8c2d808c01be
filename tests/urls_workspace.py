"""The site's URLconf plus a stand-in page in the ``workspace`` namespace, where the
police workspace lives, to show the second-factor rule covers it by name."""

from django.http import HttpResponse
from django.urls import include, path

from antifraud.urls import handler500  # noqa: F401  (Django reads it from the root URLconf)
from antifraud.urls import urlpatterns as site


def workspace_home(request):
    return HttpResponse("workspace home")


workspace = ([path("", workspace_home, name="home")], "workspace")
urlpatterns = [path("en/police/", include(workspace)), *site]
