"""The bare target's views: a fixed 1 KB page, and the least an answer can cost.

``/bare/answer/<n>/`` is the answer flow a browser without JavaScript goes through,
with nothing of the app around it: a question page with a CSRF token in its form, a
POST that stores the choice in a signed-cookie session and redirects, and the same page
again with the feedback. Only the session and CSRF middleware, applied to this view
alone; no database, no cache, no templates. Its pages are about the size of the app's.
"""

from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.urls import path
from django.utils.decorators import decorator_from_middleware
from django.views.decorators.csrf import csrf_protect

HEAD = b"<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8><title>bare</title></head><body>"
TAIL = b"</body></html>\n"
PAGE = HEAD + b"<p>" + b"x" * (1024 - len(HEAD) - len(TAIL) - 8) + b"</p>\n" + TAIL
assert len(PAGE) == 1024, len(PAGE)


def bare(request):
    return HttpResponse(PAGE, content_type="text/html; charset=utf-8")


CHOICES = ("1", "2", "3", "4")
KEPT = 4  # answers the session remembers, so the cookie stays small
# About the size of the app's question page (5.7 KB) and of its feedback.
SCENARIO = "<p>" + "x" * 5000 + "</p>"
QUESTION = (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Question {n}'
    '</title></head><body><main><h1>Question {n}</h1><progress class="quiz-progress" max="5"'
    ' value="1"></progress>' + SCENARIO + '<form method="post" id="answer-area">'
    '<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
    + "".join(
        f'<label><input type="radio" name="choice" value="{c}"> Choice {c}</label>'
        for c in CHOICES
    )
    + '<button type="submit">Check my answer</button></form></main></body></html>\n'
)
FEEDBACK = (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Question {n}'
    "</title></head><body><main><h1>Question {n}</h1>" + SCENARIO + '<section id="feedback">'
    "<p>You chose {choice}.</p>" + "<p>" + "y" * 600 + "</p>"
    '<a href="/bare/answer/{next}/">Next question</a></section></main></body></html>\n'
)

with_session = decorator_from_middleware(SessionMiddleware)


@with_session
@csrf_protect
def answer(request, n):
    answers = request.session.get("answers", {})
    if request.method == "POST":
        choice = request.POST.get("choice")
        if choice not in CHOICES:
            return HttpResponseBadRequest("Please choose one of the answers.")
        answers[str(n)] = choice
        request.session["answers"] = dict(list(answers.items())[-KEPT:])
        return HttpResponseRedirect(f"{request.path}#feedback")
    choice = answers.get(str(n))
    if choice is None:
        return HttpResponse(QUESTION.format(n=n, token=get_token(request)))
    return HttpResponse(FEEDBACK.format(n=n, choice=choice, next=n + 1))


urlpatterns = [
    path("bare/", bare, name="bare"),
    path("bare/answer/<int:n>/", answer, name="answer"),
]
