"""Accessibility in a real browser (Debian's Chromium through Playwright).

- axe-core finds no violation on any citizen page, in both languages, on a phone and a
  desktop, and on a question and its feedback for every kind of scenario;
- a whole quiz can be done with the keyboard alone, with the focus always visible, the
  focus moving to the feedback and the verdict announced through a live region;
- nothing scrolls sideways at 360 px or at 200% zoom, with or without large text;
- the large-text mode enlarges every text, headings included;
- nothing moves when the system asks for reduced motion.

axe-core comes bundled in the PyPI package axe-playwright-python, so no Node step is
needed. Playwright's `page.evaluate` runs through the DevTools protocol, which the page's
Content-Security-Policy does not apply to, so axe is injected without loosening the CSP;
the tests still check that the page itself caused no CSP violation.

Screenshots of every page land in test-artifacts/ as <page>-<lang>-<width>.png.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import translation

from .browser import DESKTOP, PHONE, open_page, screenshot
from .conftest import PASSWORD
from .factories import LessonFactory, QuestionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["en", "zh-hans"]
VIEWPORTS = [PHONE, DESKTOP]

AXE = Axe()
# WCAG 2.0 and 2.1, levels A and AA, plus Deque's best practices. No rule is excluded.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


@pytest.fixture
def new_page(browser, live_server):
    """open_page from tests/browser.py, with the browser context closed afterwards."""
    pages = []

    def make(viewport=PHONE, large_text=False):
        page = open_page(browser, viewport)
        if large_text:  # the cookie the header's large-text button sets
            cookie = {"name": "large_text", "value": "1", "url": live_server.url}
            page.context.add_cookies([cookie])
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.context.close()


def url(live_server, lang, name, *args):
    with translation.override(lang):
        return live_server.url + reverse(name, args=args)


def go(page, target):
    return page.goto(target, wait_until="load")


def submit(page, selector):
    """Click a button or link that loads a new page, and wait for that page."""
    with page.expect_navigation():
        page.locator(selector).first.click()


def axe_violations(page, where):
    """Run axe-core on the page as it is; a readable report of what it found, or ""."""
    results = AXE.run(page, options=AXE_OPTIONS)
    if not results.violations_count:
        return ""
    return f"--- {where}\n{results.generate_report()}"


def check_both_sizes(page, name, lang):
    """axe at phone and desktop size, with a screenshot of each; returns the reports."""
    reports = []
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        reports.append(axe_violations(page, f"{name} /{lang}/ at {viewport['width']} px"))
        screenshot(page, f"{name}-{lang}-{viewport['width']}")
    return [report for report in reports if report]


# --- Getting to each page --------------------------------------------------------------
# Selectors rather than texts, so that the same steps work in both languages.


def start_quiz(page, live_server, lang, lesson):
    go(page, url(live_server, lang, "quizzes:lesson", lesson.slug))
    submit(page, "form.quiz-start button")
    assert "/runs/" in page.url


def answer(page, nth=0):
    """Choose the nth answer to the question in hand and check it; with JavaScript htmx
    swaps the feedback in. Without, a feedback page carries the next question below it:
    answering it from there loads that question's feedback page."""
    form = page.locator("form.answer-form").last
    form.locator("input[name=choice]").nth(nth).check()
    if page.locator("#feedback").count():
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
    else:
        form.locator("button[type=submit]").click()
    page.locator("#feedback").wait_for()


def finish_quiz(page, live_server, lang, lesson):
    start_quiz(page, live_server, lang, lesson)
    for position in range(1, 4):
        answer(page, nth=position % 2)  # right, wrong, right
        submit(page, ".next a")
    assert page.locator(".score").is_visible()


def log_in(page, live_server, lang):
    UserFactory(username="meiling")
    go(page, url(live_server, lang, "quizzes:login"))
    page.locator("#id_username").fill("meiling")
    page.locator("#id_password").fill(PASSWORD)
    submit(page, "main form button[type=submit]")


def home(page, live_server, lang, lesson):
    go(page, url(live_server, lang, "quizzes:home"))


def lesson_page(page, live_server, lang, lesson):
    go(page, url(live_server, lang, "quizzes:lesson", lesson.slug))


def question(page, live_server, lang, lesson):
    start_quiz(page, live_server, lang, lesson)


