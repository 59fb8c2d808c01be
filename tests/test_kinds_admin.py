"""Officers author spot and conversation questions in the workspace: the parts to spot,
the turns with their replies and the endings are inlines on the question; what is not
ready is named before review; a published one changes only by revision."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from quizzes.models import Ending, Question, Reply, Revision, Status, Step, Turn

from .conftest import _staff, sign_in_officer
from .factories import AnswerFactory, QuizRunFactory, SpotFactory
from .test_revisions import form_data

pytestmark = pytest.mark.django_db


def change_url(question):
    return reverse("admin:quizzes_question_change", args=[question.pk])


def post_edit(client, question, **changes):
    url = change_url(question)
    data = form_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


def prefix_of(data, name):
    """The inline's form prefix whose first row has field ``name``."""
    return next(k[: -len(f"-0-{name}")] for k in data if k.endswith(f"-0-{name}"))


def test_the_change_page_shows_spots_turns_replies_and_endings(
    client, conversation_lesson, spot_lesson, author_user
):
    sign_in_officer(client, author_user)
    call = conversation_lesson.questions.get()
    content = client.get(change_url(call)).content.decode()
    for text in ("Move your savings to our safe account.", "What case?", "safe-account", "paid"):
        assert text in content
    assert "Reply 1 leads to" in content
    spots = client.get(change_url(spot_lesson.questions.get())).content.decode()
    assert "within 24 hours" in spots and "24小时内" in spots


def test_where_a_reply_leads_is_offered_from_the_saved_turns_and_endings(
    client, conversation_lesson, author_user
):
    """An officer need not remember keys: typing in "leads to" offers the question's
    turns by their first words and its endings by their outcome."""
    sign_in_officer(client, author_user)
    call = conversation_lesson.questions.get()
    turn = call.turns.first()

    content = client.get(change_url(call)).content.decode()

    field = re.search(r'<input[^>]*name="turns-0-reply_1_next"[^>]*>', content)[0]
    assert 'list="id_turns-0-reply_1_next-keys"' in field
    assert "maxlength" not in content  # too long is refused, never cut by the browser
    offered = content[content.index('<datalist id="id_turns-0-reply_1_next-keys">') :]
    offered = offered[: offered.index("</datalist>")]
    assert f'<option value="{turn.key}" label="{turn.key}: ' in offered
    for ending in call.endings.all():
        assert f'<option value="{ending.key}" label="{ending.key}: ' in offered


def test_an_edit_of_a_published_conversation_is_a_revision_applied_on_approval(
    client, conversation_lesson, author_user, reviewer_user
):
    call = conversation_lesson.questions.get()
    turn = call.turns.get(key="safe-account")
    sign_in_officer(client, author_user)
    data = form_data(client.get(change_url(call)))
    turns = prefix_of(data, "says_en")
    row = next(
        k[: -len("-id")]
        for k, v in data.items()
        if k.startswith(turns) and k.endswith("-id") and v == str(turn.pk)
    )

    response = client.post(
        change_url(call), {**data, f"{row}-reply_1_text_en": "Fine, I will pay now."}
    )

    assert response.status_code == 302
    revision = Revision.objects.get()
    assert Reply.objects.get(turn=turn, position=1).text_en == "I'll pay."
    replies = [r["text"]["en"] for t in revision.data["turns"] for r in t["replies"]]
    assert "Fine, I will pay now." in replies
    revision.approve(reviewer_user)
    assert Reply.objects.get(turn__key="safe-account", position=1).text_en == (
        "Fine, I will pay now."
    )


def test_an_edit_of_a_published_spot_question_is_a_revision_applied_on_approval(
    client, spot_lesson, author_user, reviewer_user
):
    question = spot_lesson.questions.get()
    sign_in_officer(client, author_user)
    data = form_data(client.get(change_url(question)))
    spots = prefix_of(data, "explanation_en")

    response = client.post(
        change_url(question), {**data, f"{spots}-1-explanation_en": "Deadlines hurry you."}
    )

    assert response.status_code == 302
    assert question.spots.get(position=2).explanation_en == "A deadline is there to hurry you."
    Revision.objects.get().approve(reviewer_user)
    assert question.spots.get(position=2).explanation_en == "Deadlines hurry you."


