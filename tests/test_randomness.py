"""Random strings drawn with one system call (quizzes/randomness.py): CSRF tokens and
session keys, as strong as Django's and as Django checks them."""

import re
import secrets
import string
from collections import Counter

import pytest
from django.middleware import csrf
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from quizzes import randomness
from quizzes.models import Answer, QuizRun

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Draws:
    """Counts the calls for random bytes (``secrets.token_bytes``) and for one random
    character (``secrets.choice``, what Django's get_random_string calls per character)."""

    def __init__(self, monkeypatch):
        self.calls = Counter()
        for name in ("token_bytes", "choice"):
            monkeypatch.setattr(secrets, name, self.counting(name, getattr(secrets, name)))

    def counting(self, name, function):
        def call(*args, **kwargs):
            self.calls[name] += 1
            return function(*args, **kwargs)

        return call


def token_in(response):
    return TOKEN.search(response.content.decode()).group(1)


def test_a_question_pages_form_token_is_drawn_with_one_call_and_passes_djangos_check(
    lesson, monkeypatch
):
    browser = Client(enforce_csrf_checks=True)
    start = browser.post(
        reverse("quizzes:start-quiz", args=[lesson.slug]),
        {"csrfmiddlewaretoken": token_in(browser.get(lesson.get_absolute_url()))},
    )
    run = QuizRun.objects.get()
    question_url = start["Location"]
    browser.get(question_url)  # the page cache holds the page from now on
    draws = Draws(monkeypatch)

    page = browser.get(question_url)

    # The token's mask, and the page's CSP nonce; Django drew the mask with 32 choices.
    assert draws.calls == {"token_bytes": 2}
    token = token_in(page)
    assert len(token) == 2 * csrf.CSRF_SECRET_LENGTH
    assert set(token) <= set(csrf.CSRF_ALLOWED_CHARS)
    choice = run.run_questions.get(position=1).question.choices.first()
    tampered = token[:-1] + ("a" if token[-1] != "a" else "b")
    refused = browser.post(question_url, {"choice": choice.pk, "csrfmiddlewaretoken": tampered})
    assert refused.status_code == 403
    assert not Answer.objects.exists()
    answered = browser.post(question_url, {"choice": choice.pk, "csrfmiddlewaretoken": token})
    assert answered.status_code == 302
    assert Answer.objects.count() == 1


def test_django_draws_its_csrf_strings_with_it():
    assert csrf._get_new_csrf_string is randomness.csrf_string


def test_a_new_session_key_is_drawn_with_one_call(monkeypatch):
    from quizzes.sessions.db import new_session_key

    draws = Draws(monkeypatch)

    key = new_session_key()

    assert draws.calls == {"token_bytes": 1}
    assert len(key) == 32 and set(key) <= set(string.ascii_lowercase + string.digits)


@given(st.integers(min_value=0, max_value=200), st.sampled_from([string.digits, "ab", None]))
def test_a_random_string_has_its_length_and_only_characters_of_its_alphabet(length, alphabet):
    alphabet = alphabet or csrf.CSRF_ALLOWED_CHARS

    drawn = randomness.random_string(length, alphabet)

    assert len(drawn) == length
    assert set(drawn) <= set(alphabet)


def test_bytes_that_would_favour_the_first_characters_are_thrown_away(monkeypatch):
    """62 characters: a byte picks ``byte % 62``, and only bytes below 248 (four times 62)
    are used, so that every character has four bytes that pick it."""
    batches = iter([bytes([248, 255, 0, 61, 62, 247]), bytes([123] * 10)])
    monkeypatch.setattr(secrets, "token_bytes", lambda n: next(batches))

    drawn = randomness.random_string(5, csrf.CSRF_ALLOWED_CHARS)

    chars = csrf.CSRF_ALLOWED_CHARS
    assert drawn == chars[0] + chars[61] + chars[0] + chars[247 % 62] + chars[123 % 62]


def test_every_character_is_drawn_about_as_often():
    counts = Counter(randomness.random_string(62_000, csrf.CSRF_ALLOWED_CHARS))

    assert set(counts) == set(csrf.CSRF_ALLOWED_CHARS)
    # 1,000 expected each; a fair draw strays more than 20 % with odds far below 1e-9.
    assert all(800 < count < 1200 for count in counts.values())


@pytest.mark.parametrize("alphabet", ["", "x" * 257])
def test_an_alphabet_of_no_characters_or_more_than_a_byte_can_pick_is_refused(alphabet):
    with pytest.raises(ValueError):
        randomness.random_string(8, alphabet)
