"""The main menu of a signed-in learner in a real browser: today's review and log-out
are in it, it fits a 360 px phone and 200% zoom in both languages, axe finds nothing,
and logging out works without JavaScript. Screenshots in test-artifacts/."""

import pytest

from .browser import open_page, screenshot
from .test_accessibility import (
    LANGUAGES,
    REFLOW_VIEWPORTS,
    assert_no_horizontal_scroll,
    axe_violations,
    go,
    log_in,
    url,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_signed_in_learners_menu_fits_a_phone_and_logs_out_without_javascript(
    browser, live_server, lesson, lang
):
    page = open_page(browser, REFLOW_VIEWPORTS["360 px"], javascript=False)
    log_in(page, live_server, lang)
    go(page, url(live_server, lang, "quizzes:reminders"))  # a page from the page cache

    page.locator(".menu summary").click()

    menu = page.locator(".menu-panel nav")
    assert menu.get_by_role("link", name="Today's review" if lang == "en" else "今日复习")
    logout = menu.get_by_role("button", name="Log out" if lang == "en" else "退出登录")
    assert logout.is_visible()
    assert_no_horizontal_scroll(page, "the open menu")
    for viewport in REFLOW_VIEWPORTS.values():
        page.set_viewport_size(viewport)
        screenshot(page, f"menu-signed-in-{lang}-{viewport['width']}")
    page.set_viewport_size(REFLOW_VIEWPORTS["360 px"])

    with page.expect_navigation():
        logout.click()

    assert page.url == url(live_server, lang, "quizzes:home")
    # Logged out: the menu (closed again) offers "Log in", and no log-out form.
    assert page.locator(".nav-list a", has_text="Log in" if lang == "en" else "登录").count() == 1
    assert page.locator(".logout-form").count() == 0
    page.context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_axe_finds_nothing_in_the_signed_in_menu(browser, live_server, lesson, lang):
    page = open_page(browser, REFLOW_VIEWPORTS["360 px"])
    log_in(page, live_server, lang)
    go(page, url(live_server, lang, "quizzes:home"))
    page.locator(".menu summary").click()

    report = axe_violations(page, f"signed-in menu /{lang}/")

    assert not report, report
    assert page.csp_errors == []
    page.context.close()