def test_a_reply_must_lead_to_a_turn_or_an_ending_of_the_question(
    client, conversation_lesson, author_user
):
    call = conversation_lesson.questions.get()
    sign_in_officer(client, author_user)
    data = form_data(client.get(change_url(call)))
    turns = prefix_of(data, "says_en")

    response = client.post(change_url(call), {**data, f"{turns}-0-reply_1_next": "nowhere"})

    assert response.status_code == 200
    assert "No turn or ending has this key." in response.content.decode()
    assert not Revision.objects.exists()


def draft_conversation(lesson):
    question = Question.objects.get(lesson=lesson)
    question.status = "draft"
    question.prompt_zh_hans = "您会怎么说？"
    question.save()
    return question


def test_a_conversation_is_checked_like_the_curriculum_files(conversation_lesson):
    question = draft_conversation(conversation_lesson)
    for model, field in ((Turn, "says"), (Ending, "text")):
        for row in model.objects.filter(question=question):
            setattr(row, f"{field}_zh_hans", "中文")
            row.save()
    Reply.objects.update(text_zh_hans="回复")
    assert question.publication_problems() == []

    # A third turn nobody reaches, answering itself in a loop, with one reply.
    lonely = Turn.objects.create(
        question=question, key="lonely", position=3, says_en="Hi", says_zh_hans="你好"
    )
    Reply.objects.create(
        turn=lonely, position=1, text_en="Hi", text_zh_hans="你好", next_turn=lonely
    )
    problems = [str(p) for p in question.publication_problems()]
    assert "Turn “lonely” needs two or three replies." in problems
    assert "Not reachable from the first turn: lonely." in problems

    # Reached from the opening now: its reply to itself is a loop.
    Reply.objects.create(
        turn=question.turns.get(key="opening"),
        position=3,
        text_en="Who?",
        text_zh_hans="谁？",
        next_turn=lonely,
    )
    problems = [str(p) for p in question.publication_problems()]
    assert "A path goes round in a loop: every path must reach an ending." in problems
    with translation.override("zh-hans"):
        assert all(str(p) for p in question.publication_problems())


def test_the_conversation_problems_are_named_on_the_change_page(
    client, conversation_lesson, author_user
):
    question = draft_conversation(conversation_lesson)
    sign_in_officer(client, author_user)
    content = client.get(change_url(question)).content.decode()
    assert "Fill in every language" in content  # the turns have no Chinese yet


def test_spots_must_appear_once_in_each_language(spot_lesson):
    question = spot_lesson.questions.get()
    question.spots.filter(position=2).update(text_zh_hans="48小时内")
    problems = [str(p) for p in question.publication_problems()]
    assert "“48小时内” must appear exactly once in the message." in problems


def test_an_officer_adds_a_turn_and_an_ending_with_replies_in_one_save(
    client, conversation_lesson, author_user
):
    question = draft_conversation(conversation_lesson)
    sign_in_officer(client, author_user)
    data = form_data(client.get(change_url(question)))
    turns, endings = prefix_of(data, "says_en"), prefix_of(data, "outcome")
    new_turn = {
        "key": "code",
        "position": "3",
        "says_en": "Read me the code in the text.",
        "says_zh_hans": "请把短信验证码念给我。",
        "reply_1_text_en": "Here it is.",
        "reply_1_text_zh_hans": "好的。",
        "reply_1_next": "paid",
        "reply_2_text_en": "No.",
        "reply_2_text_zh_hans": "不。",
        "reply_2_next": "reported",
    }
    new_ending = {
        "key": "reported",
        "position": "3",
        "outcome": "safe",
        "text_en": "You reported the call.",
        "text_zh_hans": "您举报了这个电话。",
    }
    data.update({f"{turns}-2-{k}": v for k, v in new_turn.items()})
    data.update({f"{endings}-2-{k}": v for k, v in new_ending.items()})
    data[f"{turns}-TOTAL_FORMS"], data[f"{endings}-TOTAL_FORMS"] = "3", "3"
    data[f"{turns}-0-reply_3_text_en"] = "Which code?"
    data[f"{turns}-0-reply_3_text_zh_hans"] = "什么验证码？"
    data[f"{turns}-0-reply_3_next"] = "code"

    response = client.post(change_url(question), data)

    assert response.status_code == 302, response.context["errors"]
    code = question.turns.get(key="code")
    assert [(r.text_zh_hans, r.next_ending.key) for r in code.replies.all()] == [
        ("好的。", "paid"),
        ("不。", "reported"),
    ]
    assert question.turns.get(key="opening").replies.get(position=3).next_turn == code


