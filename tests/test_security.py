"""Security settings on real responses, and authored content that cannot run script."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from quizzes.models import Case, Choice, Lesson, LessonStep, Question, RedFlag, Reminder

from .factories import CaseFactory, LessonStepFactory, QuestionFactory, ReminderFactory

pytestmark = pytest.mark.django_db

PRODUCTION_ENV = {
    "SECRET_KEY": "a" * 20 + "production-secret-key-for-the-check-only" + "z" * 10,
    "DEBUG": "0",
    "HTTPS": "1",
    "NUM_PROXIES": "1",
    "ALLOWED_HOSTS": "fangzha.example.org",
    "EMAIL_HOST": "smtp.example.org",
}


def run_manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )


def test_deploy_check_is_clean_with_production_settings():
    env = {k: v for k, v in PRODUCTION_ENV.items()}
    result = run_manage("check", "--deploy", env={**env, "DATABASE_URL": ""})

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize("key", ["", "change-me"])
def test_the_app_refuses_to_start_without_a_real_secret_key(key):
    result = run_manage("check", env={"SECRET_KEY": key, "DEBUG": "0"})

    assert result.returncode != 0
    assert "Set SECRET_KEY to a long random string" in result.stderr


def test_a_bad_setting_value_stops_the_app():
    result = run_manage("check", env={"SECRET_KEY": "x" * 50, "HTTPS": "maybe"})

    assert result.returncode != 0
    assert "HTTPS must be a boolean" in result.stderr


HTTPS_SETTINGS = {
    "SECURE_SSL_REDIRECT": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
}


@override_settings(**HTTPS_SETTINGS)
def test_https_responses_carry_the_security_headers(client, lesson):
    response = client.get(lesson.get_absolute_url(), secure=True)

    assert response["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@override_settings(**HTTPS_SETTINGS)
def test_plain_http_is_redirected_and_cookies_are_secure(client, lesson):
    assert client.get(lesson.get_absolute_url())["Location"].startswith("https://")

    response = client.post(reverse("quizzes:start-quiz", args=[lesson.slug]), secure=True)

    assert response.cookies["sessionid"]["secure"] is True
    assert response.cookies["sessionid"]["httponly"] is True


def test_the_content_security_policy_is_strict(client, lesson):
    nonces = set()
    for _ in range(2):  # the second page comes from the page cache
        response = client.get(lesson.get_absolute_url())

        policy = response["Content-Security-Policy"]
        assert "default-src 'none'" in policy
        assert re.search(r"script-src 'self' 'nonce-[\w+/=-]+'", policy)
        assert "style-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        content = response.content.decode()
        nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
        scripts = re.findall(r"<script[^>]*>", content)
        assert scripts and all(f'nonce="{nonce}"' in tag and "src=" in tag for tag in scripts)
        assert " style=" not in content and "<style" not in content
        nonces.add(nonce)

    assert len(nonces) == 2


def test_the_policy_built_once_is_the_one_django_builds(client, lesson):
    from django.utils.csp import CSP, build_policy

    from quizzes.csp import policy

    assert policy(settings.SECURE_CSP, None) == build_policy(settings.SECURE_CSP)
    assert policy(settings.SECURE_CSP, "abc") == build_policy(settings.SECURE_CSP, "abc")

    stricter = {**settings.SECURE_CSP, "img-src": [CSP.SELF]}
    report_only = {"default-src": [CSP.SELF]}
    with override_settings(SECURE_CSP=stricter, SECURE_CSP_REPORT_ONLY=report_only):
        response = client.get(lesson.get_absolute_url())
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert response["Content-Security-Policy"] == build_policy(stricter, nonce)
    assert response["Content-Security-Policy-Report-Only"] == "default-src 'self'"

    response = client.get(lesson.get_absolute_url())
    assert "img-src 'self' data:" in response["Content-Security-Policy"]
    assert "Content-Security-Policy-Report-Only" not in response


def test_htmx_needs_neither_eval_nor_inline_styles(client, lesson):
    content = client.get(lesson.get_absolute_url()).content.decode()

    assert '"allowEval": false' in content
    assert '"includeIndicatorStyles": false' in content


ATTACKS = [
    "<script>alert('xss')</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_nothing_an_author_types_runs_in_a_citizens_browser(client, red_flag, attack):
    lesson = Lesson.objects.create(slug="attack", position=99, status="published")
    lesson.red_flags.add(red_flag)
    reminder = ReminderFactory(lesson=lesson, slug="attack-1")
    LessonStepFactory(lesson=lesson)
    CaseFactory(lesson=lesson)
    question = QuestionFactory(lesson=lesson, reminder=reminder, link="x", qr_payload="x")
    for model, obj in [
        (Lesson, lesson),
        (RedFlag, red_flag),
        (Reminder, reminder),
        (LessonStep, lesson.steps.get()),
        (Case, lesson.cases.get()),
        (Question, question),
    ]:
        for field in model._meta.concrete_fields:
            if field.get_internal_type() in ("CharField", "TextField") and field.name not in (
                "slug",
                "status",
                "channel",
                "kind",
                "direction",
                "surface",
                "occurred",
            ):
                setattr(obj, field.attname, attack[: field.max_length or None])
        obj.save()
    for choice in question.choices.all():
        choice.text_en = choice.feedback_en = attack
        choice.save()

    pages = [client.get(lesson.get_absolute_url()), client.get(reverse("quizzes:reminders"))]
    run = client.post(reverse("quizzes:start-quiz", args=[lesson.slug]))
    pages.append(client.get(run["Location"]))
    client.post(run["Location"], {"choice": question.choices.first().pk})
    pages.append(client.get(run["Location"]))
    pages.append(client.get(reverse("quizzes:home")))

    for response in pages:
        content = response.content.decode()
        assert "<script>alert" not in content
        assert "onerror=" not in content.replace("onerror=&quot;", "")
        assert 'href="javascript:' not in content
        assert "&lt;script&gt;" in content or "&lt;img" in content or "&lt;a href" in content
    assert Choice.objects.filter(feedback_en=attack).exists()
