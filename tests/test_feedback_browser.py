"""The feedback page on a phone (390 x 844), both languages, JavaScript on and off: the
verdict and the way on in view without scrolling after answering, the rest folded under
disclosures; without JavaScript the next question is answered from the same page."""

import pytest

from .browser import PHONE, in_view, open_page, screenshot
from .test_accessibility import axe_violations, start_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check_my_answer(page, form="#answer-area"):
    page.locator(f"{form} input[name=choice]").first.check()  # the wrong answer
    page.locator(f"{form} button[type=submit]").click()
    page.locator("#feedback").wait_for()


@pytest.mark.parametrize(
    ("lang", "javascript"),
    [("en", True), ("zh-hans", True), ("en", False), ("zh-hans", False)],
    ids=["en-js", "zh-js", "en-no-js", "zh-no-js"],
)
def test_after_answering_the_way_on_is_in_view(browser, live_server, lesson, lang, javascript):
    page = open_page(browser, PHONE, javascript=javascript)
    start_quiz(page, live_server, lang, lesson)

    check_my_answer(page)

    assert in_view(page), page.locator(".feedback .next a").bounding_box()
    assert in_view(page, "#feedback")
    assert page.locator(".feedback details.more").count() == 4
    # The better choice stands open after a wrong answer; the rest wait to be opened.
    assert page.locator(".feedback details.more[open] p").first.is_visible()
    assert page.locator(".feedback details.more:not([open])").count() == 3
    folded = page.locator(".feedback details.more").nth(1)  # why this was a scam
    assert not folded.locator("p").first.is_visible()  # folded until opened
    if javascript:
        assert page.evaluate("document.activeElement.id") == "feedback"
        report = axe_violations(page, f"feedback /{lang}/ at 390 px")
        folded.locator("summary").focus()
        page.keyboard.press("Enter")  # a disclosure opens from the keyboard
        assert folded.locator("p").first.is_visible()
        page.reload()  # the whole feedback page, carrying the next question
        assert page.locator(".next-question form.answer-form").count() == 1
        report += axe_violations(page, f"feedback page /{lang}/ at 390 px")
        assert not report, report
    else:
        # The next question is on this page: its link moves down to it, and the
        # answer from there lands on that question's feedback.
        page.locator(".feedback .next a").click()
        assert page.url.endswith("/1/#q2")
        assert in_view(page, "#q2")
        with page.expect_navigation():
            check_my_answer(page, form=".next-question")
        assert page.url.endswith("/2/#feedback")
        assert in_view(page)
    screenshot(page, f"feedback-{lang}-{'js' if javascript else 'no-js'}-390")
    assert page.csp_errors == []
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_a_carried_conversation_looks_as_on_its_own_page(browser, live_server, chat_lesson, lang):
    """Without JavaScript the feedback page carries the next question, a chat here: its
    first message is in the chat's window, drawn as on the chat's own page."""
    page = open_page(browser, {"width": 360, "height": 740}, javascript=False)
    start_quiz(page, live_server, lang, chat_lesson)
    with page.expect_navigation():
        check_my_answer(page)

    carried = page.locator(".next-question figure").evaluate("figure => figure.outerHTML")
    assert page.locator(".next-question .chat-line.now").count() == 1
    page.goto(page.url.replace("/1/", "/2/").split("#")[0])
    assert page.locator("#answer-area figure").evaluate("figure => figure.outerHTML") == carried
    page.context.close()
