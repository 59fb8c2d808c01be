"""An officer new to the workspace, in Chinese, in a real browser: from "my work" they
create a lesson with three steps and a question with three choices in both languages,
see the phone preview beside the form follow their typing, submit the lesson with its
question in one step, and a second officer approves both from their own "my work".
Every workspace page visited reads in Chinese and passes axe;
the test counts page loads and clicks and records the height of the forms.

The counts are printed (``-s``) and written to test-artifacts/workspace-officer.json.
"""

import json

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from quizzes.models import Lesson, OfficerSettings, Question, Status

from .browser import ARTIFACTS, open_page, screenshot
from .conftest import sign_in_officer
from .factories import RedFlagFactory
from .test_workspace_i18n import english_words

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1366, "height": 768}
AXE = Axe()
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
# What the officers type, and their names: the only Latin letters allowed on the pages.
TYPED = ["officer-author", "officer-reviewer", "+86 171 0000 2222"]


class Officer:
    """A browser tab that counts what the officer does: page loads, clicks (a field
    typed into counts as one click, as the officer clicks into it first)."""

    def __init__(
        self, browser, live_server, user, language="zh-hans", javascript=True, viewport=WIDE
    ):
        OfficerSettings.choose_language(user, language)
        client = sign_in_officer(Client(), user)
        self.page = open_page(browser, viewport, javascript=javascript)
        self.page.context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        self.url = live_server.url
        self.loads = self.clicks = 0
        self.axe_reports, self.english = [], {}
        self.page.on(
            "framenavigated",
            lambda frame: frame == self.page.main_frame and self._loaded(),
        )

    def _loaded(self):
        self.loads += 1

    def open(self, path):
        self.page.goto(self.url + path, wait_until="load")
        self.check()

    def settle(self):
        """Waits for the phone preview to catch up with the typing (its request starts
        half a second after the last key), as an officer glances at it before saving."""
        if self.page.locator(".phone-preview[hx-post]").count():
            self.page.wait_for_timeout(700)
            # htmx marks the element whose request is in flight.
            expect(self.page.locator(".htmx-request")).to_have_count(0, timeout=15_000)

    def click(self, selector, navigates=True):
        self.clicks += 1
        if navigates:
            self.settle()
            with self.page.expect_navigation(wait_until="load"):
                self.page.locator(selector).first.click()
            self.check()
        else:
            self.page.locator(selector).first.click()

    def fill(self, values):
        for name, value in values.items():
            self.clicks += 1
            self.page.locator(f'[name="{name}"]').fill(value)

    def check(self):
        """No English word and no axe violation on the page now shown."""
        # The preview writes in a savepoint it rolls back; the test's in-memory SQLite
        # database locks its tables for this thread meanwhile.
        self.settle()
        where = self.page.url.removeprefix(self.url)
        words = english_words(self.page.content(), TYPED + self.typed_latin())
        if words:
            self.english[where] = words
        results = AXE.run(self.page, options=AXE_OPTIONS)
        if results.violations_count:
            self.axe_reports.append(f"--- {where}\n{results.generate_report()}")

    def typed_latin(self):
        """What the officer typed in Latin letters, and the slugs made from it."""
        slugs = [*Lesson.objects.values_list("slug", flat=True)]
        slugs += Question.objects.values_list("slug", flat=True)
        return [t for t in [*LESSON.values(), *QUESTION.values()] if t.isascii()] + slugs

    def height(self):
        return self.page.evaluate("document.documentElement.scrollHeight")


