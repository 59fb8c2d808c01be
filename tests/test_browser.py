"""Journeys in a real browser (Debian's Chromium through Playwright)."""

import pytest
from django.urls import reverse

from quizzes.models import Answer, Learner

from .browser import PHONE, open_page, screenshot
from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_home_and_a_lesson_on_a_phone(browser, live_server, lesson):
    page = open_page(browser, PHONE)

    page.goto(live_server.url + reverse("quizzes:home"))
    assert page.locator("h1").inner_text() == "Learn to spot telecom and online scams"
    assert no_horizontal_scroll(page)
    screenshot(page, "home-phone")

    page.get_by_role("link", name="Fake courier claims").first.click()
    assert page.locator("h1").inner_text() == "Fake courier claims"
    assert page.get_by_role("button", name="Take the quiz").first.is_visible()
    assert no_horizontal_scroll(page)
    screenshot(page, "lesson-phone")
    assert page.csp_errors == []


def answer(page, label):
    page.get_by_label(label).check()
    page.get_by_role("button", name="Check my answer").click()


def test_quiz_with_javascript_then_sign_up_keeps_progress(browser, live_server, lesson):
    page = open_page(browser, PHONE)
    page.goto(live_server.url + lesson.get_absolute_url())
    page.get_by_role("button", name="Take the quiz").first.click()
    assert page.locator("h1").inner_text() == "Question 1 of 3"
    page.evaluate("window.notReloaded = true")

    answer(page, "Add the account")

    feedback = page.locator("#feedback")
    feedback.wait_for()
    assert feedback.inner_text() == "Not quite."
    assert page.evaluate("window.notReloaded") is True  # swapped in, no page load
    assert page.evaluate("document.activeElement.id") == "feedback"
    assert page.locator("#quiz-status").inner_text() == "Not quite."
    screenshot(page, "feedback-phone")

    for expected in ("Question 2 of 3", "Question 3 of 3"):
        page.get_by_role("link", name="Next question").click()
        assert page.locator("h1").inner_text() == expected
        answer(page, "Call the courier")
        page.locator("#feedback").wait_for()
    page.get_by_role("link", name="See your results").click()
    assert "You got 2 of 3 right." in page.locator("main").inner_text()

    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Username").fill("grandma-li")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    assert page.locator("h1").inner_text() == "My progress"
    assert "You have completed 1 lesson." in page.locator("main").inner_text()
    assert Answer.objects.filter(run__learner__user__username="grandma-li").count() == 3
    assert Learner.objects.count() == 1
    assert page.csp_errors == []


def test_quiz_without_javascript(browser, live_server, lesson):
    page = open_page(browser, PHONE, javascript=False)
    page.goto(live_server.url + lesson.get_absolute_url())
    page.get_by_role("button", name="Take the quiz").first.click()

    answer(page, "Call the courier")

    assert page.url.endswith("/1/#feedback")
    assert page.locator("#feedback").inner_text() == "Right."
    page.get_by_role("link", name="Next question").click()
    # The feedback page carries the next question: the link moves down to it.
    assert page.url.endswith("/1/#q2")
    assert page.get_by_role("heading", name="Question 2 of 3", level=2).is_visible()
    assert Answer.objects.count() == 1


def header_height(page):
    return page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height")


def test_a_short_header_with_a_menu_and_large_text_without_javascript(
    browser, live_server, lesson
):
    page = open_page(browser, PHONE, javascript=False)
    page.goto(live_server.url + lesson.get_absolute_url())
    normal = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    heights = [header_height(page)]
    menu_link = page.locator(".site-header").get_by_role("link", name="Police reminders")
    assert not menu_link.is_visible()

    page.locator(".menu summary").focus()  # the menu opens from the keyboard, without JS
    page.keyboard.press("Enter")
    assert menu_link.is_visible()
    page.get_by_role("button", name="Large text: off").click()

    assert page.url == live_server.url + lesson.get_absolute_url()
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") > normal
    heights.append(header_height(page))
    take_quiz = page.get_by_role("button", name="Take the quiz").first.bounding_box()
    assert take_quiz["y"] + take_quiz["height"] <= 844  # above the fold, large text on
    page.get_by_role("link", name="简体中文").click()
    heights.append(header_height(page))
    page.locator(".menu summary").click()
    assert page.get_by_role("button", name="大字模式：开").is_visible()
    assert max(heights) <= 120, heights
    assert no_horizontal_scroll(page)
    screenshot(page, "lesson-large-text-menu-390")


def test_language_switch_keeps_the_page(browser, live_server, lesson):
    page = open_page(browser, PHONE, javascript=False)
    page.goto(live_server.url + lesson.get_absolute_url())

    page.get_by_role("link", name="简体中文").click()

    assert page.url == live_server.url + f"/zh-hans/lessons/{lesson.slug}/"
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "冒充快递理赔"
