"""Campaigns in a real browser (Debian's Chromium through Playwright): the poster prints
as one A4 page whose QR code reads as the link; axe finds nothing on the campaign pages
in either language; and the whole journey, officer to citizen to officer's figures."""

import io

import pytest
import zxingcpp
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from quizzes.models import Campaign, Participant, Status

from .browser import DESKTOP, PHONE, open_page, screenshot
from .conftest import sign_in_officer
from .factories import LessonFactory, QuestionFactory, UserFactory
from .test_accessibility import answer, axe_violations, check_both_sizes, go, submit, url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

A4_POINTS = (595.28, 841.89)


@pytest.fixture
def new_page(browser):
    pages = []

    def make(viewport=PHONE, javascript=True):
        page = open_page(browser, viewport, javascript=javascript)
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.context.close()


def read_qr(png):
    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_the_poster_prints_on_one_a4_page_and_its_qr_code_reads(
    new_page, live_server, campaign, lang, settings
):
    page = new_page(DESKTOP)
    go(page, url(live_server, lang, "quizzes:campaign-poster", campaign.code))
    pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True)))
    assert len(pdf.pages) == 1
    box = pdf.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == tuple(map(round, A4_POINTS))
    # What the printer gets: the print styles, at a print resolution.
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    assert read_qr(page.locator("main.poster").screenshot()) == [campaign.link]
    assert page.locator(".poster-tools").is_hidden()


def officer_page(new_page, live_server, username, group, lang):
    """A browser signed in as a police officer (password and second factor done)."""
    from quizzes.roles import OUTREACH_ROLES, ROLES

    # Transactional tests empty the tables, the groups of migration 0002 with them.
    codenames = dict(ROLES.values())[group] + OUTREACH_ROLES[group]
    role, _ = Group.objects.get_or_create(name=group)
    role.permissions.set(
        Permission.objects.filter(content_type__app_label="quizzes", codename__in=codenames)
    )
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(role)
    client = sign_in_officer(Client(), user)
    page = new_page(DESKTOP)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": live_server.url},
        ]
    )
    return page


def workflow(page, action):
    # Part of the item's form for those who may change it, a form of its own otherwise.
    submit(page, f'button[name="_workflow"][value="{action}"], form[action$="/{action}/"] button')
    assert page.locator(".messagelist .error").count() == 0, page.locator("main").inner_text()
    assert page.locator(".messagelist .success").count() >= 1


def answer_run(page):
    """Answer every question of the run on screen, the right answer first then wrong,
    and land on the results."""
    nth = 1
    while True:
        answer(page, nth=nth)
        nth = 1 - nth
        link = page.locator(".next a")
        last = "/results/" in link.get_attribute("href")
        submit(page, ".next a")
        if last:
            return


@pytest.mark.parametrize(("lang", "javascript"), [("en", True), ("zh-hans", False)])
def test_an_officer_runs_a_campaign_and_sees_a_citizen_in_its_figures(
    new_page, live_server, lesson, campaign, lang, javascript, settings
):
    Campaign.objects.all().delete()  # the officer makes their own from the lesson
    settings.SITE_ADDRESS = live_server.url  # so that the poster's link leads here
    # An author writes the campaign in the admin and sends it to review.
    author = officer_page(new_page, live_server, "officer-wu", "Authors", lang)
    go(author, live_server.url + reverse("admin:quizzes_campaign_add"))
    fields = {
        "title_en": "Fake couriers: ask the courier",
        "title_zh_hans": "假快递：直接问快递公司",
        "code": "hall7",
        "unit_en": "Riverside police station",
        "unit_zh_hans": "江滨派出所",
        "place_en": "Riverside community centre",
        "place_zh_hans": "江滨社区中心",
        "starts_on": "2000-01-01",
        "ends_on": "2099-12-31",
    }
    for name, value in fields.items():
        author.locator(f"#id_{name}").fill(value)
    author.locator("#id_audience").select_option("older")
    author.locator(f"#id_lessons input[value='{lesson.pk}']").check()  # tick boxes
    submit(author, "input[name=_continue]")
    workflow(author, "submit")
    campaign = Campaign.objects.get(code="hall7")
    assert campaign.status == Status.REVIEW

    # A second officer approves it: now it is public.
    reviewer = officer_page(new_page, live_server, "officer-qian", "Reviewers", lang)
    go(reviewer, live_server.url + reverse("admin:quizzes_campaign_change", args=[campaign.pk]))
    workflow(reviewer, "approve")
    campaign.refresh_from_db()
    assert campaign.status == Status.PUBLISHED

    # The poster: one page, and its QR code is the campaign's link.
    go(author, url(live_server, lang, "quizzes:campaign-poster", "hall7"))
    pdf = PdfReader(io.BytesIO(author.pdf(prefer_css_page_size=True, print_background=True)))
    assert len(pdf.pages) == 1
    author.emulate_media(media="print")
    author.set_viewport_size({"width": 794, "height": 1123})
    link = read_qr(author.locator("main.poster").screenshot())
    assert link == [campaign.link]
    screenshot(author, f"campaign-poster-{lang}")
    author.emulate_media(media="screen")

    # A citizen scans it: the short link, in their phone's language.
    citizen = new_page(PHONE, javascript=javascript)
    citizen.context.set_extra_http_headers({"Accept-Language": lang})
    assert link == [f"{live_server.url}/c/hall7/"]
    go(citizen, link[0])
    assert citizen.url == url(live_server, lang, "quizzes:campaign", "hall7")
    title = campaign.title_en if lang == "en" else campaign.title_zh_hans
    assert citizen.locator("h1").inner_text() == title
    citizen.locator("input[name=age_band][value='60-74']").check()
    citizen.locator("#id_district").fill("Old Town")
    submit(citizen, "form.campaign-join button[type=submit]")
    answer_run(citizen)  # the first check
    submit(citizen, ".next-step a.button")  # back to the campaign
    submit(citizen, ".campaign-steps a")  # the lesson
    submit(citizen, "form.quiz-start button")
    answer_run(citizen)
    go(citizen, url(live_server, lang, "quizzes:campaign", "hall7"))
    submit(citizen, ".campaign-progress form button")  # the final check
    answer_run(citizen)
    submit(citizen, ".next-step a.button")
    assert citizen.locator(".campaign-progress strong").count() == 1  # finished

    participant = Participant.objects.get()
    assert (participant.age_band, participant.district) == ("60-74", "old town")
    assert participant.before_done and participant.after_done

    # The officer sees them in the campaign's figures (counts only: one person's scores
    # stay hidden).
    go(author, live_server.url + reverse("admin:quizzes_campaign_figures", args=[campaign.pk]))
    totals = author.locator(".totals dd").all_inner_texts()
    assert totals == ["1", "1"]
    assert "%" not in author.locator("table").first.inner_text()