LESSON = {
    "title_en": "Fake lottery calls",
    "title_zh_hans": "假冒彩票中奖电话",
    "summary_en": "A caller says you won and asks for a fee first.",
    "summary_zh_hans": "来电说你中奖了，却要你先交钱。",
    "steps-0-text_en": "A caller says you won a prize.",
    "steps-0-text_zh_hans": "来电说你中了奖。",
    "steps-1-text_en": "He asks for a tax or fee first.",
    "steps-1-text_zh_hans": "对方要你先交税费。",
    "steps-2-text_en": "After you pay, he disappears.",
    "steps-2-text_zh_hans": "你付钱后，对方就消失了。",
    "reminders-0-authority_en": "Shanghai Public Security Bureau",
    "reminders-0-authority_zh_hans": "上海市公安局",
    "reminders-0-text_en": "Real prizes never cost a fee.",
    "reminders-0-text_zh_hans": "真正的奖品不需要先交钱。",
}
QUESTION = {
    "sender_number": "+86 171 0000 2222",
    "body_en": "Congratulations! You won 50,000 yuan. Pay the 800 yuan tax today.",
    "body_zh_hans": "恭喜！你中了5万元大奖。请今天先交800元税款。",
    "prompt_en": "What do you do?",
    "prompt_zh_hans": "您会怎么做？",
    "explanation_en": "Prizes that cost money first are scams.",
    "explanation_zh_hans": "要先交钱的奖都是骗局。",
    "choices-0-text_en": "Pay the 800 yuan tax",
    "choices-0-text_zh_hans": "先交800元税款",
    "choices-0-feedback_en": "That money is gone.",
    "choices-0-feedback_zh_hans": "这笔钱就没了。",
    "choices-1-text_en": "Hang up, call 110",
    "choices-1-text_zh_hans": "挂断拨打110",
    "choices-1-feedback_en": "Right: real prizes cost nothing.",
    "choices-1-feedback_zh_hans": "对：真正的奖不用先交钱。",
    "choices-2-text_en": "Ask for the prize in cash",
    "choices-2-text_zh_hans": "要求对方现金发奖",
    "choices-2-feedback_en": "They will invent another fee.",
    "choices-2-feedback_zh_hans": "他们会再编出别的费用。",
}
SAVE_AND_CONTINUE = 'input[name="_continue"]'


@pytest.fixture
def roles():
    """The police groups: a transactional test before this one may have flushed the rows
    migrations 0002 and 0008 made."""
    from django.contrib.auth.models import Group, Permission

    from quizzes.roles import KIND_PERMISSIONS, ROLES

    for name, codenames in ROLES.values():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="quizzes",
            codename__in=[*codenames, *KIND_PERMISSIONS.get(name, [])],
        )
        group.permissions.set(permissions)


def workflow(action):
    return f'button[name="_workflow"][value="{action}"]'


def test_a_new_officer_authors_and_a_second_approves_in_chinese(
    browser, live_server, roles, author_user, reviewer_user
):
    flag = RedFlagFactory(title_en="Asks for money first", title_zh_hans="先要钱")
    author = Officer(browser, live_server, author_user)
    heights = {}

    # "My work" -> a new lesson with three steps and a reminder, both languages.
    author.open(reverse("admin:index"))
    screenshot(author.page, "workspace-home-zh")
    author.click('a[href$="/admin/quizzes/lesson/add/"]')
    heights["lesson form"] = author.height()
    author.fill(LESSON)
    author.click(f'input[name="red_flags"][value="{flag.pk}"]', navigates=False)
    author.click(SAVE_AND_CONTINUE)
    errors = author.page.locator(".errorlist").evaluate_all(
        "els => els.map(e => e.closest('.form-row, tr, fieldset').className)"
    )
    assert errors == []
    lesson = Lesson.objects.get(title_en="Fake lottery calls")
    assert [s.position for s in lesson.steps.all()] == [1, 2, 3]
    screenshot(author.page, "workspace-lesson-form-zh")

    # A question in this lesson: channel first, then only its fields; the phone preview
    # follows the typing before anything is saved.
    author.click('a[href*="/admin/quizzes/question/add/?lesson="]')
    author.click('a[href^="?channel=sms"]')
    heights["question form"] = author.height()
    author.fill(QUESTION)
    author.click(f'input[name="red_flags"][value="{flag.pk}"]', navigates=False)
    author.click('input[name="choices-1-is_correct"]', navigates=False)
    screen = author.page.frame_locator("#phone-screen iframe")
    expect(screen.locator("main")).to_contain_text("先交800元税款", timeout=10_000)
    expect(screen.locator("h1")).to_have_count(1)
    assert not Question.objects.filter(lesson=lesson).exists()  # the preview saved nothing
    screenshot(author.page, "workspace-question-form-live-preview-zh")
    author.click(SAVE_AND_CONTINUE)
    assert author.page.locator(".errornote, .errorlist").all_inner_texts() == []
    question = Question.objects.get(lesson=lesson)
    assert question.choices.count() == 3

    # Back to the lesson from "my drafts": submit it with its new question in one step.
    author.click('.workspace-nav a[href$="/admin/"]')
    author.click(f'#content-main a[href$="/admin/quizzes/lesson/{lesson.pk}/change/"]')
    assert author.page.locator(
        f'input[name="_with_questions"][value="{question.pk}"]'
    ).is_checked()
    author.click(workflow("submit"))
    messages = author.page.locator(".messagelist").all_inner_texts()
    lesson.refresh_from_db()
    question.refresh_from_db()
    assert (lesson.status, question.status) == (Status.REVIEW, Status.REVIEW), messages

    # A second officer approves the lesson, and the question with it, from "my work".
    reviewer = Officer(browser, live_server, reviewer_user)
    reviewer.open(reverse("admin:index"))
    assert "2 项待审核" in reviewer.page.locator(".workspace-nav").inner_text()
    reviewer.click(f'#content-main a[href$="/admin/quizzes/lesson/{lesson.pk}/change/"]')
    reviewer.click(workflow("approve"))
    lesson.refresh_from_db()
    question.refresh_from_db()
    assert (lesson.status, question.status) == (Status.PUBLISHED, Status.PUBLISHED)

    counts = {
        "author page loads": author.loads,
        "author clicks": author.clicks,
        "reviewer page loads": reviewer.loads,
        "reviewer clicks": reviewer.clicks,
        "page loads": author.loads + reviewer.loads,
        "clicks": author.clicks + reviewer.clicks,
        **{f"{name} height (px at 1366x768)": px for name, px in heights.items()},
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "workspace-officer.json").write_text(json.dumps(counts, indent=1))
    print(counts)
    assert author.english == {} and reviewer.english == {}
    assert "\n".join(author.axe_reports + reviewer.axe_reports) == ""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_workspace_screenshots(browser, live_server, roles, reviewer_user, lesson, language):
    """The home, the forms and the statistics at 1366x768 in both languages."""
    officer = Officer(browser, live_server, reviewer_user, language)
    question = lesson.questions.first()
    for name, path in [
        ("home", reverse("admin:index")),
        ("lesson-form", reverse("admin:quizzes_lesson_add")),
        ("question-form", reverse("admin:quizzes_question_change", args=[question.pk])),
        ("statistics", reverse("admin:quizzes_statistics")),
    ]:
        officer.open(path)
        if name.endswith("form"):  # the phone preview arrives after the page
            screen = officer.page.frame_locator("#phone-screen iframe")
            screen.locator("h1").wait_for()
        screenshot(officer.page, f"workspace-{name}-{language}")
    if language == "zh-hans":
        assert officer.english == {}
    assert "\n".join(officer.axe_reports) == ""