def feedback(page, live_server, lang, lesson):
    start_quiz(page, live_server, lang, lesson)
    answer(page, nth=0)  # the wrong answer: its feedback shows the most


def results(page, live_server, lang, lesson):
    finish_quiz(page, live_server, lang, lesson)


def progress(page, live_server, lang, lesson):
    finish_quiz(page, live_server, lang, lesson)
    start_quiz(page, live_server, lang, lesson)  # and one quiz left unfinished
    answer(page, nth=1)
    go(page, url(live_server, lang, "quizzes:progress"))
    assert page.locator(".progress-list meter").count() == 1


def reminders(page, live_server, lang, lesson):
    go(page, url(live_server, lang, "quizzes:reminders"))


def practice(page, live_server, lang, lesson):
    go(page, url(live_server, lang, "quizzes:practice"))


def login(page, live_server, lang, lesson):
    go(page, url(live_server, lang, "quizzes:login"))


def login_failed(page, live_server, lang, lesson):
    go(page, url(live_server, lang, "quizzes:login"))
    page.locator("#id_username").fill("nobody")
    page.locator("#id_password").fill("wrong password")
    submit(page, "main form button[type=submit]")
    assert page.locator("main .error-summary li").count() >= 1


def signup(page, live_server, lang, lesson):
    go(page, url(live_server, lang, "quizzes:signup"))


def signup_errors(page, live_server, lang, lesson):
    go(page, url(live_server, lang, "quizzes:signup"))
    page.locator("#id_username").fill("grandpa wang")  # a space is not allowed
    page.locator("#id_password1").fill("123")
    page.locator("#id_password2").fill("456")
    submit(page, "main form button[type=submit]")
    assert page.locator("main .field-error").count() >= 2
    # Each message is tied to its field, so a screen reader reads it with the field.
    for field in ("id_username", "id_password2"):
        described_by = page.locator(f"#{field}").get_attribute("aria-describedby").split()
        assert f"{field}_error" in described_by
        assert page.locator(f"#{field}_error").is_visible()


def password_reset(page, live_server, lang, lesson):
    go(page, url(live_server, lang, "password_reset"))


def password_reset_sent(page, live_server, lang, lesson):
    go(page, url(live_server, lang, "password_reset"))
    page.locator("#id_email").fill("someone@example.com")
    submit(page, "main form button[type=submit]")


def account(page, live_server, lang, lesson):
    log_in(page, live_server, lang)
    go(page, url(live_server, lang, "quizzes:account"))
    assert "meiling" in page.locator("main").inner_text()


def password_change(page, live_server, lang, lesson):
    log_in(page, live_server, lang)
    go(page, url(live_server, lang, "password_change"))


def not_found(page, live_server, lang, lesson):
    response = go(page, url(live_server, lang, "quizzes:lesson", "no-such-lesson"))
    assert response.status == 404


def csrf_failure(page, live_server, lang, lesson):
    """A form posted without its CSRF cookie, as when cookies were cleared meanwhile."""
    go(page, url(live_server, lang, "quizzes:login"))
    page.context.clear_cookies()
    page.locator("#id_username").fill("meiling")
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    assert navigation.value.status == 403


def menu_open(page, live_server, lang, lesson):
    go(page, url(live_server, lang, "quizzes:home"))
    page.locator(".menu summary").click()
    assert page.locator(".menu-panel nav").is_visible()


def genuine(page, live_server, lang, lesson):
    go(page, url(live_server, lang, "quizzes:genuine"))


def recover(page, live_server, lang, lesson):
    go(page, url(live_server, lang, "quizzes:recover"))
    page.locator("#id_username").fill("nobody")
    page.locator("#id_token").fill("wrong")
    page.locator("#id_new_password1").fill("a long new passphrase")
    page.locator("#id_new_password2").fill("a long new passphrase")
    submit(page, "main form button[type=submit]")
    assert page.locator(".error-summary").is_visible()


def recovery_codes(page, live_server, lang, lesson):
    log_in(page, live_server, lang)
    go(page, url(live_server, lang, "quizzes:recovery-codes"))
    submit(page, "main form button[type=submit]")
    assert page.locator(".codes li").count() == 10


