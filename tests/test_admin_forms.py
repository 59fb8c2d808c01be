"""Forms an officer can fill: positions and slugs filled in, only the fields the channel
uses, multi-line texts, tick boxes, and the phone preview beside the form."""

import pytest
from django.urls import reverse

from quizzes.models import Lesson, Question

from .conftest import sign_in_officer
from .test_admin import lesson_form, management, question_form

pytestmark = pytest.mark.django_db


def without(data, *prefixes):
    return {k: v for k, v in data.items() if not k.startswith(prefixes)}


def test_a_lesson_needs_no_slug_and_no_positions(client, author_user, red_flag, lesson):
    sign_in_officer(client, author_user)
    data = without(lesson_form(red_flag), "slug", "position", "steps-")
    data.update(management("steps", 3))
    for i, (en, zh) in enumerate([("One.", "一。"), ("Two.", "二。"), ("Three.", "三。")]):
        data.update({f"steps-{i}-text_en": en, f"steps-{i}-text_zh_hans": zh})
    data["reminders-0-position"] = ""

    response = client.post(reverse("admin:quizzes_lesson_add"), data)

    assert response.status_code == 302, response.context["errors"]
    new = Lesson.objects.get(title_en="Fake lottery calls")
    assert new.slug == "fake-lottery-calls"
    assert new.position == lesson.position + 1
    assert list(new.steps.values_list("position", "text_en")) == [
        (1, "One."),
        (2, "Two."),
        (3, "Three."),
    ]


def test_typed_positions_are_kept_and_empty_ones_follow(client, author_user, red_flag):
    sign_in_officer(client, author_user)
    data = without(lesson_form(red_flag), "steps-")
    data.update(management("steps", 2))
    data.update(
        {
            "steps-0-position": "",
            "steps-0-text_en": "Later.",
            "steps-0-text_zh_hans": "后。",
            "steps-1-position": "5",
            "steps-1-text_en": "First.",
            "steps-1-text_zh_hans": "先。",
        }
    )

    response = client.post(reverse("admin:quizzes_lesson_add"), data)

    assert response.status_code == 302, response.context["errors"]
    steps = Lesson.objects.get(slug="fake-lottery").steps.values_list("position", "text_en")
    assert list(steps) == [(5, "First."), (6, "Later.")]


def test_a_question_needs_no_slug_and_no_positions(client, author_user, lesson):
    sign_in_officer(client, author_user)
    data = without(question_form(lesson, [("Pay", False), ("Hang up", True)]), "slug")
    data.update(position="", **{"choices-0-position": "", "choices-1-position": ""})

    response = client.post(reverse("admin:quizzes_question_add"), data)

    assert response.status_code == 302, response.context["errors"]
    question = Question.objects.get(lesson=lesson, slug="caller-you-won-a-car-pay")
    assert question.position == 4
    assert list(question.choices.values_list("position", "text_en")) == [
        (1, "Pay"),
        (2, "Hang up"),
    ]


def test_a_new_question_starts_by_choosing_its_channel(client, author_user):
    sign_in_officer(client, author_user)

    page = client.get(reverse("admin:quizzes_question_add")).content.decode()

    assert "First choose how the scam reaches the citizen" in page
    assert 'href="?channel=qr"' in page


@pytest.mark.parametrize(
    ("channel", "shown", "hidden"),
    [
        ("sms", ["id_sender_number", "id_body_en"], ["id_link", "id_qr_payload"]),
        ("call", ["id_sender_name_en"], ["id_link", "id_qr_payload"]),
        ("web", ["id_link"], ["id_qr_payload"]),
        ("qr", ["id_qr_payload"], ["id_link"]),
    ],
)
def test_only_the_channel_s_fields_are_shown(client, author_user, channel, shown, hidden):
    sign_in_officer(client, author_user)

    page = client.get(reverse("admin:quizzes_question_add") + f"?channel={channel}")
    content = page.content.decode()

    assert "First choose how" not in content
    assert all(f'id="{name}"' in content for name in shown)
    assert not any(f'id="{name}"' in content for name in hidden)


