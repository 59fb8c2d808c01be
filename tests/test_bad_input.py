"""Bad input gets a clear 400 or a form error, never a 500: curriculum bundles of any
shape, statistics date ranges, export parameters."""

import json

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizzes.curriculum.bundle import BundleError, export_bundle, read_bundle

from .conftest import sign_in_officer
from .factories import LessonFactory, QuestionFactory

HEAD = {"format": "antifraud-curriculum", "version": 1}
EMPTY_VOCABULARY = {"sources": [], "red_flags": [], "legal_references": [], "reminders": []}


def bundle(lessons, vocabulary=None):
    return {**HEAD, "vocabulary": vocabulary or EMPTY_VOCABULARY, "lessons": lessons}


def lesson(**fields):
    base = {"slug": "x", "position": 1, "status": "draft", "sources": [], "red_flags": []}
    return {**base, "steps": [], **fields}


def refused(raw):
    with pytest.raises(BundleError) as error:
        read_bundle(raw)
    return "; ".join(error.value.problems)


# --- Bundles ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested deeper than a bundle ever is"),
        (
            json.dumps(
                bundle(
                    [
                        lesson(
                            steps=[
                                [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]
                            ]
                        )
                    ]
                )
            ),
            "nested deeper than a bundle ever is",
        ),
        (json.dumps(bundle([])).encode("utf-16"), "must be UTF-8 without a byte-order mark"),
        (b"\xef\xbb\xbf" + json.dumps(bundle([])).encode(), "without a byte-order mark"),
        (json.dumps(bundle([])).encode("utf-16-le"), "not a JSON document"),
        (
            json.dumps(bundle([lesson(title={"en": "\ud800", "zh_hans": None})])).encode(),
            "invalid character",
        ),
        (json.dumps(bundle([lesson(slug="a\x00b")])), "NUL character"),
        (json.dumps(bundle([lesson()])).replace('"position": 1', '"position": 1e400'), "a number"),
        (json.dumps(bundle([lesson()])).replace('"position": 1', '"position": NaN'), "JSON"),
        (json.dumps(bundle([lesson(position="first")])), "lesson 1/position: must be a whole"),
        (json.dumps(bundle([lesson(position=True)])), "lesson 1/position: must be a whole"),
        (json.dumps(bundle([lesson(position=70000)])), "lesson 1/position: must be a whole"),
        (json.dumps(bundle([lesson(valid_until=20261201)])), "valid_until: must be a date"),
        (json.dumps(bundle([lesson(valid_until="31/12/2026")])), "valid_until: must be a date"),
        (json.dumps(bundle([lesson(status=["draft"])])), "status: must be one of"),
        (json.dumps(bundle([lesson(sources="sms")])), "sources: must be a list of codes"),
        (json.dumps(bundle([lesson(steps={"a": 1})])), "steps: must be a list"),
        (
            json.dumps(
                bundle(
                    [lesson(sources=["s"], cases=[{"loss": "lots", "source": "s"}])],
                    {**EMPTY_VOCABULARY, "sources": [{"code": "s"}]},
                )
            ),
            "case 1/loss: must be a whole number of yuan",
        ),
        (
            json.dumps(bundle([lesson(questions=[{"slug": "q", "channel": "sms"}])])),
            "question 1: is_scam missing",
        ),
        (
            json.dumps(
                bundle(
                    [
                        lesson(
                            questions=[
                                {
                                    "slug": "q",
                                    "channel": "sms",
                                    "is_scam": True,
                                    "choices": [{"position": "2"}],
                                }
                            ]
                        )
                    ]
                )
            ),
            "choice 1/position: must be a whole",
        ),
        (json.dumps({**HEAD, "vocabulary": {}, "lessons": []}), "sources: must be a list"),
        (json.dumps({**HEAD, "version": "1", "vocabulary": {}, "lessons": []}), "version"),
        (json.dumps(bundle([lesson(slug=None)])), "lesson 1: slug missing"),
        (json.dumps(bundle(["not an object"])), "lessons 1: must be an object"),
        (b"", "not a JSON document"),
        ("\x00", "not a JSON document"),
        (b"\xff\x00\xfe", "must be UTF-8 text"),
    ],
)
def test_malformed_bundles_are_refused_with_a_sentence(raw, problem):
    assert problem in refused(raw)


