"""The question kinds in a real browser, with and without JavaScript, both languages, on
a phone (390×844) and a desktop (1280×800): tap the red flags answered with a hit, a miss
and a false alarm; a conversation played to each kind of ending, in one thread; a QR code
on each surface. axe on every state with JavaScript; screenshots in test-artifacts/."""

import pytest

from .browser import DESKTOP, PHONE, in_view, open_page, screenshot
from .factories import LessonFactory, QuestionFactory
from .test_accessibility import (
    assert_no_horizontal_scroll,
    axe_violations,
    check_both_sizes,
    start_quiz,
)

SIZES = {"390": PHONE, "1280": DESKTOP}
LANGS = {"en": "en", "zh": "zh-hans"}


def runs(*names):
    """Parameters from names such as "zh-nojs-1280": language, JavaScript, screen size.
    Each test takes a few of the eight combinations, so that together they cover both
    languages with and without JavaScript at both sizes, without running all of them."""
    params = []
    for name in names:
        lang, js, width = name.split("-")
        params.append(pytest.param(LANGS[lang], js == "js", SIZES[width], id=name))
    return pytest.mark.parametrize(("lang", "javascript", "size"), params)


def check(page, name, lang, javascript, size):
    """On a phone with JavaScript, axe at both sizes (axe is a script) and a screenshot of
    each; otherwise a screenshot at this size (the same state was checked by axe in the
    phone run of the same test). The page is left at ``size``."""
    if javascript and size == PHONE:
        reports = check_both_sizes(page, name, lang)
        page.set_viewport_size(size)
        return reports
    suffix = "" if javascript else "-no-js"
    screenshot(page, f"{name}-{lang}-{size['width']}{suffix}-flow")
    return []


def reply(page, nth):
    """Pick the nth reply to the turn and send it: the next turn (or the ending) comes
    in place with JavaScript, as a new page without."""
    page.locator("input[name=reply]").nth(nth).check()
    page.locator("#answer-area button[type=submit]").click()


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@runs("en-js-390", "zh-js-390", "en-nojs-390", "zh-nojs-1280", "en-js-1280")
def test_spot_question_hit_miss_and_false_alarm(
    browser, live_server, spot_lesson, lang, javascript, size
):
    page = open_page(browser, size, javascript=javascript)
    start_quiz(page, live_server, lang, spot_lesson)
    assert page.locator("input[name=spot]").count() == 3
    reports = check(page, "spot-question", lang, javascript, size)

    # A false alarm (the greeting) and a hit (the deadline), by tap and by keyboard.
    page.locator(".spot").nth(0).click()
    page.locator("input[name=spot]").nth(1).focus()
    page.keyboard.press("Space")  # the keyboard toggles a part too
    assert page.locator("input[name=spot]:checked").count() == 2
    page.locator("#answer-area button[type=submit]").click()
    page.locator("#feedback").wait_for()

    assert in_view(page), "the way on is in view without scrolling"
    assert page.locator(".spot-found").count() == 1
    assert page.locator(".spot-missed").count() == 1
    assert page.locator(".spot-false").count() == 1
    assert page.locator(".spot-mark.spot-flag").count() == 2
    reports += check(page, "spot-feedback", lang, javascript, size)
    assert not reports, "\n".join(reports)
    assert page.csp_errors == []
    page.context.close()


