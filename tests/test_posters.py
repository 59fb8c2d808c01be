"""A campaign's poster: one A4 page of print styles, in both languages, whose QR code
reads back as the campaign's link; and the same poster as an SVG file."""

import re

import pytest
import zxingcpp
from django.urls import reverse
from django.utils import translation
from PIL import Image

from quizzes import posters
from quizzes.models import Status

pytestmark = pytest.mark.django_db


def poster_url(code="riverside", svg=False):
    return reverse(
        "quizzes:campaign-poster-svg" if svg else "quizzes:campaign-poster", args=[code]
    )


def matrix_from_path(path, size):
    """The dark modules drawn by segno's SVG path ("M x y" then "h n" strokes and
    relative "m dx dy" moves, each stroke through the middle of a row)."""
    dark = [[False] * size for _ in range(size)]
    x = y = 0.0
    for command, numbers in re.findall(r"([Mmh])([-\d. ]+)", path):
        values = [float(v) for v in numbers.replace("-", " -").split()]
        if command == "M":
            x, y = values
        elif command == "m":
            x, y = x + values[0], y + values[1]
        else:
            for column in range(int(x), int(x + values[0])):
                dark[int(y)][column] = True
            x += values[0]
    return dark


def decode(path, size, scale=8):
    image = Image.new("L", (size * scale, size * scale), 255)
    for row, cells in enumerate(matrix_from_path(path, size)):
        for column, is_dark in enumerate(cells):
            if is_dark:
                image.paste(
                    0, (column * scale, row * scale, (column + 1) * scale, (row + 1) * scale)
                )
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_the_poster_shows_what_a_passer_by_needs(visitor, campaign, settings):
    settings.SITE_ADDRESS = "fandian.example.gov.cn"
    html = visitor.get(poster_url()).content.decode()
    assert html.count("<h1") == 1 and "<main" in html
    assert "<h1>Don&#x27;t pay the fake courier</h1>" in html
    assert "Run by Riverside police station" in html
    assert "Police 110 · Anti-fraud hotline 96110" in html
    assert "The real site is only at fandian.example.gov.cn" in html
    assert "https://fandian.example.gov.cn/c/riverside/" in html
    assert 'role="img"' in html and 'shape-rendering="crispEdges"' in html
    assert "style=" not in html and "<script" not in html  # print styles only, no JS


def test_the_posters_qr_code_reads_as_the_campaign_link(visitor, campaign, settings):
    settings.SITE_ADDRESS = "fandian.example.gov.cn"
    html = visitor.get(poster_url()).content.decode()
    view_box = re.search(r'<svg role="img"[^>]*viewBox="0 0 (\d+) \d+"', html)
    path = re.search(r'<path[^>]* d="([^"]+)"', html).group(1)
    assert decode(path, int(view_box.group(1))) == ["https://fandian.example.gov.cn/c/riverside/"]


def test_the_poster_has_print_styles_for_one_a4_page(visitor, campaign):
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("css/poster.css")).read_text()
    assert "@page { size: A4 portrait; margin: 0; }" in css
    assert "@media print" in css and "overflow: hidden" in css


def test_the_poster_in_chinese(visitor, campaign):
    with translation.override("zh-hans"):
        url = poster_url()
    html = visitor.get(url).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "别给假快递转账" in html and "江滨派出所" in html
    assert 'href="/en/c/riverside/poster/"' in html  # the English poster


def test_the_svg_poster_downloads_with_the_same_qr_code(visitor, campaign):
    response = visitor.get(poster_url(svg=True))
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="campaign-riverside-en.svg"'
    svg = response.content.decode()
    assert svg.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert 'width="210mm" height="297mm"' in svg
    size, path = posters.qr_path(campaign.link)
    assert f'd="{path}"' in svg
    assert decode(path, size) == [campaign.link]
    assert "Don&#x27;t pay the fake courier" in svg


def test_long_chinese_titles_wrap_on_the_svg_poster():
    lines = posters.wrap("别给假快递转账" * 4, 24)
    assert all(len(line) <= 12 for line in lines) and "".join(lines) == "别给假快递转账" * 4


def test_posters_of_drafts_are_only_for_staff(visitor, campaign):
    campaign.status = Status.DRAFT
    campaign.save()
    assert visitor.get(poster_url()).status_code == 404
    assert visitor.get(poster_url(svg=True)).status_code == 404


def test_without_the_sites_address_the_poster_warns_before_anyone_prints_it(
    visitor, campaign, settings
):
    """A poster whose code leads to the machine that printed it sends a hall of phones
    nowhere: the officer is told to check the link or have the address set."""
    settings.SITE_ADDRESS = ""
    settings.SITE_URL = "http://127.0.0.1:8000"

    html = visitor.get(poster_url()).content.decode()

    assert "official address is not set (SITE_ADDRESS)" in html
    assert "http://127.0.0.1:8000/c/riverside/ opens the campaign" in html
    settings.SITE_ADDRESS = "fandian.example.gov.cn"
    assert "official address is not set" not in visitor.get(poster_url()).content.decode()


def test_a_drafts_poster_says_so_on_paper(client, campaign, superuser):
    from .conftest import sign_in_officer

    campaign.status = Status.REVIEW
    campaign.save()
    sign_in_officer(client, superuser)

    html = client.get(poster_url()).content.decode()

    main = html[html.index("<main") :]
    assert "Preview, not published: the code works once the campaign is approved." in main