# --- Moving parts with buttons -------------------------------------------------------------


def spot_texts(question):
    return list(question.spots.order_by("position").values_list("text_en", flat=True))


def keys(rows):
    return list(rows.order_by("position").values_list("key", flat=True))


def draft_spot_question(lesson):
    question = lesson.questions.get()
    question.status = Status.DRAFT
    question.save(update_fields=["status"])
    return question


def move(client, question, button, **changes):
    """Press a move button on the question's page, after typing ``changes``."""
    data = form_data(client.get(change_url(question)))
    return client.post(change_url(question), {**data, **changes, "_move": button})


def test_an_officer_moves_a_part_to_spot_up_without_typing_numbers(
    client, spot_lesson, author_user
):
    question = draft_spot_question(spot_lesson)
    sign_in_officer(client, author_user)
    page = client.get(change_url(question)).content.decode()
    assert '<input type="hidden" name="spots-0-position" value="1"' in page
    assert 'value="spots-0-up"' not in page  # the first part cannot go up
    assert 'value="spots-2-down"' not in page  # nor the last go down

    response = move(client, question, "spots-1-up", **{"spots-2-explanation_en": "Typed."})

    # Saved, and back at the part it moved.
    assert (response.status_code, response.url) == (302, change_url(question) + "#spots-0")
    greeting, deadline, link = "Dear customer", "within 24 hours", "http://parcel-fee.example/pay"
    assert spot_texts(question) == [deadline, greeting, link]
    assert question.spots.get(position=3).explanation_en == "Typed."


def test_turns_and_endings_of_a_draft_conversation_move_too(
    client, conversation_lesson, author_user
):
    question = draft_conversation(conversation_lesson)
    sign_in_officer(client, author_user)

    assert move(client, question, "turns-0-down").status_code == 302
    assert move(client, question, "endings-1-up").status_code == 302

    assert keys(question.turns) == ["safe-account", "opening"]
    assert keys(question.endings) == ["paid", "hung-up"]
    # Replies still lead where they led.
    assert question.turns.get(key="opening").replies.get(position=1).next_turn.key == (
        "safe-account"
    )


def test_the_move_buttons_are_named_with_their_row_in_the_officers_language(
    client, conversation_lesson, author_user
):
    question = draft_conversation(conversation_lesson)
    sign_in_officer(client, author_user)
    client.post(reverse("admin:quizzes_workspace_language"), {"language": "zh-hans"})

    page = client.get(change_url(question)).content.decode()

    # A screen reader's list of buttons says "上移 safe-account", not "上移" twice.
    assert (
        '<button type="submit" class="button" name="_move" value="turns-1-up" '
        'id="move-turns-1-up" aria-labelledby="move-turns-1-up turns-1-label">上移</button>'
    ) in page
    assert '<span class="inline_label" id="turns-1-label">safe-account' in page
    assert 'aria-labelledby="move-endings-0-down endings-0-label">下移</button>' in page
    assert "Move up" not in page