def test_texts_are_multi_line_and_lists_are_tick_boxes(client, author_user, red_flag):
    sign_in_officer(client, author_user)

    content = client.get(reverse("admin:quizzes_lesson_add")).content.decode()

    assert '<textarea name="summary_zh_hans"' in content
    assert 'type="checkbox" name="red_flags"' in content
    assert 'name="steps-2-text_en"' in content  # three empty steps to fill
    assert "Where the lesson appears in the list on the citizens' home page" in content


def test_the_phone_preview_sits_beside_the_form(client, author_user, lesson):
    question = lesson.questions.first()
    sign_in_officer(client, author_user)

    response = client.get(reverse("admin:quizzes_question_change", args=[question.pk]))
    preview = client.get(reverse("quizzes:preview-question", args=[question.pk]))

    url = reverse("quizzes:preview-question", args=[question.pk])
    assert '<iframe name="phone-preview" class="phone-frame"' in response.content.decode()
    assert f'src="{url}"></iframe>' in response.content.decode()
    assert "frame-src 'self'" in response["Content-Security-Policy"]
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in preview["Content-Security-Policy"]


def test_other_pages_still_refuse_frames(client):
    response = client.get("/en/")

    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_a_new_question_offers_to_start_as_another_kind(client, author_user):
    sign_in_officer(client, author_user)

    page = client.get(reverse("admin:quizzes_question_add") + "?channel=sms").content.decode()

    assert "This form is for a question of the kind “Choose an answer”" in page
    assert 'href="?kind=spot&amp;channel=sms"' in page
    assert 'name="choices-TOTAL_FORMS"' in page and 'name="spots-TOTAL_FORMS"' not in page


@pytest.mark.parametrize(
    ("kind", "parts", "absent"),
    [
        ("spot", ["spots"], ["choices", "turns"]),
        ("conversation", ["endings", "turns"], ["choices"]),
    ],
)
def test_a_question_started_as_another_kind_shows_only_its_parts(
    client, author_user, kind, parts, absent
):
    sign_in_officer(client, author_user)

    page = client.get(reverse("admin:quizzes_question_add") + f"?kind={kind}&channel=sms")
    content = page.content.decode()

    assert all(f'name="{part}-TOTAL_FORMS"' in content for part in parts)
    assert not any(f'name="{part}-TOTAL_FORMS"' in content for part in absent)
    assert f'<option value="{kind}" selected>' in content
    assert 'value="choice"' not in content  # the kind is the one it was started as


def test_a_new_question_cannot_be_posted_as_a_kind_its_form_did_not_show(
    client, author_user, lesson
):
    sign_in_officer(client, author_user)
    before = Question.objects.count()

    response = client.post(
        reverse("admin:quizzes_question_add") + "?kind=spot&channel=sms",
        {"lesson": lesson.pk, "kind": "choice", "channel": "sms"},
    )

    assert response.status_code == 200  # the form again, with its errors
    assert response.context["adminform"].form.errors["kind"]
    assert Question.objects.count() == before


def test_a_text_too_long_is_refused_with_its_length_never_cut(client, author_user, red_flag):
    """A browser cuts a pasted text at a field's maxlength without a word; the form has
    none, and refuses a longer text with how long it is and may be, keeping it all."""
    sign_in_officer(client, author_user)
    url = reverse("admin:quizzes_lesson_add")
    long_title = "冒充客服退款" * 40  # 240 characters; a title holds 200

    page = client.get(url).content.decode()
    response = client.post(url, lesson_form(red_flag, title_zh_hans=long_title))

    assert "maxlength" not in page
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["title_zh_hans"]
    assert "200" in errors[0] and "240" in errors[0]
    assert long_title in response.content.decode()
    assert not Lesson.objects.filter(title_en="Fake lottery calls").exists()