def visitor_landing(page, live_server, lang, campaign):
    go(page, url(live_server, lang, "quizzes:campaign", campaign.code))


def participant_landing(page, live_server, lang, campaign):
    visitor_landing(page, live_server, lang, campaign)
    submit(page, "form.campaign-join button[type=submit]")
    go(page, url(live_server, lang, "quizzes:campaign", campaign.code))
    assert page.locator(".campaign-progress").count() == 1


def join_error(page, live_server, lang, campaign):
    visitor_landing(page, live_server, lang, campaign)
    page.locator("#id_district").fill("13800138000")
    with page.expect_navigation() as navigation:
        page.locator("form.campaign-join button[type=submit]").click()
    assert navigation.value.status == 400
    described_by = page.locator("#id_district").get_attribute("aria-describedby").split()
    assert "id_district_error" in described_by


def poster(page, live_server, lang, campaign):
    go(page, url(live_server, lang, "quizzes:campaign-poster", campaign.code))


PAGES = {
    "campaign": visitor_landing,
    "campaign-join-error": join_error,
    "campaign-joined": participant_landing,
    "poster": poster,
}


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_nothing_on_the_campaign_pages(new_page, live_server, campaign, name, lang):
    page = new_page(PHONE)
    PAGES[name](page, live_server, lang, campaign)
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").count() == 1
    reports = check_both_sizes(page, name, lang)
    assert not reports, "\n".join(reports)
    assert page.csp_errors == []
    # Nothing scrolls sideways on a 360 px phone.
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_axe_finds_nothing_on_the_figures_page(new_page, live_server, campaign, lang):
    from .test_campaign_figures import take

    for n in range(12):
        take(campaign, before=n % 3, after=2 + n % 2, age_band="60-74", district="old town")
    page = officer_page(new_page, live_server, "officer-zhao", "Analysts", lang)
    go(page, live_server.url + reverse("admin:quizzes_campaign_figures", args=[campaign.pk]))
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator(".campaign-figures table").count() == 5
    assert page.locator(".bar-chart rect").count() == 6  # before and after: 3 groups
    reports = check_both_sizes(page, "campaign-figures", lang)
    assert not reports, "\n".join(reports)
    assert page.csp_errors == []


def test_an_officer_picks_a_campaigns_questions_by_lesson_on_a_phone_in_chinese(
    new_page, live_server, lesson, campaign, settings
):
    """The quiz's questions under each lesson's title, named by kind and message, in a
    group a screen reader names; on a 360-pixel phone nothing scrolls sideways."""
    second = LessonFactory(slug="fake-police", title_en="Fake police", title_zh_hans="冒充公检法")
    for n in range(1, 3):
        QuestionFactory(lesson=second, slug=f"p{n}", position=n, body_zh_hans=f"第{n}个：我是警察")
    page = officer_page(new_page, live_server, "officer-wu", "Authors", "zh-hans")
    page.set_viewport_size({"width": 360, "height": 800})
    go(page, live_server.url + reverse("admin:quizzes_campaign_change", args=[campaign.pk]))

    groups = page.locator("#id_questions fieldset")
    assert groups.locator("legend").all_inner_texts() == ["冒充快递理赔", "冒充公检法"]
    police = page.get_by_role("group", name="冒充公检法")
    assert police.get_by_role("checkbox").count() == 2
    police.get_by_label("选择答案 · 第2个：我是警察").check()  # its label ticks it
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page, "campaign form /zh-hans/ at 360 px") == ""
    assert page.csp_errors == []
    screenshot(page, "campaign-question-picker-zh-hans-360")
    page.set_viewport_size(DESKTOP)
    assert axe_violations(page, "campaign form /zh-hans/ at desktop size") == ""
    screenshot(page, "campaign-question-picker-zh-hans-desktop")
