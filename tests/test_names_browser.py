"""Each thing on a question page is named once to a screen reader: what Chromium's
accessibility tree holds, read with Playwright, on a choice question, a drawn web page
with a form field, and a tap-the-red-flags message."""

import pytest

from .browser import PHONE, open_page
from .factories import QuestionFactory
from .test_accessibility import go, start_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_a_choice_question_says_its_number_and_channel_once(browser, live_server, lesson, lang):
    page = open_page(browser, PHONE)
    start_quiz(page, live_server, lang, lesson)

    tree = page.locator("main").aria_snapshot()

    assert "progressbar" not in tree  # the heading says which question, once
    heading = page.locator("h1").inner_text()
    assert tree.count(heading) == 1
    caption = page.locator("figcaption").inner_text()
    assert f'figure "{caption}"' in tree  # "Text message from …", not "Text message: Text…"
    for name in page.locator("input[name=choice]").all():
        label = page.locator(f"label[for={name.get_attribute('id')}]").inner_text()
        assert f'radio "{label}"' in tree
    page.context.close()


def test_a_drawn_form_field_is_read_once_as_words(browser, live_server, lesson):
    QuestionFactory(
        lesson=lesson,
        slug="claims-page",
        position=4,
        channel="web",
        sender_name="Courier claims centre",
        body_en="Claim your refund\n[field] Bank card number\n[button] Submit for checking",
    )
    page = open_page(browser, PHONE)
    start_quiz(page, live_server, "en", lesson)
    go(page, page.url.replace("/1/", "/4/"))

    tree = page.locator("figure").aria_snapshot()

    assert tree.count("Bank card number") == 1
    assert "textbox" not in tree
    page.context.close()


def test_each_red_flag_checkbox_is_named_by_its_words_only(browser, live_server, spot_lesson):
    page = open_page(browser, PHONE)
    start_quiz(page, live_server, "en", spot_lesson)

    tree = page.locator("main").aria_snapshot()

    assert 'checkbox "Dear customer"' in tree
    assert 'checkbox "within 24 hours"' in tree
    assert 'checkbox "http://parcel-fee.example/pay"' in tree
    assert tree.count("checkbox") == 3
    page.context.close()
