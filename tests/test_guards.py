"""Guards over the whole site: every page has one <h1>; no migration is missing."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_no_pending_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


CITIZEN_PAGES = [
    "quizzes:home",
    "quizzes:reminders",
    "quizzes:practice",
    "quizzes:progress",
    "quizzes:login",
    "quizzes:signup",
    "password_reset",
]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("name", CITIZEN_PAGES)
def test_every_page_has_exactly_one_h1(client, lesson, name, language):
    response = client.get(reverse(name).replace("/en/", f"/{language}/", 1))

    assert response.status_code == 200
    assert len(re.findall(r"<h1[ >]", response.content.decode())) == 1


def test_lesson_and_error_pages_have_exactly_one_h1(client, lesson):
    for url in [lesson.get_absolute_url(), "/en/no-such-page/"]:
        content = client.get(url).content.decode()
        assert len(re.findall(r"<h1[ >]", content)) == 1, url