def test_the_phone_preview_fits_an_officers_phone(
    browser, live_server, roles, reviewer_user, lesson
):
    """On a 360-pixel phone the question form and its phone preview do not make the page
    scroll sideways: the preview's frame shrinks to the screen."""
    officer = Officer(browser, live_server, reviewer_user, viewport={"width": 360, "height": 800})
    question = lesson.questions.first()
    officer.open(reverse("admin:quizzes_question_change", args=[question.pk]))
    frame = officer.page.locator("#phone-screen iframe")
    frame.wait_for()

    width = officer.page.evaluate("document.documentElement.clientWidth")
    assert officer.page.evaluate("document.documentElement.scrollWidth") <= width
    assert frame.bounding_box()["width"] <= width
    screenshot(officer.page, "workspace-question-form-360")


def test_an_officer_reorders_a_conversation_by_keyboard_without_javascript(
    browser, live_server, roles, author_user, conversation_lesson
):
    """The move buttons are the form's own buttons: found by a screen reader under the
    row they move, pressed with Enter, with JavaScript off; the page comes back at the
    row that moved, so the next Tab reaches its buttons again. axe, a script, checks the
    page with JavaScript on."""
    question = conversation_lesson.questions.get()
    question.status = Status.DRAFT
    question.save(update_fields=["status"])
    url = live_server.url + reverse("admin:quizzes_question_change", args=[question.pk])
    page = Officer(browser, live_server, author_user, javascript=False).page
    page.goto(url, wait_until="load")

    page.get_by_role("button", name="下移 opening", exact=True).focus()
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")

    assert page.url == url + "#turns-1"
    turns = question.turns.order_by("position").values_list("key", flat=True)
    assert list(turns) == ["safe-account", "opening"]
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="上移 opening", exact=True)).to_be_focused()
    assert page.csp_errors == []
    with_script = Officer(browser, live_server, author_user)
    with_script.open(reverse("admin:quizzes_question_change", args=[question.pk]))
    assert "\n".join(with_script.axe_reports) == ""
