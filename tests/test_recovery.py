"""Citizens' sign-up and account recovery: an optional e-mail address, one-time
recovery codes, and a new password set with a code."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from .conftest import PASSWORD
from .factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase"


class recovery:
    """quizzes.twofactor's recovery-code functions, imported when a test runs."""

    @staticmethod
    def new_recovery_codes(user):
        from quizzes.twofactor import new_recovery_codes

        return new_recovery_codes(user)

    @staticmethod
    def recovery_codes(user):
        from quizzes.twofactor import recovery_codes

        return recovery_codes(user)


@pytest.fixture(autouse=True)
def fresh_window():
    left = 3600 - time.time() % 3600
    if left < 10:
        time.sleep(left + 0.1)


# --- Sign-up ----------------------------------------------------------------------------


def test_sign_up_page_shows_citizens_rules_not_the_police_rule(visitor):
    content = visitor.get(reverse("quizzes:signup")).content.decode()

    assert "14 characters" not in content
    assert "A good password has at least 8 characters" in content
    assert "E-mail address (optional)" in content


def test_sign_up_with_an_optional_e_mail(visitor):
    visitor.post(
        reverse("quizzes:signup"),
        {
            "username": "grandma-li",
            "email": "li@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert get_user_model().objects.get(username="grandma-li").email == "li@example.org"


def test_sign_up_errors_are_summarised_and_linked_and_passwords_kept(visitor):
    UserFactory(username="taken")

    response = visitor.post(
        reverse("quizzes:signup"),
        {"username": "taken", "password1": PASSWORD, "password2": PASSWORD},
    )
    content = response.content.decode()

    assert 'class="error-summary" role="alert" tabindex="-1" autofocus' in content
    assert '<a href="#id_username">Username: A user with that username already exists.</a>' in (
        content
    )
    assert content.count(f'value="{PASSWORD}"') == 2  # not cleared for a username error


def test_sign_up_clears_passwords_that_were_the_problem(visitor):
    response = visitor.post(
        reverse("quizzes:signup"),
        {"username": "new-user", "password1": PASSWORD, "password2": "something else"},
    )

    assert PASSWORD not in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")


# --- E-mail and recovery codes ----------------------------------------------------------


def test_add_an_e_mail_address_later(citizen, citizen_user):
    response = citizen.post(reverse("quizzes:account-email"), {"email": "meiling@example.org"})

    assert response["Location"] == reverse("quizzes:account")
    citizen_user.refresh_from_db()
    assert citizen_user.email == "meiling@example.org"


def test_make_and_download_recovery_codes(citizen, citizen_user):
    response = citizen.post(reverse("quizzes:recovery-codes"))
    page = citizen.get(response["Location"]).content.decode()
    download = citizen.get(reverse("quizzes:recovery-codes") + "?download=1")
    codes = recovery.recovery_codes(citizen_user)

    assert len(codes) == 10
    assert all(f"<li><code>{code}</code></li>" in page for code in codes)
    assert download["Content-Disposition"] == 'attachment; filename="recovery-codes.txt"'
    assert download.content.decode().split("\n")[2:12] == codes
    assert "Recovery codes: 10 left" in citizen.get(reverse("quizzes:account")).content.decode()


def test_new_codes_replace_the_old_ones(citizen, citizen_user):
    old = recovery.new_recovery_codes(citizen_user)

    citizen.post(reverse("quizzes:recovery-codes"))

    assert not set(old) & set(recovery.recovery_codes(citizen_user))


# --- Forgot password: a recovery code ----------------------------------------------------


def recover(client, username, token, **extra):
    return client.post(
        reverse("quizzes:recover"),
        {
            "username": username,
            "token": token,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        **extra,
    )


def test_a_forgotten_password_is_replaced_with_a_recovery_code(visitor, citizen_user):
    code = recovery.new_recovery_codes(citizen_user)[3]

    response = recover(visitor, "meiling", code)
    again = recover(visitor.__class__(), "meiling", code)

    assert response["Location"] == reverse("quizzes:account")
    citizen_user.refresh_from_db()
    assert citizen_user.check_password(NEW_PASSWORD)
    assert again.status_code == 400  # each code works once
    assert len(recovery.recovery_codes(citizen_user)) == 9


def test_a_wrong_code_changes_nothing(visitor, citizen_user):
    recovery.new_recovery_codes(citizen_user)

    response = recover(visitor, "meiling", "wrongcode")

    assert response.status_code == 400
    assert "That username and recovery code do not match." in response.content.decode()
    citizen_user.refresh_from_db()
    assert citizen_user.check_password(PASSWORD)


def test_police_accounts_cannot_recover_with_a_code(visitor):
    officer = UserFactory(username="officer-x", is_staff=True)
    code = recovery.new_recovery_codes(officer)[0]

    response = recover(visitor, "officer-x", code)

    assert response.status_code == 400
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)
    assert code in recovery.recovery_codes(officer)


def test_guessing_codes_is_limited_per_account(client_factory, citizen_user, settings):
    settings.RATE_LIMIT_CODE_FAILURES_PER_ACCOUNT_PER_HOUR = 3
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    code = recovery.new_recovery_codes(citizen_user)[0]
    for n in range(3):
        recover(client_factory(), "meiling", f"guess{n}", REMOTE_ADDR=f"198.51.100.{n}")

    response = recover(client_factory(), "meiling", code, REMOTE_ADDR="203.0.113.1")

    assert response.status_code == 400
    citizen_user.refresh_from_db()
    assert citizen_user.check_password(PASSWORD)


def test_the_log_in_page_offers_both_ways_back(visitor):
    content = visitor.get(reverse("quizzes:login")).content.decode()

    assert f'<a href="{reverse("quizzes:recover")}">Use a recovery code</a>' in content
    assert f'<a href="{reverse("password_reset")}">Get a link by e-mail</a>' in content
