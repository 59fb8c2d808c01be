"""The app's URLs plus /floor/: what any page with a learner's session and a form costs
in this stack before the page does anything itself."""

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import path

from antifraud.urls import urlpatterns as app_urlpatterns
from quizzes.learners import SESSION_KEY

# About the size of a question page, with a form carrying the CSRF token.
HEAD = '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>floor</title>'
FORM = '</head><body><form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="'
TAIL = '"></form></body></html>\n'
FILLER = "<p>" + "x" * 5600 + "</p>"


def floor(request):
    """Read the learner from the session and put a CSRF token in a form; nothing else."""
    request.session.get(SESSION_KEY)
    return HttpResponse(HEAD + FILLER + FORM + get_token(request) + TAIL)


urlpatterns = [path("floor/", floor, name="floor"), *app_urlpatterns]