def test_moving_an_ending_of_a_published_conversation_is_a_revision(
    client, conversation_lesson, author_user, reviewer_user
):
    question = conversation_lesson.questions.get()
    sign_in_officer(client, author_user)

    response = move(client, question, "endings-0-down")

    assert response.status_code == 302
    assert keys(question.endings) == ["hung-up", "paid"]  # citizens see no change yet
    revision = Revision.objects.get()
    assert [e["key"] for e in revision.data["endings"]] == ["paid", "hung-up"]
    revision.approve(reviewer_user)
    assert keys(question.endings) == ["paid", "hung-up"]


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_a_reviewer_sees_what_a_conversation_revision_changes(
    client, conversation_lesson, author_user, reviewer_user, lang
):
    """The revision's page names the turns, endings and replies it changed (it failed
    with a server error for parts the bundle keeps as lists of their own)."""
    question = conversation_lesson.questions.get()
    sign_in_officer(client, author_user)
    move(client, question, "endings-0-down")
    move(client, question, "turns-0-down")
    client.logout()
    sign_in_officer(client, reviewer_user)

    url = reverse("admin:quizzes_revision_change", args=[Revision.objects.get().pk])
    page = client.get(url.replace("/en/", f"/{lang}/", 1), HTTP_ACCEPT_LANGUAGE=lang)

    assert page.status_code == 200
    shown = page.content.decode()
    if lang == "zh-hans":
        assert "对话结局" in shown and "endings" not in shown
    else:
        assert "conversation ending" in shown


def test_parts_that_learners_marked_keep_their_places(client, spot_lesson, author_user):
    """A revision matches parts to spot by position, as it does choices: moving one would
    put another text under what learners marked."""
    question = spot_lesson.questions.get()
    answer = AnswerFactory(question=question, choice=None, is_correct=False)
    answer.spots.add(question.spots.get(position=2))
    before = spot_texts(question)
    sign_in_officer(client, author_user)
    page = client.get(change_url(question))
    assert 'name="_move"' not in page.content.decode()

    client.post(change_url(question), {**form_data(page), "_move": "spots-0-down"})

    assert spot_texts(question) == before
    assert not Revision.objects.exists()


def test_a_move_naming_another_questions_part_is_refused_and_changes_nothing(
    client, spot_lesson, author_user
):
    question = draft_spot_question(spot_lesson)
    other = SpotFactory(text_en="Someone else's part")
    SpotFactory(question=other.question, text_en="Its second part")
    before = spot_texts(question), spot_texts(other.question)
    sign_in_officer(client, author_user)

    forged = move(client, question, "spots-0-down", **{"spots-0-id": str(other.pk)})
    elsewhere = move(client, question, "choices-0-down")  # no choices on this page

    assert (forged.status_code, elsewhere.status_code) == (400, 400)
    assert (spot_texts(question), spot_texts(other.question)) == before


def test_a_move_asked_for_by_a_link_is_refused(client, conversation_lesson, author_user):
    question = draft_conversation(conversation_lesson)
    sign_in_officer(client, author_user)

    response = client.get(change_url(question), {"_move": "turns-0-down"})

    assert response.status_code == 405
    assert keys(question.turns) == ["opening", "safe-account"]


@pytest.mark.parametrize(
    "may_change",
    [
        pytest.param([], id="an-analyst"),
        pytest.param(["change_question", "change_choice"], id="the-question-but-not-its-turns"),
    ],
)
def test_an_officer_who_may_not_change_the_turns_cannot_move_them(
    client, conversation_lesson, may_change
):
    """An analyst reads the question; another officer may change the question (and
    its choices) but not its turns: neither sees the buttons nor moves a turn."""
    question = draft_conversation(conversation_lesson)
    officer = _staff("officer-reader", "Analysts")
    officer.user_permissions.add(*Permission.objects.filter(codename__in=may_change))
    sign_in_officer(client, officer)
    page = client.get(change_url(question))
    assert 'name="_move"' not in page.content.decode()

    response = client.post(change_url(question), {**form_data(page), "_move": "turns-0-down"})

    assert response.status_code == 403
    assert keys(question.turns) == ["opening", "safe-account"]


# --- Reading the rows in the officer's language --------------------------------------------


def page_in(client, language, question):
    """The question's change page in the workspace language ``language``."""
    client.post(reverse("admin:quizzes_workspace_language"), {"language": language})
    return client.get(change_url(question)).content.decode()


