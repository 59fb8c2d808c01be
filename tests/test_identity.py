"""What every citizen page carries: HEAD answers like GET, a description, the icons, who
runs the site and how to check it is genuine."""

import struct
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from quizzes.models import QuizRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen_pages(citizen, lesson):
    """Every page a citizen reads, with a run of their own."""
    citizen.post(reverse("quizzes:start-quiz", args=[lesson.slug]))
    run = QuizRun.objects.get()
    return [
        reverse("quizzes:home"),
        lesson.get_absolute_url(),
        reverse("quizzes:practice"),
        reverse("quizzes:progress"),
        reverse("quizzes:reminders"),
        reverse("quizzes:genuine"),
        reverse("quizzes:run-question", args=[run.public_id, 1]),
        reverse("quizzes:run-results", args=[run.public_id]),
        reverse("quizzes:account"),
        reverse("quizzes:account-email"),
        reverse("quizzes:recovery-codes"),
        reverse("quizzes:delete-my-data"),
        reverse("quizzes:my-data"),
        reverse("password_change"),
    ]


VISITOR_PAGES = ["quizzes:login", "quizzes:signup", "quizzes:recover", "password_reset"]


def test_head_answers_like_get_on_every_citizen_page(citizen, citizen_pages, client_factory):
    visitor = client_factory()
    pages = [(citizen, url) for url in citizen_pages]
    pages += [(visitor, reverse(name)) for name in VISITOR_PAGES]
    for client, url in pages:
        get = client.get(url)
        head = client.head(url)

        assert (url, head.status_code) == (url, get.status_code == 200 and 200)
        assert head["Content-Type"] == get["Content-Type"]
        assert head.content == b""


def test_head_never_starts_a_practice_run(visitor):
    visitor.head(reverse("quizzes:practice"))

    assert not QuizRun.objects.exists()


def test_every_citizen_page_has_a_description_and_the_icons(citizen, citizen_pages):
    for url in citizen_pages[:-2]:  # not the JSON download
        content = citizen.get(url).content.decode()

        assert '<meta name="description" content="' in content, url
        assert '<link rel="icon" href="/static/icons/favicon.' in content, url
        assert '<link rel="apple-touch-icon" href="/static/icons/apple-touch-icon.' in content


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("icons/apple-touch-icon.png", 180),
        ("icons/icon-192.png", 192),
        ("icons/icon-512.png", 512),
        ("icons/icon-maskable-512.png", 512),
    ],
)
def test_the_icons_have_their_sizes(name, size):
    assert png_size(finders.find(name)) == (size, size)


def test_the_favicon_is_our_own_svg():
    svg = Path(finders.find("icons/favicon.svg")).read_text(encoding="utf-8")

    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and "<script" not in svg


def test_the_footer_names_the_issuer_and_links_the_genuine_page(visitor, settings):
    settings.SITE_ISSUER = {
        "en": "the Anti-fraud Centre of Example City",
        "zh-hans": "示例市反诈中心",
    }

    english = visitor.get("/en/").content.decode()
    chinese = visitor.get("/zh-hans/").content.decode()

    assert "Run by the Anti-fraud Centre of Example City." in english
    assert '<a href="/en/genuine/">How to check this site is genuine</a>' in english
    assert "示例市反诈中心" in chinese


def test_the_genuine_page_says_what_the_site_never_asks(visitor, settings):
    settings.SITE_ADDRESS = "https://fangzha.example.gov.cn"

    content = visitor.get(reverse("quizzes:genuine")).content.decode()

    assert "How to check this site is genuine" in content
    assert "https://fangzha.example.gov.cn" in content
    assert "asks for your bank card number" in content
    assert content.count("<h1>") == 1


def test_the_issuer_defaults_to_an_honest_demo_label():
    assert django_settings.SITE_ISSUER["en"] == "a demonstration installation, not a police unit"