@runs("en-js-390", "zh-nojs-390", "en-nojs-1280", "zh-js-1280")
def test_conversation_played_to_a_loss(
    browser, live_server, conversation_lesson, lang, javascript, size
):
    page = open_page(browser, size, javascript=javascript)
    start_quiz(page, live_server, lang, conversation_lesson)
    assert page.locator("input[name=reply]").count() == 2
    # axe reads the thread after a reply (below), which holds everything this page does.
    screenshot(page, f"conversation-turn-{lang}-{size['width']}{'' if javascript else '-no-js'}")
    if javascript:
        page.evaluate("window.notReloaded = true")

    reply(page, 0)
    page.locator(".transcript li.mine").wait_for()
    # One call from the first line to the turn to answer now: the opening, the first
    # turn, my reply, the next turn; then the replies below it.
    thread = page.locator("figure .transcript li")
    assert thread.count() == 4
    assert page.locator("figure").count() == 1
    assert "now" in thread.nth(3).get_attribute("class")
    if javascript:
        assert page.evaluate("window.notReloaded") is True  # swapped in, as a chat would
    reports = check(page, "conversation-thread", lang, javascript, size)
    reply(page, 0)
    page.locator("#feedback").wait_for()

    assert page.locator(".walk-back li").count() == 2
    assert page.locator(".walk-back .spot-missed").count() == 2
    assert page.locator("figure .transcript li.mine").count() == 2  # both replies kept
    assert in_view(page), "the way on is in view without scrolling"
    reports += check(page, "conversation-ending", lang, javascript, size)
    assert not reports, "\n".join(reports)
    assert page.csp_errors == []
    page.context.close()


@runs("zh-js-390", "en-nojs-1280")
def test_conversation_reading_out_the_code_leaves_the_learner_exposed(
    browser, live_server, conversation_lesson, code_reply, lang, javascript, size
):
    page = open_page(browser, size, javascript=javascript)
    start_quiz(page, live_server, lang, conversation_lesson)

    reply(page, 0)
    page.locator("input[name=reply]").nth(2).wait_for()
    reply(page, 2)  # "The code is 402193."
    page.locator("#feedback").wait_for()

    assert page.locator(".feedback-wrong").is_visible()
    assert page.locator(".loss").count() == 0  # partly exposed: no amount lost
    assert page.locator(".walk-back .spot-missed").count() == 2
    assert_no_horizontal_scroll(page, "the exposed ending")
    reports = check(page, "conversation-exposed", lang, javascript, size)
    assert not reports, "\n".join(reports)
    page.reload()  # resumable: the ending stays
    assert page.locator(".feedback-wrong").is_visible()
    page.context.close()


@runs("en-nojs-390", "zh-js-390", "zh-nojs-1280", "en-js-1280")
def test_conversation_hung_up_at_once_is_safe(
    browser, live_server, conversation_lesson, lang, javascript, size
):
    page = open_page(browser, size, javascript=javascript)
    start_quiz(page, live_server, lang, conversation_lesson)

    reply(page, 1)
    page.locator("#feedback").wait_for()

    assert page.locator(".feedback-right").is_visible()
    assert in_view(page)
    assert page.locator(".walk-back .spot-missed").count() == 0
    page.reload()  # resumable: the ending stays
    assert page.locator(".feedback-right").is_visible()
    page.context.close()


def test_a_qr_code_on_a_poster_a_sticker_and_a_parcel(browser, live_server, red_flag):
    lang = "zh-hans"  # the longer layout; the English captions are tested without a browser
    lesson = LessonFactory(slug="qr-surfaces", red_flags=[red_flag])
    for position, surface in enumerate(["poster", "sticker", "parcel"], start=1):
        QuestionFactory(
            lesson=lesson,
            slug=f"qr-{surface}",
            position=position,
            channel="qr",
            surface=surface,
            sender_name="Table 12" if surface == "sticker" else "Courier card",
            qr_payload="http://kd-lipei.top/claim",
            red_flags=[red_flag],
        )
    page = open_page(browser, PHONE)
    start_quiz(page, live_server, lang, lesson)
    reports = []
    for surface in ["poster", "sticker", "parcel"]:
        assert page.locator(f".qr-on-{surface} .qr svg").is_visible()
        assert_no_horizontal_scroll(page, f"the QR code on a {surface}")
        reports += check_both_sizes(page, f"question-qr-{surface}", lang)
        page.set_viewport_size(PHONE)
        page.locator("input[name=choice]").first.check()
        page.locator("#answer-area button[type=submit]").click()
        page.locator("#feedback").wait_for()
        page.locator(".next a").click()
    assert not reports, "\n".join(reports)
    assert page.csp_errors == []
    page.context.close()


