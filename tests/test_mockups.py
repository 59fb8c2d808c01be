"""The scenario mockups: each channel drawn as a phone shows it, from the body markup."""

import re
from io import StringIO

import pytest
import segno
import zxingcpp
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from PIL import Image

from quizzes.models import Question, QuizRun, Status
from quizzes.scenes import address_parts, parse
from quizzes.templatetags.quizzes import qr_svg

from .factories import LessonFactory, QuestionFactory

pytestmark = pytest.mark.django_db

FAKE = "http://hb-gift-888.top/get"


def page_of(client, question):
    client.post(reverse("quizzes:start-quiz", args=[question.lesson.slug]))
    run = QuizRun.objects.latest("started_at")
    return client.get(reverse("quizzes:run-question", args=[run.public_id, 1])).content.decode()


def figure(content):
    return content[content.index("<figure") : content.index("</figure>")]


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_body_markup_parses_into_speakers_links_and_elements():
    body = "Agent: Pay now at http://x.example/pay, please.\nYou: Why?\n[transfer] ¥50,000"

    lines = parse(body, "chat")

    assert [(line.speaker, line.mine, line.element) for line in lines] == [
        ("Agent", False, "text"),
        ("You", True, "text"),
        ("You", True, "transfer"),
    ]
    assert [(p.text, p.link) for p in lines[0].pieces] == [
        (" Pay now at "[1:], False),
        ("http://x.example/pay", True),
        (", please.", False),
    ]
    assert lines[2].text == "¥50,000"


def test_a_colon_in_a_text_message_is_no_speaker():
    assert parse("Note: your parcel is held.", "sms")[0].speaker == ""


def test_address_parts_stress_the_registrable_domain():
    assert address_parts("https://www.icbc-verify.top/login") == (
        "https://www.",
        "icbc-verify.top",
        "/login",
    )
    assert address_parts("http://pay.gov-refund.com.cn/a") == (
        "http://pay.",
        "gov-refund.com.cn",
        "/a",
    )


def test_text_message_caption_comes_first_and_names_sender_and_time(visitor, lesson):
    question = QuestionFactory(
        lesson=LessonFactory(slug="sms-only"),
        time="10:42",
        sender_number="1069 0000",
        body_en="Your parcel is held.\n\n"
        "Pay the fee at http://parcel-fee.example/pay-now?id=88 today.",
    )

    html = figure(page_of(visitor, question))

    assert re.search(r"<figure[^>]*>\s*<figcaption", html)
    assert "Text message from 1069 0000, at 10:42" in html
    assert html.count('class="bubble') == 2
    link = re.findall(r'<span class="fake-link"[^>]*>(.*?)</span>', html)
    assert [text_of(x) for x in link] == ["http://parcel-fee.example/pay-now?id=88"]
    assert "<wbr>" in link[0]  # may wrap after punctuation, never inside a word


def test_outgoing_call_says_so(visitor):
    question = QuestionFactory(
        channel="call",
        direction="outgoing",
        sender_number="400 800 1234",
        body_en="Agent: Customer service, how can I help?\nYou: My flight was cancelled.",
    )

    html = figure(page_of(visitor, question))

    assert "A call you made to 400 800 1234" in html
    assert "Outgoing call" in html and "Incoming call" not in html
    assert "Duration 0:" in html
    assert '<li class="mine"><span class="speaker">You: </span>' in html


def test_chat_draws_cards_and_both_sides(visitor):
    question = QuestionFactory(
        channel="chat",
        sender_name="Manager Li",
        body_en="Li: Send it now.\n[transfer] ¥50,000 · waiting\n[red packet] Best wishes\n"
        "[file] Refund_form.apk · 12 MB\n[payment qr] Scan to pay ¥3,000\nYou: OK",
    )

    html = figure(page_of(visitor, question))

    for name in ("card-transfer", "card-red-packet", "card-file", "card-payment-qr"):
        assert name in html
    assert "[transfer]" not in html
    assert 'class="chat-line mine"' in html
    assert 'class="avatar" aria-hidden="true">L<' in html


def test_web_page_draws_disabled_fields_and_stresses_the_domain(visitor):
    question = QuestionFactory(
        channel="web",
        link="https://www.icbc-verify.top/login",
        body_en="Log in to verify\n[field] Bank card number\n[button] Submit for checking",
    )

    html = figure(page_of(visitor, question))

    assert '<strong class="address-domain">icbc-verify.top</strong>' in html
    # Drawn, never working: its words once, over a box screen readers skip.
    assert 'Bank card number</span><span class="mock-input" aria-hidden="true"></span>' in html
    assert "<input" not in html
    assert "<label" not in html
    assert re.search(
        r'<button type="button" class="mock-button" disabled>\s*Submit for checking', html
    )
    assert "[button]" not in html


def test_email_shows_address_subject_and_attachment(visitor):
    question = QuestionFactory(
        channel="email",
        sender_name="Tax office",
        sender_number="notice@tax-refund.example",
        subject_en="Your refund",
        time="08:15",
        body_en="Dear taxpayer,\n[attachment] Refund_2024.zip",
    )

    html = figure(page_of(visitor, question))

    assert "&lt;notice@tax-refund.example&gt;" in html
    assert '<dd class="email-subject">Your refund</dd>' in html
    assert "card-attachment" in html


