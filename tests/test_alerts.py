"""Alerts about a scam that breaks today: reviewed like content, shown on the home and
lesson pages only while live, appearing and leaving by the clock with no deploy and no
extra query per request."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone, translation

from quizzes.models import Action, Alert, Status, WorkflowError

from .factories import AlertFactory, UserFactory

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
BANNER = 'class="alert-banner"'


def home(client):
    return client.get(reverse("quizzes:home")).content.decode()


def lesson_page(client, lesson):
    return client.get(reverse("quizzes:lesson", args=[lesson.slug])).content.decode()


def test_a_live_alert_shows_on_the_home_and_lesson_pages(visitor, lesson):
    AlertFactory(lesson=lesson)
    for html in (home(visitor), lesson_page(visitor, lesson)):
        assert BANNER in html
        assert "New: fake tax refund texts" in html
        assert "The tax office never texts links." in html
        assert f'href="{lesson.get_absolute_url()}"' in html
        assert html.count("<h1") == 1


def test_a_live_alert_comes_first_in_a_learners_review(visitor, lesson):
    AlertFactory(lesson=lesson)
    html = visitor.get(reverse("quizzes:practice")).content.decode()
    assert html.index(BANNER) < html.index('action="/en/practice/"')


def test_a_live_alert_in_chinese(visitor, lesson):
    AlertFactory()
    with translation.override("zh-hans"):
        url = reverse("quizzes:home")
    html = visitor.get(url).content.decode()
    assert "新情况：假冒退税短信" in html and "New: fake tax" not in html


@pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW, Status.ARCHIVED])
def test_an_alert_not_approved_is_not_shown(visitor, lesson, status):
    AlertFactory(status=status)
    assert BANNER not in home(visitor)


def test_an_alert_starts_and_ends_by_the_clock(visitor, lesson, monkeypatch):
    now = timezone.now()
    AlertFactory(starts_at=now + HOUR, ends_at=now + 3 * HOUR)
    assert BANNER not in home(visitor)
    assert BANNER not in lesson_page(visitor, lesson)
    # Nothing changes in the database: only the clock moves on.
    monkeypatch.setattr(timezone, "now", lambda: now + 2 * HOUR)
    assert BANNER in home(visitor)
    assert BANNER in lesson_page(visitor, lesson)
    monkeypatch.setattr(timezone, "now", lambda: now + 3 * HOUR)
    assert BANNER not in home(visitor)
    assert BANNER not in lesson_page(visitor, lesson)


def test_an_alert_ending_within_the_minute_leaves_at_once(visitor, lesson, monkeypatch):
    now = timezone.now().replace(second=10)
    monkeypatch.setattr(timezone, "now", lambda: now)
    AlertFactory(starts_at=now - HOUR, ends_at=now + datetime.timedelta(seconds=20))
    assert BANNER in home(visitor)
    monkeypatch.setattr(timezone, "now", lambda: now + datetime.timedelta(seconds=20))
    assert BANNER not in home(visitor)  # the same minute's cached list, filtered by the clock


def test_a_live_alert_costs_no_query(visitor, lesson, django_assert_num_queries):
    AlertFactory(lesson=lesson)
    home(visitor), lesson_page(visitor, lesson)
    with django_assert_num_queries(0):
        assert BANNER in home(visitor)
        assert BANNER in lesson_page(visitor, lesson)


def test_an_alert_must_end_after_it_starts(lesson):
    now = timezone.now()
    with pytest.raises(IntegrityError):
        AlertFactory(starts_at=now, ends_at=now)


def test_an_alert_needs_a_second_officer(lesson):
    author = UserFactory(username="officer-author", is_staff=True)
    author.groups.add(Group.objects.get(name="Authors"))
    reviewer = UserFactory(username="officer-reviewer", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    alert = AlertFactory(status=Status.DRAFT, updated_by=author, lesson=lesson)
    alert.transition(Action.SUBMIT, author)
    with pytest.raises(PermissionDenied):  # authors may not approve
        alert.transition(Action.APPROVE, author)
    alert.updated_by = reviewer
    with pytest.raises(WorkflowError):
        alert.transition(Action.APPROVE, reviewer)
    alert.updated_by = author
    alert.transition(Action.APPROVE, reviewer)
    assert Alert.objects.live().get() == alert
    assert list(alert.transitions.values_list("action", flat=True)) == [
        Action.APPROVE,
        Action.SUBMIT,
    ]


def test_an_alert_without_chinese_cannot_go_to_review(lesson):
    author = UserFactory(username="officer-author", is_staff=True)
    author.groups.add(Group.objects.get(name="Authors"))
    alert = AlertFactory(status=Status.DRAFT, text_zh_hans="")
    with pytest.raises(WorkflowError, match="Fill in every language"):
        alert.transition(Action.SUBMIT, author)
