"""The police workspace reads in Chinese: every page an officer reaches, rendered in
zh-hans, shows no English word the officer did not type."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from quizzes.models import OfficerSettings

from .conftest import PASSWORD, sign_in_officer
from .factories import (
    CaseFactory,
    LegalReferenceFactory,
    LessonStepFactory,
    QuestionFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

# Words that are the same in a Chinese interface: formats, protocols and product names.
ALLOWED = {"CSV", "JSON", "QR", "SMS", "URL", "ID", "YYYY", "MM", "DD", "Excel", "WPS", "App"}
VISIBLE_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}


# Not interface text: code, and what officers typed into the English fields.
SKIPPED = {"script", "style", "template", "textarea"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class VisibleText(HTMLParser):
    """The words a sighted or screen-reader user meets: text outside scripts and styles,
    labels in attributes, and the words on buttons. Text marked as English (``lang="en"``,
    the language switch) and officers' English entries are left out."""

    def __init__(self):
        super().__init__()
        self.parts, self.stack = [], []

    @property
    def hidden(self):
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skip = tag in SKIPPED or (attrs.get("lang") or "").startswith("en")
        if not skip and not self.hidden:
            self.parts += [attrs[a] or "" for a in VISIBLE_ATTRIBUTES if a in attrs]
            if tag == "input" and attrs.get("type") in ("submit", "button", "reset"):
                self.parts.append(attrs.get("value") or "")
        if tag not in VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        # Unclosed elements (<p>, <li>) close with the element that holds them.
        while tag in (name for name, _ in self.stack):
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def english_words(html, data=()):
    """English words on a page, minus what the officer typed (``data``)."""
    parser = VisibleText()
    parser.feed(html)
    text = " ".join(parser.parts)
    for typed in sorted(data, key=len, reverse=True):
        text = text.replace(typed, " ")
    words = {w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOWED}
    # An English plural glued to a Chinese name ("课程s") is a missing plural name.
    words |= set(re.findall(r"[\u4e00-\u9fff][A-Za-z]\b", text))
    return sorted(words)


@pytest.fixture
def workspace_pages(lesson):
    question = lesson.questions.first()
    LessonStepFactory(lesson=lesson)
    CaseFactory(lesson=lesson, source=SourceFactory())
    LegalReferenceFactory()
    QuestionFactory(lesson=lesson, slug="draft-one", position=9, status="draft")
    flag = lesson.red_flags.first()
    reminder = lesson.reminders.first()
    source = lesson.cases.first().source
    law = LegalReferenceFactory()
    pages = [reverse("admin:index"), reverse("admin:password_change")]
    for model, obj in (
        ("lesson", lesson),
        ("question", question),
        ("redflag", flag),
        ("reminder", reminder),
        ("legalreference", law),
        ("source", source),
    ):
        pages += [
            reverse(f"admin:quizzes_{model}_changelist"),
            reverse(f"admin:quizzes_{model}_add"),
            reverse(f"admin:quizzes_{model}_change", args=[obj.pk]),
            reverse(f"admin:quizzes_{model}_history", args=[obj.pk]),
        ]
    pages += [
        reverse("admin:quizzes_lesson_changelist") + "?needs_review=yes&status__exact=draft",
        reverse("admin:quizzes_question_changelist") + "?q=nothing",
        reverse("admin:app_list", args=["quizzes"]),
        reverse("admin:quizzes_statistics"),
        reverse("admin:quizzes_statistics") + "?start=2100-01-01&end=2000-01-01",
        reverse("admin:quizzes_import"),
        reverse("admin:quizzes_officer_settings"),
    ]
    return pages


# What the officer typed or the data holds in Latin letters: usernames, slugs, numbers.
DATA = [
    "officer-reviewer",
    "officer-author",
    "fake-courier",
    "off-platform",
    "draft-one",
    "law-",
    "q1",
    "q2",
    "q3",
]


def test_every_workspace_page_reads_in_chinese(client, reviewer_user, workspace_pages):
    sign_in_officer(client, reviewer_user)
    client.cookies["django_language"] = "zh-hans"

    found = {}
    for url in workspace_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        words = english_words(response.content.decode(), DATA)
        if words:
            found[url] = words

    assert found == {}, found


