"""Campaigns in a real browser (Debian's Chromium through Playwright): the poster prints
as one A4 page whose QR code reads as the link; axe finds nothing on the campaign pages
in either language; and the whole journey, officer to citizen to officer's figures."""

import io

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from .browser import DESKTOP, PHONE, open_page
from .test_accessibility import go, url

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