def officer_log_in(page, live_server, lang, enrolled):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    officer = UserFactory(username="officer-li", is_staff=True, is_superuser=True)
    if enrolled:
        TOTPDevice.objects.create(user=officer, name="authenticator", confirmed=True)
    go(page, url(live_server, lang, "quizzes:login"))
    page.locator("#id_username").fill("officer-li")
    page.locator("#id_password").fill(PASSWORD)
    submit(page, "main form button[type=submit]")


def two_factor_enrol(page, live_server, lang, lesson):
    officer_log_in(page, live_server, lang, enrolled=False)
    assert page.locator(".qr-box svg").is_visible()


def two_factor_verify(page, live_server, lang, lesson):
    officer_log_in(page, live_server, lang, enrolled=True)
    page.locator("#id_token").fill("000000")
    submit(page, "main form.stack button[type=submit]")
    assert page.locator(".error-summary").is_visible()


PAGES = {
    "home": home,
    "menu-open": menu_open,
    "genuine": genuine,
    "recover": recover,
    "recovery-codes": recovery_codes,
    "two-factor-enrol": two_factor_enrol,
    "two-factor-verify": two_factor_verify,
    "lesson": lesson_page,
    "question": question,
    "feedback": feedback,
    "results": results,
    "progress": progress,
    "reminders": reminders,
    "practice": practice,
    "login": login,
    "login-failed": login_failed,
    "signup": signup,
    "signup-errors": signup_errors,
    "password-reset": password_reset,
    "password-reset-sent": password_reset_sent,
    "account": account,
    "password-change": password_change,
    "404": not_found,
    "403-csrf": csrf_failure,
}


# --- axe-core on every page ------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violations(new_page, live_server, lesson, name, lang):
    page = new_page(PHONE)
    PAGES[name](page, live_server, lang, lesson)
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").count() == 1

    reports = check_both_sizes(page, name, lang)

    assert not reports, "\n".join(reports)
    assert page.csp_errors == []


# --- Every kind of scenario ------------------------------------------------------------

LONG_LINK = (
    "https://claims-refund-service.example-courier-compensation-centre.com"
    "/verify?id=8812734551&token=Zx81kQ0pLw"
)
SCENARIOS = {
    "sms": {"sender_number": "106 9000 8888", "link": LONG_LINK},
    "call": {
        "setup_en": "Your phone rings. The screen shows 110.",
        "setup_zh_hans": "你的手机响了，来电显示是110。",
        "sender_name": "Officer Zhang",
        "sender_number": "110",
        "body_en": "Caller: This is the police. Your account is involved in a case.\nYou: What?",
        "body_zh_hans": "来电者：这里是公安局。你的账户涉嫌一起案件。\n你：什么？",
    },
    "chat": {
        "sender_name": "Customer Service 客服",
        "sender_number": "wxid_9a8b7c6d5e4f3g2h1",
        "body_en": "Agent: Accept the refund.\n[transfer] ¥500 · waiting\n[red packet] Thanks\n"
        "[file] Refund.apk · 12 MB\n[payment qr] Scan to pay ¥3,000\nYou: OK",
    },
    "web": {
        "sender_name": "Courier claims centre",
        "link": LONG_LINK,
        "body_en": "Claim your refund\n[field] Bank card number\n[button] Submit for checking",
    },
    "qr": {"sender_name": "Free gift!", "qr_payload": LONG_LINK},
    "screen_share": {"sender_name": "Safe Meeting", "link": LONG_LINK},
    "app_install": {"sender_name": "Refund helper", "body_en": "Install this app?"},
    "email": {"sender_name": "Bank security", "sender_number": "security@bank-verify.example"},
}


@pytest.fixture
def scenario_lesson(db, red_flag):
    """A published lesson with a question of every channel, long unbroken links included."""
    lesson = LessonFactory(slug="every-channel", red_flags=[red_flag])
    for position, (channel, fields) in enumerate(SCENARIOS.items(), start=1):
        QuestionFactory(
            lesson=lesson,
            slug=channel.replace("_", "-"),
            position=position,
            channel=channel,
            red_flags=[red_flag],
            **{"sender_number": "", **fields},
        )
    return lesson


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_kind_of_scenario(new_page, live_server, scenario_lesson, lang):
    page = new_page(PHONE)
    start_quiz(page, live_server, lang, scenario_lesson)
    reports = []
    for channel in SCENARIOS:
        assert page.locator(f".scenario-{channel}").is_visible()
        assert_no_horizontal_scroll(page, f"the {channel} question")
        reports += check_both_sizes(page, f"question-{channel}", lang)
        answer(page, nth=0)
        assert_no_horizontal_scroll(page, f"the {channel} feedback")
        reports += check_both_sizes(page, f"feedback-{channel}", lang)
        submit(page, ".next a")
    assert page.locator(".score").is_visible()
    assert not reports, "\n".join(reports)
    assert page.csp_errors == []


