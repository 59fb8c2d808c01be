"""The question kinds in a real browser, with and without JavaScript, both languages:
tap the red flags answered with a hit, a miss and a false alarm; axe on every state."""

import pytest

from .browser import PHONE, in_view, open_page, screenshot
from .test_accessibility import check_both_sizes, start_quiz


def check(page, name, lang, javascript):
    """axe at both sizes with JavaScript (axe is a script); a screenshot without."""
    if javascript:
        return check_both_sizes(page, name, lang)
    screenshot(page, f"{name}-{lang}-390")
    return []


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("lang", "javascript"),
    [("en", True), ("zh-hans", True), ("en", False)],
    ids=["en-js", "zh-js", "en-no-js"],
)
def test_spot_question_hit_miss_and_false_alarm(
    browser, live_server, spot_lesson, lang, javascript
):
    page = open_page(browser, PHONE, javascript=javascript)
    start_quiz(page, live_server, lang, spot_lesson)
    assert page.locator("input[name=spot]").count() == 3
    reports = check(page, "spot-question", lang, javascript)
    page.set_viewport_size(PHONE)

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
    reports += check(page, "spot-feedback", lang, javascript)
    assert not reports, "\n".join(reports)
    assert page.csp_errors == []
    page.context.close()


@pytest.mark.parametrize(
    ("lang", "javascript"), [("en", True), ("zh-hans", False)], ids=["en-js", "zh-no-js"]
)
def test_conversation_played_to_a_loss(
    browser, live_server, conversation_lesson, lang, javascript
):
    page = open_page(browser, PHONE, javascript=javascript)
    start_quiz(page, live_server, lang, conversation_lesson)
    assert page.locator("input[name=reply]").count() == 2
    reports = check(page, "conversation-turn", lang, javascript)
    page.set_viewport_size(PHONE)
    if javascript:
        page.evaluate("window.notReloaded = true")

    page.locator("input[name=reply]").first.check()
    page.locator("#answer-area button[type=submit]").click()
    page.locator(".conversation li.mine").wait_for()
    assert page.locator(".conversation li").count() == 3  # the opening, my reply, the next
    if javascript:
        assert page.evaluate("window.notReloaded") is True  # swapped in, as a chat would
    page.locator("input[name=reply]").first.check()
    page.locator("#answer-area button[type=submit]").click()
    page.locator("#feedback").wait_for()

    assert page.locator(".walk-back li").count() == 2
    assert page.locator(".walk-back .spot-missed").count() == 2
    assert in_view(page), "the way on is in view without scrolling"
    reports += check(page, "conversation-ending", lang, javascript)
    assert not reports, "\n".join(reports)
    assert page.csp_errors == []
    page.context.close()


@pytest.mark.parametrize(
    ("lang", "javascript"), [("en", False), ("zh-hans", True)], ids=["en-no-js", "zh-js"]
)
def test_conversation_hung_up_at_once_is_safe(
    browser, live_server, conversation_lesson, lang, javascript
):
    page = open_page(browser, PHONE, javascript=javascript)
    start_quiz(page, live_server, lang, conversation_lesson)

    page.locator("input[name=reply]").nth(1).check()
    page.locator("#answer-area button[type=submit]").click()
    page.locator("#feedback").wait_for()

    assert page.locator(".feedback-right").is_visible()
    assert in_view(page)
    assert page.locator(".walk-back .spot-missed").count() == 0
    page.reload()  # resumable: the ending stays
    assert page.locator(".feedback-right").is_visible()
    page.context.close()
