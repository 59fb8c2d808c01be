"""What a citizen's try-out on a small phone found, pinned in a real browser.

- With JavaScript, checking a tap-the-red-flag answer with nothing tapped shows the
  error message (htmx swaps in a 400 answer area), instead of doing nothing at all.
- In a chat mockup the back arrow never covers the contact's name at 360 px.
"""

import pytest

from .browser import open_page
from .factories import LessonFactory, QuestionFactory
from .test_accessibility import start_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 360, "height": 740}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_checking_a_spot_answer_with_nothing_tapped_says_why(
    browser, live_server, spot_lesson, javascript
):
    page = open_page(browser, NARROW, javascript=javascript)
    start_quiz(page, live_server, "en", spot_lesson)
    page.locator("#answer-area button[type=submit]").click()
    error = page.locator("#answer-area .error[role=alert]")
    error.wait_for()
    assert "Mark at least one part" in error.inner_text()
    assert page.locator("input[name=spot]").count() == 3  # still answerable
    assert page.csp_errors == []
    page.context.close()


def test_chat_back_arrow_does_not_cover_a_long_name(browser, live_server, red_flag):
    lesson = LessonFactory(slug="chat-head", red_flags=[red_flag])
    QuestionFactory(
        lesson=lesson,
        channel="chat",
        sender_name="Refund Specialist Xiao Zhou of the Customer Care Team",
        sender_number="",
        body_en="Agent: Hello, I am handling your refund.",
        red_flags=[red_flag],
    )
    page = open_page(browser, NARROW)
    start_quiz(page, live_server, "en", lesson)
    arrow = page.locator(".chat-head .back").bounding_box()
    name = page.locator(".chat-head .sender-name").bounding_box()
    assert arrow["x"] + arrow["width"] <= name["x"], (arrow, name)
    page.context.close()


def test_home_lesson_cards_use_the_full_width(browser, live_server, red_flag):
    """The chat mockup's .card rule (a two-column grid) once squeezed each lesson's title
    on the home page into a 2rem column, a letter or two a line."""
    LessonFactory(slug="qr-trojans", title_en="QR codes that plant trojans", red_flags=[red_flag])
    page = open_page(browser, NARROW)
    page.goto(f"{live_server.url}/en/")
    card = page.locator(".cards > .card").first.bounding_box()
    title = page.locator(".cards > .card h3").first.bounding_box()
    assert title["width"] > card["width"] * 0.8, (card, title)
    page.context.close()
