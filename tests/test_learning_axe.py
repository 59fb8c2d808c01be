"""axe-core in a real browser on what issue 14 and the alerts added last: the home page of
a returning learner with a re-check due, a live scam alert and the review it starts; and
the retention statistics in the police workspace. Both languages, no violation."""

from datetime import timedelta
from importlib import import_module

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from quizzes.learners import SESSION_KEY
from quizzes.models import LessonMemory, ReviewItem, ReviewKind, remember
from quizzes.models.sessions import start_session

from .browser import DESKTOP, PHONE
from .factories import AlertFactory, LearnerFactory
from .test_accessibility import axe_violations, go, url
from .test_campaign_browser import new_page, officer_page  # noqa: F401 (fixture)
from .test_retention_stats import answer_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def learner_back_after_a_week(lesson):
    """A visitor who completed the lesson eight days ago, missed one question, and comes
    back while a scam alert on that lesson is live: their session key."""
    learner = LearnerFactory()
    answer_all(learner.start_run(lesson), right=2)
    remember(learner.pk)  # as the pages they opened after the quiz did
    LessonMemory.objects.update(completed_at=timezone.now() - timedelta(days=8))
    ReviewItem.objects.update(due="2000-01-01T00:00:00Z")
    AlertFactory(lesson=lesson)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = learner.pk
    session.create()
    return session.session_key


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_axe_finds_nothing_on_the_recheck_box(new_page, live_server, lesson, lang):  # noqa: F811
    session_key = learner_back_after_a_week(lesson)
    page = new_page(PHONE)
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session_key, "url": live_server.url}
    page.context.add_cookies([cookie])

    go(page, url(live_server, lang, "quizzes:home"))

    assert page.locator("#recheck-heading").is_visible()
    assert page.locator(".alert-banner").is_visible()
    assert page.locator(".alert-reason").is_visible()
    report = axe_violations(page, f"home with a re-check /{lang}/")
    assert not report, report
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.csp_errors == []


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_axe_finds_nothing_on_the_retention_page(new_page, live_server, lesson, lang):  # noqa: F811
    learner = LearnerFactory()
    answer_all(learner.start_run(lesson), right=3)
    questions = list(lesson.questions.values_list("pk", flat=True))
    check = start_session(learner.pk, questions, ReviewKind.RECHECK, lesson=lesson, day=7)
    LessonMemory.objects.get(learner=learner).mark_checked(7, check)
    answer_all(check, right=1)
    page = officer_page(new_page, live_server, "officer-zhao", "Analysts", lang)
    page.set_viewport_size(DESKTOP)

    go(page, live_server.url + reverse("admin:quizzes_retention"))

    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").count() == 1
    assert page.locator("table").count() >= 1
    report = axe_violations(page, f"retention statistics /{lang}/")
    assert not report, report
    assert page.csp_errors == []


def test_axe_finds_nothing_on_the_alert_form(new_page, live_server, lesson):  # noqa: F811
    alert = AlertFactory(lesson=lesson)
    page = officer_page(new_page, live_server, "officer-wang", "Authors", "zh-hans")

    go(page, live_server.url + reverse("admin:quizzes_alert_change", args=[alert.pk]))

    assert page.locator("#id_questions input[type=checkbox]").count() == 3
    report = axe_violations(page, "scam alert form /zh-hans/")
    assert not report, report
    assert page.csp_errors == []
