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

    citizens_page = citizen.get(reverse("password_change")).content.decode()
    assert rule not in citizens_page
    assert HELP in citizens_page
    assert rule in sign_in_officer(client, author_user).get(reverse("password_change")).text


HELP = (
    "A good password has at least 8 characters, is not only numbers, and is not a common "
    "password or close to your username or e-mail address."
)
HELP_ZH = "好的密码至少有8个字符，不能全是数字，也不能是常见密码，或与您的用户名、邮箱地址相近。"


def test_sign_up_says_what_a_good_password_is_in_one_plain_sentence(visitor):
    content = visitor.get(reverse("quizzes:signup")).content.decode()
    chinese = visitor.get("/zh-hans/accounts/signup/").content.decode()

    assert f'<div class="help" id="id_password1_helptext">{HELP}</div>' in content
    assert f'<div class="help" id="id_password1_helptext">{HELP_ZH}</div>' in chinese
    for page in (content, chinese):
        assert "<ul>" not in page[page.index("id_password1_helptext") :][:400]
    # Django's own list is gone, in both languages.
    assert "Your password can" not in content
    assert "您的密码" not in chinese


@pytest.mark.parametrize(
    ("password", "refusal"),
    [
        ("Tz9!kq2", "This password is too short. It must contain at least 8 characters."),
        ("83920175", "This password is entirely numeric."),
        ("password123", "This password is too common."),
        ("grandpa-wang1", "The password is too similar to the username."),
        ("wang.li.mei@example.org", "The password is too similar to the email address."),
    ],
    ids=["short", "only-numbers", "common", "like-the-username", "like-the-email"],
)
def test_every_promise_of_the_password_sentence_is_what_sign_up_checks(visitor, password, refusal):
    response = visitor.post(
        reverse("quizzes:signup"),
        {
            "username": "grandpa-wang",
            "email": "wang.li.mei@example.org",
            "password1": password,
            "password2": password,
        },
    )

    assert response.status_code == 200
    assert refusal in response.content.decode()
    assert not get_user_model().objects.exists()


def test_a_password_that_keeps_every_promise_is_accepted(visitor):
    response = visitor.post(
        reverse("quizzes:signup"),
        {
            "username": "grandpa-wang",
            "password1": "river lantern 7",
            "password2": "river lantern 7",
        },
    )

    assert response["Location"] == reverse("quizzes:progress")


def test_a_citizen_resetting_a_password_gets_the_same_sentence(client, citizen_user):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(citizen_user.pk))
    token = default_token_generator.make_token(citizen_user)
    link = reverse("password_reset_confirm", args=[uid, token])

    content = client.get(client.get(link)["Location"]).content.decode()

    assert HELP in content
    assert "Your password can" not in content


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