def test_parts_turns_replies_and_endings_name_their_language_as_every_other_form(
    client, spot_lesson, conversation_lesson, author_user
):
    """ "原因（中文）", as a lesson's "标题（中文）", not django-modeltranslation's
    "原因 [zh-hans]"; both languages of a text side by side."""
    sign_in_officer(client, author_user)

    spots = page_in(client, "zh-hans", spot_lesson.questions.get())
    call = page_in(client, "zh-hans", conversation_lesson.questions.get())

    assert 'for="id_spots-0-text_en">消息中的原文（英文）:</label>' in spots
    assert 'for="id_spots-0-explanation_zh_hans">原因（中文）:</label>' in spots
    assert "form-multiline field-explanation_en field-explanation_zh_hans" in spots
    for label in (
        "后来发生了什么（英文）",
        "后来发生了什么（中文）",
        "骗子说的话（中文）",
        "这一步在做什么（中文）",
        '<label for="id_turns-0-reply_1_text_en">回复 1（英文）:</label>',
        '<label class="inline" for="id_turns-0-reply_3_text_zh_hans">回复 3（中文）:</label>',
        "form-multiline field-reply_2_text_en field-reply_2_text_zh_hans",
    ):
        assert label in call
    for page in (spots, call):
        for raw in ("[en]", "[zh-hans]", "[English]", "[简体中文]"):
            assert raw not in page


def test_the_same_rows_read_in_english(client, conversation_lesson, spot_lesson, author_user):
    sign_in_officer(client, author_user)

    spots = page_in(client, "en", spot_lesson.questions.get())
    call = page_in(client, "en", conversation_lesson.questions.get())

    assert "Words in the message (Chinese):" in spots and "Why (English):" in spots
    assert "What happened next (Chinese):" in call
    assert "Reply 2 (English):" in call and "Reply 2 leads to:" in call
    assert "[en]" not in spots + call and "[zh-hans]" not in spots + call


# --- Saying why rows do not move -----------------------------------------------------------

KEEP_PLACES = "Learners have answered with these rows, so they keep their places."


def test_parts_that_learners_marked_say_why_they_have_no_move_buttons(
    client, spot_lesson, author_user
):
    question = draft_spot_question(spot_lesson)
    sign_in_officer(client, author_user)
    before = page_in(client, "en", question)

    answer = AnswerFactory(question=question, choice=None, is_correct=False)
    answer.spots.add(question.spots.get(position=2))
    after = page_in(client, "en", question)
    in_chinese = page_in(client, "zh-hans", question)

    assert 'name="_move"' in before and KEEP_PLACES not in before
    assert 'name="_move"' not in after
    assert f'<p class="help order-fixed">{KEEP_PLACES}</p>' in after
    assert after.count("<h1") == 1
    assert '<p class="help order-fixed">已有学习者按这些条目作答，顺序不能再调整。</p>' in (
        in_chinese
    )


def test_only_the_list_learners_went_through_says_so(client, conversation_lesson, author_user):
    """A learner replied at the first turn but reached no ending yet: the turns keep
    their places and say why; the endings still move."""
    question = draft_conversation(conversation_lesson)
    opening = question.turns.get(key="opening")
    Step.objects.create(
        run=QuizRunFactory(),
        question=question,
        turn=opening,
        reply=opening.replies.get(position=1),
    )
    sign_in_officer(client, author_user)

    page = page_in(client, "en", question)

    assert page.count(KEEP_PLACES) == 1
    assert page.index("turns-heading") < page.index(KEEP_PLACES)
    assert 'value="turns-0-down"' not in page and 'value="endings-0-down"' in page


def test_an_officer_who_may_not_change_the_rows_is_not_told_they_keep_their_places(
    client, spot_lesson
):
    """An analyst sees no move buttons anyway: the sentence would give the wrong reason."""
    question = spot_lesson.questions.get()
    answer = AnswerFactory(question=question, choice=None, is_correct=False)
    answer.spots.add(question.spots.get(position=2))
    sign_in_officer(client, _staff("officer-reader", "Analysts"))

    page = page_in(client, "en", question)

    assert "within 24 hours" in page and KEEP_PLACES not in page
