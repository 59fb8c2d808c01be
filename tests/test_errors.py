"""Errors answer with our own pages and never show a stack trace."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(ROOT_URLCONF="tests.urls_failing", DEBUG=False)
def test_a_crash_shows_the_friendly_500_page(client):
    client.raise_request_exception = False

    response = client.get("/broken/")

    content = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in content
    assert "secret internal detail" not in content and "Traceback" not in content


def test_404_page(client):
    response = client.get("/en/lessons/no-such-lesson/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_400_for_a_bad_host(client):
    response = client.get("/en/", headers={"host": "evil.example.com"})

    assert response.status_code == 400
    assert "Something was wrong with that request" in response.content.decode()


def test_403_for_a_missing_csrf_token(lesson):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(f"/en/lessons/{lesson.slug}/quiz/")

    assert response.status_code == 403
    assert "Your form expired" in response.content.decode()


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_a_method_no_page_answers_gets_the_405_page_not_the_form_expired_one(lesson, method):
    """A script sending PUT or DELETE to a form's address is told the address does not
    work that way, in the visitor's language, before the CSRF check could say that a
    form expired."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(f"/zh-hans/lessons/{lesson.slug}/quiz/")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, POST"
    assert "这个页面不能这样打开" in response.content.decode()


def test_a_made_up_method_gets_the_405_page(client, lesson):
    response = client.generic("BREW", lesson.get_absolute_url())

    assert response.status_code == 405
    assert "This page cannot be used that way" in response.content.decode()


@override_settings(ROOT_URLCONF="tests.urls_failing", DEBUG=False)
def test_a_database_outage_shows_the_friendly_503_page(client):
    client.raise_request_exception = False

    response = client.get("/database-down/")

    content = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "The site is busy for a moment" in content
    assert "secret internal detail" not in content
