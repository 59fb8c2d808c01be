"""Accounts need only a username; passwords can be changed and reset."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_up_with_only_a_username(visitor):
    response = visitor.post(
        reverse("quizzes:signup"),
        {"username": "grandpa-wang", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response["Location"] == reverse("quizzes:progress")
    assert get_user_model().objects.filter(username="grandpa-wang").exists()
    assert "Welcome! Your account is ready." in visitor.get(response["Location"]).content.decode()


def test_sign_up_rejects_a_weak_password(visitor):
    response = visitor.post(
        reverse("quizzes:signup"),
        {"username": "grandpa-wang", "password1": "123456", "password2": "123456"},
    )

    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    assert not get_user_model().objects.exists()


def test_sign_up_is_rate_limited(visitor, settings):
    settings.RATE_LIMIT_SIGNUPS_PER_HOUR = 0

    response = visitor.post(
        reverse("quizzes:signup"),
        {"username": "bot", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert "Too many new accounts from here." in response.content.decode()
    assert not get_user_model().objects.exists()


def test_log_in_and_out(client, citizen_user):
    response = client.post(reverse("quizzes:login"), {"username": "meiling", "password": PASSWORD})
    assert response["Location"] == reverse("quizzes:progress")

    response = client.post(reverse("quizzes:logout"))

    assert response["Location"] == reverse("quizzes:home")
    assert "_auth_user_id" not in client.session


def test_login_is_locked_after_repeated_failures(client, citizen_user):
    for _ in range(5):
        client.post(reverse("quizzes:login"), {"username": "meiling", "password": "wrong"})

    response = client.post(reverse("quizzes:login"), {"username": "meiling", "password": PASSWORD})

    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()


def test_change_password(citizen, citizen_user):
    response = citizen.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a much longer new secret",
            "new_password2": "a much longer new secret",
        },
    )

    assert response["Location"] == reverse("password_change_done")
    citizen_user.refresh_from_db()
    assert citizen_user.check_password("a much longer new secret")


def test_the_police_password_rule_is_shown_to_police_accounts_only(citizen, client, author_user):
    from .conftest import sign_in_officer

    rule = "Police accounts need at least 14 characters."

    assert rule not in citizen.get(reverse("password_change")).content.decode()
    assert rule in sign_in_officer(client, author_user).get(reverse("password_change")).text


def test_password_reset_sends_a_link(client, citizen_user):
    citizen_user.email = "meiling@example.org"
    citizen_user.save()

    client.post(reverse("password_reset"), {"email": "meiling@example.org"})

    assert len(mail.outbox) == 1
    assert "/en/accounts/password/reset/" in mail.outbox[0].body


def test_account_page_needs_login(visitor):
    response = visitor.get(reverse("quizzes:account"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("quizzes:login"))
