"""The main menu on every citizen page: today's review is one tap away, and a signed-in
learner can log out from anywhere, with a form that needs no JavaScript."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def nav(content):
    """The main menu's list of links (and forms)."""
    return content[content.index('<ul class="nav-list">') : content.index("</nav>")]


def logout_token(content):
    """The CSRF token of the menu's log-out form."""
    form = re.search(
        r'<form class="logout-form" action="([^"]+)" method="post">(.*?)</form>', nav(content)
    )
    assert form is not None, "no log-out form in the menu"
    assert form.group(1) == reverse("quizzes:logout")
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(2)).group(1)


def signed_in_browser(username):
    """A browser that checks CSRF tokens, as a real one does, logged in as ``username``."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(UserFactory(username=username))
    return browser


def test_todays_review_is_in_the_menu_for_everyone(visitor, lesson):
    for url in [reverse("quizzes:home"), lesson.get_absolute_url(), reverse("quizzes:reminders")]:
        menu = nav(visitor.get(url).content.decode())

        review = reverse("quizzes:review")
        assert f'<a href="{review}">Today\'s review</a>' in menu


def test_todays_review_is_in_the_chinese_menu_too(visitor, lesson):
    menu = nav(visitor.get("/zh-hans/").content.decode())

    assert '<a href="/zh-hans/review/">今日复习</a>' in menu


def test_an_anonymous_visitor_is_offered_log_in_not_log_out(visitor, lesson):
    menu = nav(visitor.get(reverse("quizzes:home")).content.decode())

    assert "Log in" in menu
    assert "Log out" not in menu
    assert "csrfmiddlewaretoken" not in menu


@pytest.mark.parametrize("page", ["quizzes:home", "quizzes:reminders", "quizzes:progress"])
def test_a_signed_in_learner_logs_out_from_the_menu_of_any_page(lesson, page):
    """The home page is rendered for each learner; reminders and progress come from the
    page cache: the menu's form carries this browser's own token either way."""
    meiling = signed_in_browser("meiling")
    content = meiling.get(reverse(page)).content.decode()
    assert "Log in" not in nav(content)
    assert '<button type="submit">Log out</button>' in nav(content)

    response = meiling.post(
        reverse("quizzes:logout"), {"csrfmiddlewaretoken": logout_token(content)}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("quizzes:home")
    assert "_auth_user_id" not in meiling.session


def test_two_learners_never_share_a_log_out_token_through_the_caches(lesson):
    meiling, wang = signed_in_browser("meiling"), signed_in_browser("grandpa-wang")
    for url in [reverse("quizzes:home"), reverse("quizzes:reminders")]:
        meiling.get(url)  # fills the header's and the page's caches with Meiling's page

        content = wang.get(url).content.decode()
        response = wang.post(
            reverse("quizzes:logout"), {"csrfmiddlewaretoken": logout_token(content)}
        )

        assert response.status_code == 302, url
        assert "_auth_user_id" not in wang.session
        wang.force_login(UserFactory(username="grandpa-wang"))


def test_logging_out_without_the_token_is_refused(lesson):
    meiling = signed_in_browser("meiling")

    response = meiling.post(reverse("quizzes:logout"))

    assert response.status_code == 403
    assert "_auth_user_id" in meiling.session


def test_the_reminders_page_lists_only_groups_that_have_reminders(visitor, lesson):
    """No reminder is for every kind of scam yet: neither its heading nor its link shows,
    where a screen reader would read an empty section."""
    content = visitor.get(reverse("quizzes:reminders")).content.decode()

    assert "For every kind of scam" not in content
    assert f'href="#r-{lesson.slug}"' in content


def test_reminders_for_every_kind_of_scam_come_first(visitor, lesson):
    from .factories import ReminderFactory

    ReminderFactory(lesson=None, slug="never-share-codes")
    content = visitor.get(reverse("quizzes:reminders")).content.decode()

    assert content.index('href="#general-heading"') < content.index(f'href="#r-{lesson.slug}"')
    assert content.index('id="general-heading"') < content.index(f'id="r-{lesson.slug}"')