@pytest.mark.django_db
def test_an_exported_bundle_still_reads(lesson_with_case):
    raw = json.dumps(export_bundle(), ensure_ascii=False).encode()

    assert read_bundle(raw)["lessons"][0]["slug"] == "fake-courier"


@pytest.fixture
def lesson_with_case(lesson):
    from .factories import CaseFactory

    CaseFactory(lesson=lesson)
    return lesson


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=30,
)
KEYS = st.sampled_from(
    [
        "slug",
        "position",
        "status",
        "valid_until",
        "sources",
        "red_flags",
        "legal",
        "steps",
        "reminders",
        "cases",
        "questions",
        "title",
        "summary",
        "choices",
        "is_scam",
        "channel",
        "kind",
        "loss",
        "occurred",
        "source",
        "code",
        "text",
        "correct",
        "en",
        "zh_hans",
    ]
)
SHAPED = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 70000) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=6),
    max_leaves=40,
)


def reads_or_refuses(data):
    try:
        read_bundle(json.dumps(data, allow_nan=True))
    except BundleError as error:
        assert error.problems and all(isinstance(p, str) for p in error.problems)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON)
def test_any_json_is_read_or_refused_with_a_bundle_error(data):
    reads_or_refuses(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.fixed_dictionaries(
        {"sources": SHAPED, "red_flags": SHAPED, "legal_references": SHAPED, "reminders": SHAPED}
    ),
    st.lists(st.dictionaries(KEYS, SHAPED, max_size=10), max_size=3),
)
def test_any_bundle_shaped_json_is_read_or_refused_with_a_bundle_error(vocabulary, lessons):
    reads_or_refuses({**HEAD, "vocabulary": vocabulary, "lessons": lessons})


@pytest.mark.django_db
def test_the_import_page_answers_400_for_deep_nesting(client, superuser):
    from django.core.files.uploadedfile import SimpleUploadedFile

    sign_in_officer(client, superuser)
    upload = SimpleUploadedFile("b.json", b"[" * 100_000 + b"]" * 100_000)

    response = client.post(reverse("admin:quizzes_import"), {"bundle": upload})

    assert response.status_code == 400
    assert "The file is nested deeper than a bundle." in response.content.decode()


# --- Statistics and exports -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["admin:quizzes_statistics_csv", "admin:quizzes_answers_csv"])
@pytest.mark.parametrize(
    "query",
    ["start=9999-12-31&end=9999-12-31", "end=9999-12-31", "start=0001-01-01", "start=x"],
)
def test_csv_exports_answer_400_for_dates_out_of_range(client, superuser, name, query):
    sign_in_officer(client, superuser)

    response = client.get(f"{reverse(name)}?{query}")

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"


@pytest.mark.django_db
def test_the_dashboard_explains_dates_out_of_range(client, superuser):
    sign_in_officer(client, superuser)

    response = client.get(reverse("admin:quizzes_statistics") + "?start=9999-12-31&end=9999-12-31")

    assert response.status_code == 200
    assert "Choose a date between 2000-01-01 and 2100-12-31." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["%00", "fake%00boss", "a" * 300, "../etc"])
def test_an_export_with_a_malformed_lesson_parameter_is_refused(client, superuser, slug):
    LessonFactory(slug="fake-boss")
    sign_in_officer(client, superuser)

    response = client.get(f"{reverse('admin:quizzes_export')}?lesson={slug}")

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:quizzes_lesson_changelist")


@pytest.mark.django_db
def test_an_export_of_one_lesson_still_works(client, superuser):
    QuestionFactory(lesson=LessonFactory(slug="fake-boss"))
    sign_in_officer(client, superuser)

    response = client.get(f"{reverse('admin:quizzes_export')}?lesson=fake-boss")

    assert json.loads(response.content)["lessons"][0]["slug"] == "fake-boss"