def test_qr_code_encodes_only_our_training_page(visitor, settings):
    settings.SITE_URL = "https://fangzha.example.gov.cn"
    question = QuestionFactory(channel="qr", sender_name="Free gift", qr_payload=FAKE)

    html = figure(page_of(visitor, question))

    training = "https://fangzha.example.gov.cn" + reverse(
        "quizzes:qr-training", args=[question.pk]
    )
    # segno's encoding is deterministic: the page's code is exactly the training address's.
    assert str(qr_svg(training)) in html
    assert str(qr_svg(FAKE)) not in html
    assert segno.make(training, error="m").designator  # the address fits a code


@pytest.mark.parametrize(
    ("surface", "caption"),
    [
        ("poster", "A QR code on a poster: Free gift"),
        ("sticker", "A QR code sticker: Free gift"),
        ("parcel", "A QR code on a parcel: Free gift"),
    ],
)
def test_a_qr_code_is_drawn_where_it_is_printed(visitor, settings, surface, caption):
    settings.SITE_URL = "https://fangzha.example.gov.cn"
    question = QuestionFactory(
        channel="qr", surface=surface, sender_name="Free gift", qr_payload=FAKE
    )

    html = figure(page_of(visitor, question))

    assert caption in html
    assert f'class="qr-scene qr-on-{surface}"' in html
    assert str(qr_svg(question.qr_training_url())) in html
    assert str(qr_svg(FAKE)) not in html
    assert text_of(html).count(FAKE) == 1  # named once, as text


def test_every_chinese_caption_uses_full_width_punctuation():
    """Brackets, commas and colons in a Chinese caption are full-width; only the sender's
    number, the web address and the time keep their own characters."""
    call_command("load_curriculum", stdout=StringIO())
    with translation.override("zh-hans"):
        for question in Question.objects.published():
            caption = question.caption()
            rest = caption
            for kept in (question.sender_number, question.address_parts()[1], question.time):
                rest = rest.replace(kept, "") if kept else rest
            assert not re.search(r"[(),:;]", rest), caption


def test_qr_training_page_names_the_fake_address(visitor):
    question = QuestionFactory(channel="qr", sender_name="Free gift", qr_payload=FAKE)

    response = visitor.get(reverse("quizzes:qr-training", args=[question.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "You scanned a training QR code" in content
    assert text_of(content).count(FAKE) == 1
    assert "Codes like this lead to a page made to look official." in content
    assert question.explanation_en.split("'")[0] not in content  # no answer key here


def test_qr_training_page_of_a_draft_is_not_found(visitor):
    question = QuestionFactory(channel="qr", qr_payload=FAKE, status=Status.DRAFT)

    assert visitor.get(reverse("quizzes:qr-training", args=[question.pk])).status_code == 404


def test_screen_share_and_app_install_are_system_dialogs(visitor):
    question = QuestionFactory(channel="app_install", sender_name="SafeGuard", body_en="Install?")

    html = figure(page_of(visitor, question))

    assert "App installation prompt: SafeGuard" in html
    assert 'class="system-dialog"' in html
    assert html.count("disabled>") == 2


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_published_scenario_qr_code_decodes_to_our_training_page(
    language, settings, tmp_path
):
    """Each QR question of the shipped curriculum, as its page draws it, scanned."""
    settings.SITE_URL = "https://fangzha.example.gov.cn"
    call_command("load_curriculum", stdout=StringIO())
    questions = Question.objects.published().filter(channel="qr")
    # On a poster, a sticker and a parcel: every surface is scanned.
    assert set(questions.values_list("surface", flat=True)) == {"poster", "sticker", "parcel"}
    with translation.override(language):
        for question in questions:
            html = render_to_string("includes/scenario.html", question.scene_context())
            drawn = re.search(r"<svg[^>]*qr-code.*?</svg>", html, re.S).group()
            training = question.qr_training_url()
            # The drawn code is segno's code for the training address, byte for byte...
            assert drawn == str(qr_svg(training))
            # ...and that code, scanned, opens our training page and nothing else.
            image = tmp_path / f"{question.pk}.png"
            segno.make(training, error="m").save(image, scale=5, border=4)
            [scanned] = [result.text for result in zxingcpp.read_barcodes(Image.open(image))]
            assert scanned == training
            assert scanned.startswith(
                f"https://fangzha.example.gov.cn/{language}/qr-training/{question.pk}/"
            )
            assert question.qr_payload not in scanned


def test_open_revisions_written_before_surfaces_stay_approvable(lesson):
    """Migration 0013 gives open revisions the surface every question had until then, so
    that they do not look stale (written on another version) once the field exists."""
    from importlib import import_module

    from django.apps import apps

    from quizzes.curriculum.items import export_item, plain
    from quizzes.models import Revision

    question = lesson.questions.first()
    key = f"{lesson.slug}/{question.slug}"
    old = plain(export_item("question", key))
    del old["surface"]
    revisions = [Revision.objects.create(kind="question", key=key, data=old, base=old)]
    assert all(revision.is_stale() for revision in revisions)

    migration = import_module("quizzes.migrations.0017_question_qr_surface")
    migration.add_surface_to_open_revisions(apps, None)

    assert not any(Revision.objects.get(pk=r.pk).is_stale() for r in revisions)