def test_an_officer_s_workspace_language_is_remembered(client, client_factory, author_user):
    sign_in_officer(client, author_user)

    response = client.post(
        reverse("admin:quizzes_workspace_language"),
        {"language": "zh-hans", "next": reverse("admin:quizzes_lesson_changelist")},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:quizzes_lesson_changelist")
    assert OfficerSettings.language_of(author_user) == "zh-hans"
    # Another device, no language cookie: the workspace is still in Chinese...
    other = sign_in_officer(client_factory(), author_user)
    page = other.get(reverse("admin:index")).content.decode()
    assert '<html lang="zh-hans"' in page
    assert 'lang="en">English</button>' in page
    # ...while the citizen pages keep their own language.
    assert '<html lang="en"' in other.get("/en/").content.decode()


def test_the_language_switch_refuses_an_unknown_language(client, author_user):
    sign_in_officer(client, author_user)

    response = client.post(reverse("admin:quizzes_workspace_language"), {"language": "xx"})

    assert response.status_code == 400
    assert not OfficerSettings.objects.exists()


def test_the_language_switch_is_a_form(client, author_user):
    sign_in_officer(client, author_user)

    assert client.get(reverse("admin:quizzes_workspace_language")).status_code == 405


def test_both_languages_sit_side_by_side_and_a_draft_needs_one(client, author_user, red_flag):
    sign_in_officer(client, author_user)
    client.cookies["django_language"] = "zh-hans"

    page = client.get(reverse("admin:quizzes_lesson_add")).content.decode()

    assert "form-multiline field-title_en field-title_zh_hans" in page
    assert '<label for="id_title_en">标题（英文）:</label>' in page
    assert '<label class="inline" for="id_title_zh_hans">标题（中文）:</label>' in page
    assert "您可以只用中文或只用英文保存草稿" in page
    assert 'type="checkbox" name="red_flags"' in page
    assert "Control" not in page


def test_import_findings_read_in_chinese(client, reviewer_user, lesson):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from quizzes.curriculum.bundle import export_bundle

    bundle = export_bundle()
    bundle["lessons"][0]["questions"][0]["red_flags"] = ["no-such-flag"]
    upload = SimpleUploadedFile("bundle.json", json.dumps(bundle).encode(), "application/json")
    sign_in_officer(client, reviewer_user)
    client.cookies["django_language"] = "zh-hans"

    response = client.post(reverse("admin:quizzes_import"), {"bundle": upload})

    assert response.status_code == 400
    assert "课程 fake-courier / 题目 q1：未知的危险信号" in response.content.decode()
    assert english_words(response.content.decode(), DATA) == []


@pytest.mark.parametrize(
    ("finding", "chinese"),
    [
        ("bundle version 99; this site reads 1", "课程包的版本是 99；本站读取版本 1。"),
        ("lesson x/step 2: empty in a language", "课程 x / 步骤 2：有一种语言是空的"),
        ("lesson x: note: no legitimate question", "课程 x：提示：没有真实（非诈骗）的题目"),
        ("something new", "something new"),
    ],
)
def test_checker_findings_are_translated(finding, chinese):
    from django.utils import translation

    from quizzes.curriculum_messages import translate_finding

    with translation.override("zh-hans"):
        assert translate_finding(finding) == chinese


def test_revision_pages_read_in_chinese(
    client, client_factory, lesson, author_user, reviewer_user
):
    from quizzes.models import Revision

    from .test_revisions import edit

    sign_in_officer(client, author_user)
    edit(client, "lesson", lesson.pk, title_zh_hans="冒充快递理赔（新）")
    client = sign_in_officer(client_factory(), reviewer_user)
    client.cookies["django_language"] = "zh-hans"
    pages = [
        reverse("admin:quizzes_revision_changelist"),
        Revision.objects.get().get_absolute_url(),
        reverse("admin:quizzes_import_changelist"),
    ]

    found = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        words = english_words(response.content.decode(), [*DATA, "Fake courier claims"])
        if words:
            found[url] = words

    assert found == {}, found


def test_every_model_names_its_plural_so_chinese_headings_get_no_latin_s():
    """Without a plural name Django adds "s" to the translated name: a heading of the
    conversation's turns read 「对话回合s」."""
    from django.apps import apps
    from django.utils import translation

    with translation.override("zh-hans"):
        for model in apps.get_app_config("quizzes").get_models():
            assert "verbose_name_plural" in model._meta.original_attrs, model.__name__
            plural = str(model._meta.verbose_name_plural)
            assert not re.search(r"[\u4e00-\u9fff]s$", plural), (model.__name__, plural)


def test_an_officer_who_signs_in_in_chinese_gets_e_mails_in_chinese(client, author_user):
    """The workspace's language setting starts empty; e-mails then went out in English
    to officers who only ever used the workspace in Chinese."""
    from quizzes.notifications import language_of

    client.post(
        "/zh-hans/accounts/login/", {"username": author_user.username, "password": PASSWORD}
    )

    assert OfficerSettings.language_of(author_user) == "zh-hans"
    assert language_of(author_user) == "zh-hans"