# --- A whole quiz by keyboard ----------------------------------------------------------

FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {visible: false, what: "nothing focused"};
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow !== "none";
  const box = el.getBoundingClientRect();
  const onScreen = box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
    && box.top < window.innerHeight && box.left < window.innerWidth;
  return {
    visible: el.matches(":focus-visible") && (outline || shadow) && onScreen,
    what: el.outerHTML.slice(0, 120),
  };
}"""


def assert_focus_visible(page):
    state = page.evaluate(FOCUS_STATE)
    assert state["visible"], f"focus is not visible on {state['what']}"


def tab_to(page, selector, limit=40):
    """Press Tab until the element matching selector has focus; every stop must show it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        assert_focus_visible(page)
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} not reached with {limit} Tab presses")


def press_enter_for_next_page(page):
    with page.expect_navigation():
        page.keyboard.press("Enter")


def checked_choice(page):
    return page.evaluate(
        "[...document.querySelectorAll('input[name=choice]')].findIndex(i => i.checked)"
    )


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["phone", "desktop"])
def test_a_whole_quiz_by_keyboard(new_page, live_server, lesson, viewport):
    page = new_page(viewport)
    go(page, url(live_server, "en", "quizzes:lesson", lesson.slug))

    tab_to(page, "a.skip-link")  # the first stop skips the header
    page.keyboard.press("Enter")
    # <main tabindex=-1> takes the focus without a ring, as skip-link targets do; the next
    # Tab goes on from there.
    assert page.evaluate("document.activeElement.id") == "main"
    tab_to(page, "form.quiz-start button")
    press_enter_for_next_page(page)

    # The second choice is the right one. Arrow keys move through the choices and select
    # them, Space selects the focused one; then Tab to the button and Enter.
    for position, keys, expected, verdict in [
        (1, ["ArrowDown", "Space"], 1, "Right."),
        (2, ["ArrowDown", "ArrowUp", "Space"], 0, "Not quite."),
        (3, ["Space", "ArrowDown"], 1, "Right."),
    ]:
        assert page.locator("h1").inner_text() == f"Question {position} of 3"
        tab_to(page, "input[name=choice]")
        for key in keys:
            page.keyboard.press(key)
            assert_focus_visible(page)
        assert checked_choice(page) == expected

        # The live region is in the page before the answer and only its text changes
        # (were it replaced, screen readers would not announce it).
        page.evaluate("window.statusRegion = document.getElementById('quiz-status')")
        assert page.locator("#quiz-status").inner_text() == ""
        page.evaluate("window.notReloaded = true")
        tab_to(page, "#answer-area button[type=submit]")
        page.keyboard.press("Enter")

        page.locator("#feedback").wait_for()
        assert page.evaluate("window.notReloaded") is True  # htmx, no page load
        page.wait_for_function("document.activeElement.id === 'feedback'")
        assert_focus_visible(page)
        assert page.locator("#feedback").inner_text() == verdict
        status = page.locator("#quiz-status")
        assert status.get_attribute("role") == "status"
        assert status.inner_text() == verdict
        assert page.evaluate("window.statusRegion === document.getElementById('quiz-status')")

        tab_to(page, ".next a")  # "Next question", then "See your results"
        press_enter_for_next_page(page)

    assert page.locator("h1").inner_text() == "Your results"
    assert "You got 2 of 3 right." in page.locator("main").inner_text()
    assert page.csp_errors == []


# --- Reflow: no horizontal scrolling ---------------------------------------------------

# 360 px is the narrowest common phone. 200% zoom is emulated by a 640x400 CSS-pixel
# viewport: zooming a 1280x800 window to 200% halves its layout viewport to exactly that
# (media queries and wrapping then behave the same); a device scale factor of 2 would only
# change how sharply the same layout is drawn.
REFLOW_VIEWPORTS = {
    "360 px": {"width": 360, "height": 740},
    "200% zoom": {"width": 640, "height": 400},
}

OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll("body *")]
    .filter(el => !el.closest(".visually-hidden, .skip-link"))
    .filter(el => el.getBoundingClientRect().right > width + 0.5)
    .map(el => el.outerHTML.slice(0, 100));
  return {scrolls: document.documentElement.scrollWidth > width, wide: wide};
}"""


def assert_no_horizontal_scroll(page, where):
    for size, viewport in REFLOW_VIEWPORTS.items():
        page.set_viewport_size(viewport)
        overflow = page.evaluate(OVERFLOW)
        assert not overflow["scrolls"], f"{where} scrolls sideways at {size}"
        # Also nothing cut off inside a box with overflow: hidden.
        assert overflow["wide"] == [], f"{where} is wider than the screen at {size}"


@pytest.mark.parametrize("large_text", [False, True], ids=["normal-text", "large-text"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_horizontal_scrolling(new_page, live_server, lesson, lang, large_text):
    page = new_page(REFLOW_VIEWPORTS["360 px"], large_text=large_text)
    reports = []

    def check(where):
        assert_no_horizontal_scroll(page, where)
        # The layouts at these sizes pass axe too (contrast, target overlap, ...).
        reports.append(axe_violations(page, f"{where} /{lang}/ large text {large_text}"))

    home(page, live_server, lang, lesson)
    assert ("large-text" in page.locator("body").get_attribute("class")) is large_text
    check("home")
    lesson_page(page, live_server, lang, lesson)
    check("lesson")
    submit(page, "form.quiz-start button")
    check("question")
    answer(page, nth=0)
    check("feedback")
    text = "large" if large_text else "normal"
    screenshot(page, f"feedback-{lang}-{text}-text-640x400")
    reports = [report for report in reports if report]
    assert not reports, "\n".join(reports)


@pytest.mark.parametrize("large_text", [False, True], ids=["normal-text", "large-text"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_header_fits_at_320_px(new_page, live_server, lesson, lang, large_text):
    """The narrowest phones still sold: the brand, the language and the menu in one row."""
    page = new_page({"width": 320, "height": 640}, large_text=large_text)
    home(page, live_server, lang, lesson)
    overflow = page.evaluate(OVERFLOW)
    assert not overflow["scrolls"], overflow["wide"]
    assert overflow["wide"] == []


# --- Large text ------------------------------------------------------------------------

TEXT_SIZES = """() => {
  const sizes = {};
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || el.closest(".visually-hidden")) continue;
    const key = el.tagName.toLowerCase() + (el.className ? "." + el.className.split(" ")[0] : "");
    sizes[key] = Math.min(sizes[key] || 1e9, parseFloat(getComputedStyle(el).fontSize));
  }
  return sizes;
}"""


@pytest.mark.parametrize("name", ["lesson", "question", "feedback", "signup-errors"])
def test_large_text_enlarges_all_the_text(new_page, live_server, lesson, name):
    """Every kind of text, headings and small print included, grows by at least 20%."""
    sizes = {}
    for large_text in (False, True):
        page = new_page(PHONE, large_text=large_text)
        PAGES[name](page, live_server, "en", lesson)
        sizes[large_text] = page.evaluate(TEXT_SIZES)
    normal, large = sizes[False], sizes[True]
    assert normal.keys() == large.keys()
    too_small = {
        key: (normal[key], large[key]) for key in normal if large[key] < 1.2 * normal[key]
    }
    assert too_small == {}, "text that the large-text mode leaves (almost) the same size"


# --- Reduced motion --------------------------------------------------------------------


def test_nothing_moves_with_reduced_motion(new_page, live_server, lesson):
    page = new_page(PHONE)
    page.emulate_media(reduced_motion="reduce")
    start_quiz(page, live_server, "en", lesson)
    answer(page, nth=0)

    moving = page.evaluate(
        """() => [...document.querySelectorAll("*")].filter(el => {
             const s = getComputedStyle(el);
             return s.animationName !== "none" || s.scrollBehavior === "smooth"
               || s.transitionDuration.split(",").some(d => parseFloat(d) > 0);
           }).map(el => el.tagName)"""
    )
    assert moving == []
    assert page.evaluate("document.getAnimations().length") == 0
