"""The main menu on every citizen page: today's review is one tap away."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def nav(content):
    """The main menu's list of links (and forms)."""
    return content[content.index('<ul class="nav-list">') : content.index("</nav>")]


def test_todays_review_is_in_the_menu_for_everyone(visitor, lesson):
    for url in [reverse("quizzes:home"), lesson.get_absolute_url(), reverse("quizzes:reminders")]:
        menu = nav(visitor.get(url).content.decode())

        review = reverse("quizzes:review")
        assert f'<a href="{review}">Today\'s review</a>' in menu


def test_todays_review_is_in_the_chinese_menu_too(visitor, lesson):
    menu = nav(visitor.get("/zh-hans/").content.decode())

    assert '<a href="/zh-hans/review/">今日复习</a>' in menu
