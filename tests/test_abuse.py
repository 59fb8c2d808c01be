"""Abuse behind a proxy: one client address for django-axes and the rate limits, an
address trying many usernames, sign-up limits; and redirects that stay on the site."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse

from quizzes.ratelimit import client_address

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/en/accounts/login/"


@pytest.fixture(autouse=True)
def fresh_window():
    """Rate limits count in fixed windows: start each test well inside one."""
    left = 3600 - time.time() % 3600
    if left < 10:
        time.sleep(left + 0.1)


def log_in(client, username, password, forwarded, remote="10.0.0.1"):
    return client.post(
        LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


# --- The client address -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "expected"),
    [
        (0, "", "203.0.113.5", "203.0.113.5"),
        (0, "198.51.100.7", "203.0.113.5", "203.0.113.5"),  # no proxy: the header is a lie
        (1, "198.51.100.7", "10.0.0.1", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "10.0.0.1", "198.51.100.7"),  # forged left-most entry
        (2, "198.51.100.7, 10.0.0.2", "10.0.0.1", "198.51.100.7"),
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.2", "10.0.0.1", "198.51.100.7"),
        (2, "198.51.100.7", "10.0.0.1", "10.0.0.1"),  # did not pass both proxies
        (1, "not-an-address", "10.0.0.1", "10.0.0.1"),
    ],
)
def test_client_address_counts_proxies_from_the_right(
    settings, proxies, forwarded, remote, expected
):
    settings.NUM_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_address(request) == expected


def test_axes_reads_the_same_client_address(settings):
    from axes.helpers import get_client_ip_address

    settings.NUM_PROXIES = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7"
    )

    assert get_client_ip_address(request) == client_address(request) == "198.51.100.7"


@pytest.mark.parametrize("proxies", [1, 2])
def test_a_lockout_behind_proxies_locks_only_the_guessing_client(
    client_factory, citizen_user, settings, proxies
):
    settings.NUM_PROXIES = proxies
    inner = ", 10.0.0.2" if proxies == 2 else ""
    for _ in range(5):
        log_in(client_factory(), "meiling", "wrong", f"198.51.100.7{inner}")

    guesser = log_in(client_factory(), "meiling", PASSWORD, f"198.51.100.7{inner}")
    forged = log_in(client_factory(), "meiling", PASSWORD, f"203.0.113.9, 198.51.100.7{inner}")
    owner = log_in(client_factory(), "meiling", PASSWORD, f"203.0.113.9{inner}")

    assert guesser.status_code == 429
    assert forged.status_code == 429  # a forged left-most entry does not help
    assert owner.status_code == 302
    assert owner["Location"] == reverse("quizzes:progress")


def test_one_address_trying_many_usernames_is_refused(client, settings):
    settings.NUM_PROXIES = 1
    settings.RATE_LIMIT_LOGIN_FAILURES_PER_ADDRESS_PER_HOUR = 10
    get_user_model().objects.create_user("user42", password=PASSWORD)
    statuses = [
        log_in(client, f"user{i}", "Password1", "198.51.100.8").status_code for i in range(12)
    ]

    response = log_in(client, "user42", PASSWORD, "198.51.100.8")
    elsewhere = log_in(client, "user42", PASSWORD, "203.0.113.9")

    assert statuses == [200] * 10 + [429] * 2
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()
    assert elsewhere.status_code == 302


# --- Sign-up limits ---------------------------------------------------------------------


def sign_up(client, username, password2=PASSWORD, **extra):
    data = {"username": username, "password1": PASSWORD, "password2": password2}
    return client.post(reverse("quizzes:signup"), data, **extra)


def test_failed_sign_ups_do_not_count_toward_the_limit(client, settings):
    settings.RATE_LIMIT_SIGNUPS_PER_HOUR = 2
    for i in range(5):
        assert sign_up(client, f"typo{i}", password2="different").status_code == 200

    response = sign_up(client, "patient-user")

    assert response.status_code == 302
    assert get_user_model().objects.filter(username="patient-user").exists()


def test_an_empty_sign_up_at_the_limit_is_a_form_error(client_factory, settings):
    settings.RATE_LIMIT_SIGNUPS_PER_HOUR = 1
    assert sign_up(client_factory(), "first").status_code == 302

    response = client_factory().post(reverse("quizzes:signup"), {})

    assert response.status_code == 429
    assert "Too many new accounts from here." in response.content.decode()
    assert get_user_model().objects.count() == 1


# --- Redirects from user input ----------------------------------------------------------

OFF_SITE = [
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "/\t/evil.example/",
    "/\n/evil.example/",
    "/\r\n/evil.example/",
    " //evil.example/",
    "https://evil.example/",
    "https:evil.example",
    "https:/evil.example",
    "HTTPS://evil.example/",
    "http://testserver.evil.example/",
    "javascript:alert(1)",
    "/%2F/evil.example/",
    "/%5Cevil.example/",
    "/%09/evil.example/",
    "%2F%2Fevil.example",
    "evil.example",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_safe_next_refuses_every_way_off_the_site(target):
    from quizzes.redirects import safe_next

    request = RequestFactory().post("/", {"next": target})

    assert safe_next(request, "/fallback/") == "/fallback/"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/en/lessons/fake-boss/?page=2", "/en/lessons/fake-boss/?page=2"),
        ("http://testserver/en/reminders/", "/en/reminders/"),
    ],
)
def test_safe_next_keeps_paths_of_this_site(target, expected):
    from quizzes.redirects import safe_next

    request = RequestFactory().post("/", {"next": target})

    assert safe_next(request, "/fallback/") == expected


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_large_text_switch_stays_on_the_site(client, target):
    by_field = client.post(reverse("quizzes:display"), {"next": target, "large_text": "1"})
    by_referer = client.post(
        reverse("quizzes:display"), {"large_text": "1"}, HTTP_REFERER=f"http://testserver{target}"
    )

    assert by_field["Location"] == reverse("quizzes:home")
    assert by_referer["Location"] in (reverse("quizzes:home"), f"{target}".strip())
    assert by_referer["Location"].startswith("/") and not by_referer["Location"].startswith("//")
    assert "\\" not in by_referer["Location"] and "\t" not in by_referer["Location"]


@pytest.mark.parametrize("target", ["/\t/evil.example/", "/\\evil.example/", "//evil.example/"])
def test_the_language_switch_stays_on_the_site(client, target):
    response = client.get("/i18n/switch/en/", HTTP_REFERER=f"http://testserver{target}")

    assert response["Location"] == "/en/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_log_in_never_sends_off_the_site(client, citizen_user, target):
    response = client.post(
        f"{LOGIN}?next=x", {"username": "meiling", "password": PASSWORD, "next": target}
    )

    assert response["Location"] == reverse("quizzes:progress")


def test_log_in_follows_a_next_path_of_this_site(client, citizen_user):
    response = client.post(LOGIN, {"username": "meiling", "password": PASSWORD, "next": "/en/"})

    assert response["Location"] == "/en/"


def test_the_admin_log_in_page_sends_officers_to_the_one_log_in(client):
    response = client.get("/admin/login/?next=//evil.example/")

    assert response["Location"] == "/en/accounts/login/?next=%2Fadmin%2F"
