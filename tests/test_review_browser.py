"""Today's review in a real browser: on a phone, with JavaScript on and off, in both
languages, with axe-core on every new page."""

from importlib import import_module

import pytest
from django.conf import settings

from quizzes.learners import SESSION_KEY
from quizzes.models import Learner, ReviewItem, remember

from .browser import PHONE, open_page, screenshot
from .test_accessibility import answer, axe_violations, go, submit, url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def returning_visitor(lesson):
    """A visitor who took the lesson's quiz days ago (one of three wrong) and now has a
    review due: their session key. Made before the browser starts, as the live server's
    in-memory database is best left alone while a browser talks to it."""
    learner = Learner.objects.create()
    run = learner.start_run(lesson)
    for rq in run.run_questions.select_related("question"):
        run.record_answer(rq, rq.question.choices.get(is_correct=rq.position != 1))
    remember(learner.pk)  # as the pages they opened after the quiz did
    ReviewItem.objects.update(due="2000-01-01T00:00:00Z")
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = learner.pk
    session.create()
    return session.session_key


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_a_review_session_on_a_phone(browser, live_server, lesson, lang, javascript):
    session_key = returning_visitor(lesson)
    page = open_page(browser, PHONE, javascript=javascript)
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session_key, "url": live_server.url}
    page.context.add_cookies([cookie])
    reports = []

    def check(where):
        """axe-core runs as JavaScript in the page, so only with JavaScript on; the pages
        are the same HTML either way."""
        if javascript:
            reports.append(axe_violations(page, f"{where} /{lang}/"))

    go(page, url(live_server, lang, "quizzes:home"))
    assert page.locator("#review-due-heading").is_visible()
    check("home with a review")

    go(page, url(live_server, lang, "quizzes:review"))
    assert page.locator("h1").count() == 1
    check("review")
    screenshot(page, f"review-{lang}-{javascript}")
    submit(page, "main form button[type=submit]")
    assert "/runs/" in page.url
    check("review question")
    screenshot(page, f"review-question-{lang}-{javascript}")
    for _ in range(int(page.locator(".quiz-progress").get_attribute("max"))):
        answer(page, nth=1)
        submit(page, ".next a")
    assert page.locator(".score").is_visible()

    go(page, url(live_server, lang, "quizzes:mastery"))
    assert page.locator("h1").count() == 1
    assert page.locator(".flag-item").count() >= 1
    check("mastery")
    screenshot(page, f"mastery-{lang}-{javascript}")
    submit(page, ".flag-item form button")
    assert "/runs/" in page.url

    assert not [r for r in reports if r], "\n".join(reports)
    if javascript:
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.csp_errors == []
    page.context.close()