@runs("en-nojs-390", "zh-nojs-390")
def test_a_reply_from_a_stale_tab_is_refused_where_the_page_opens(
    browser, live_server, conversation_lesson, lang, javascript, size
):
    """Two tabs on the same turn: a reply in one, another in the other. Without
    JavaScript the second page opens at its top, so the refusal is said there, with a
    link down to the turn to answer now."""
    page = open_page(browser, size, javascript=javascript)
    start_quiz(page, live_server, lang, conversation_lesson)
    stale = page.context.new_page()
    stale.set_viewport_size(size)
    stale.goto(page.url)

    reply(page, 0)
    page.locator("#answer-area").wait_for()
    stale.locator("input[name=reply]").nth(1).check()
    with stale.expect_navigation():
        stale.locator("#answer-area button[type=submit]").click()

    assert in_view(stale, "#answer-error")
    screenshot(stale, f"conversation-stale-reply-{lang}-{size['width']}-no-js")
    stale.locator("#answer-error a").click()
    assert in_view(stale, "#reply-form button[type=submit]")
    page.context.close()


NARROW = {"width": 360, "height": 740}


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_after_a_reply_the_next_tab_reaches_the_new_replies(
    browser, live_server, chat_lesson, lang
):
    """htmx swaps the next turn in: the focus stays in the conversation (not on the
    page's body, from where Tab went to the footer), and at the ending on its verdict."""
    page = open_page(browser, NARROW)
    start_quiz(page, live_server, lang, chat_lesson)
    page.locator("input[name=choice]").first.check()
    page.locator("#answer-area button[type=submit]").click()
    page.locator(".feedback .next a").click()  # the chat's own page

    reply(page, 0)
    page.locator(".chat-line.mine").wait_for()
    page.wait_for_function("() => document.activeElement.closest('#answer-area') !== null")
    assert in_view(page, ":focus")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "reply"
    report = axe_violations(page, f"chat after a reply /{lang}/ at 360 px")
    assert not report, report

    reply(page, 1)  # "I am hanging up."
    page.wait_for_function("() => document.activeElement.id === 'feedback'")
    assert page.csp_errors == []
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_nothing_marked_is_said_where_the_learner_is(browser, live_server, spot_lesson, lang):
    """Nothing ticked, then "Check my answer" at the foot of the message: the error
    comes into view and takes the focus."""
    page = open_page(browser, NARROW)
    start_quiz(page, live_server, lang, spot_lesson)
    page.locator("#answer-area button[type=submit]").click()

    page.wait_for_function("() => document.activeElement.id === 'answer-error'")
    assert in_view(page, "#answer-error")
    report = axe_violations(page, f"spot question refused /{lang}/ at 360 px")
    assert not report, report
    page.locator(".spot").nth(2).click()  # then answered from there
    page.locator("#answer-area button[type=submit]").click()
    page.locator("#feedback").wait_for()
    page.context.close()


def test_nothing_marked_swaps_the_error_in_with_debug_on(
    browser, live_server, spot_lesson, settings
):
    """With DEBUG on, django-htmx shows an error response as the whole page; a refused
    answer is not an error of the site, and comes in its place as with DEBUG off."""
    settings.DEBUG = True
    page = open_page(browser, NARROW)
    start_quiz(page, live_server, "en", spot_lesson)
    assert page.locator("script[src*=django-htmx]").count() == 1
    page.locator("#answer-area button[type=submit]").click()

    page.wait_for_function("() => document.activeElement.id === 'answer-error'")
    assert page.locator("h1").count() == 1  # the page around it is still there
    page.context.close()
