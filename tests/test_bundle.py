"""Export and import of the curriculum as a versioned bundle."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from quizzes.curriculum.bundle import BundleError, export_bundle, import_bundle, read_bundle
from quizzes.models import (
    Choice,
    Ending,
    LegalReference,
    Lesson,
    LessonStep,
    Question,
    RedFlag,
    Reminder,
    Reply,
    Source,
    Spot,
    Status,
    Turn,
)

from .conftest import sign_in_officer
from .factories import LessonFactory, QuestionFactory

pytestmark = pytest.mark.django_db

CONTENT = (
    Source,
    RedFlag,
    Lesson,
    LessonStep,
    Reminder,
    Question,
    Choice,
    Spot,
    Turn,
    Reply,
    Ending,
)


def snapshot():
    """Every content row as plain values (without ids and edit stamps)."""
    skip = {"id", "updated_at", "updated_by"}
    rows = {}
    for model in CONTENT:
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
        rows[model.__name__] = sorted(
            map(repr, model.objects.values_list(*[f for f in fields if not f.endswith("_id")]))
        )
    return rows


def without_stamp(bundle):
    return {k: v for k, v in bundle.items() if k != "exported_at"}


@pytest.fixture
def curriculum():
    call_command("load_curriculum", stdout=StringIO())
    # Some workflow state that the shipped files do not have, to travel too.
    lesson = Lesson.objects.get(slug="fake-boss")
    lesson.status, lesson.valid_until = Status.REVIEW, "2031-12-31"
    lesson.save()
    Question.objects.filter(lesson=lesson, position=2).update(status=Status.DRAFT)


def empty_database():
    for model in (Lesson, Reminder, RedFlag, LegalReference, Source):
        model.objects.all().delete()
    assert not Question.objects.exists()


def test_round_trip_into_an_empty_database_reproduces_everything(curriculum):
    before, bundle = snapshot(), export_bundle()
    empty_database()

    summary, _ = import_bundle(read_bundle(json.dumps(bundle)))

    assert summary["changed"] == 0 and summary["unchanged"] == 0
    assert snapshot() == before
    assert without_stamp(export_bundle()) == without_stamp(bundle)
    assert Lesson.objects.get(slug="fake-boss").status == Status.REVIEW


def test_importing_the_same_bundle_again_changes_nothing(curriculum):
    bundle = json.dumps(export_bundle())

    summary, _ = import_bundle(read_bundle(bundle))

    assert summary["created"] == 0 and summary["changed"] == 0


def test_one_lesson_exports_alone(curriculum):
    bundle = export_bundle(Lesson.objects.filter(slug="fake-boss"))

    assert [lesson["slug"] for lesson in bundle["lessons"]] == ["fake-boss"]
    assert bundle["format"] == "antifraud-curriculum" and bundle["version"] == 1


def test_dry_run_reports_and_writes_nothing(curriculum):
    bundle = export_bundle()
    bundle["lessons"][0]["title"]["en"] = "A new title"
    empty_before = snapshot()

    summary, counts = import_bundle(read_bundle(json.dumps(bundle)), dry_run=True)

    assert summary["changed"] == 1
    assert counts[("lessons", "updated")] == 1
    assert snapshot() == empty_before


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (lambda b: b.update(version=99), "bundle version 99"),
        (lambda b: b.update(format="other"), "not a curriculum bundle"),
        (lambda b: b["lessons"][0].update(red_flags=["no-such-flag"]), "unknown red flag"),
        (
            lambda b: b["lessons"][0]["questions"][0]["choices"][0].update(correct=True),
            "more than one correct choice",
        ),
        (lambda b: b["lessons"][1]["questions"][0].update(channel="fax"), "channel must be"),
        (lambda b: b["lessons"][2].pop("slug"), "slug missing"),
    ],
)
def test_a_bundle_with_an_error_leaves_the_database_unchanged(curriculum, mutate, problem):
    bundle = export_bundle()
    bundle["lessons"][0]["title"]["en"] = "Would change if imported"
    mutate(bundle)
    before = snapshot()

    with pytest.raises(BundleError) as error:
        import_bundle(read_bundle(json.dumps(bundle)))

    assert any(problem in p for p in error.value.problems), error.value.problems
    assert snapshot() == before


def test_a_database_error_mid_import_rolls_everything_back(curriculum):
    bundle = export_bundle(Lesson.objects.filter(slug__in=["qr-code-trojans", "fake-boss"]))
    bundle["lessons"][0]["title"]["en"] = "Would change if imported"
    # A new lesson in the place of a lesson the bundle does not hold: the database refuses.
    bundle["lessons"][1]["slug"] = "renamed-lesson"
    bundle["lessons"][1]["position"] = Lesson.objects.get(slug="guess-who-i-am").position
    before = snapshot()

    with pytest.raises(BundleError, match="The database refused the bundle"):
        import_bundle(read_bundle(json.dumps(bundle)))

    assert snapshot() == before


def test_not_json_is_refused():
    with pytest.raises(BundleError, match="not a JSON document"):
        read_bundle(b"\xff\xfe not json")


def test_commands_export_then_import(curriculum, tmp_path):
    path = tmp_path / "bundle.json"
    call_command("export_curriculum", "--lesson", "fake-boss", "-o", str(path), stderr=StringIO())
    Lesson.objects.filter(slug="fake-boss").update(title_en="Changed")

    out = StringIO()
    call_command("import_curriculum", str(path), stdout=out)
    assert "Dry run: 0 created, 1 changed" in out.getvalue()
    assert Lesson.objects.get(slug="fake-boss").title_en == "Changed"

    call_command("import_curriculum", str(path), "--yes", stdout=out)
    assert Lesson.objects.get(slug="fake-boss").title_en != "Changed"


def test_import_command_reports_problems(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"format": "antifraud-curriculum", "version": 1}')

    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_curriculum", str(path))


def test_admin_upload_shows_a_dry_run_then_imports(client, superuser, lesson):
    sign_in_officer(client, superuser)
    bundle = export_bundle()
    bundle["lessons"][0]["title"]["en"] = "Imported title"
    upload = StringIO(json.dumps(bundle))
    upload.name = "bundle.json"

    response = client.post(reverse("admin:quizzes_import"), {"bundle": upload})

    content = response.content.decode()
    assert "Importing will create 0, change 1 and leave" in content
    assert Lesson.objects.get(pk=lesson.pk).title_en == "Fake courier claims"
    signed = response.context["signed"]

    response = client.post(reverse("admin:quizzes_import"), {"signed": signed})

    assert response.status_code == 302
    assert Lesson.objects.get(pk=lesson.pk).title_en == "Imported title"


def test_admin_refuses_a_tampered_confirmation(client, superuser, lesson):
    sign_in_officer(client, superuser)

    client.post(reverse("admin:quizzes_import"), {"signed": "forged:data"})

    assert Lesson.objects.get(pk=lesson.pk).title_en == "Fake courier claims"


def test_admin_upload_of_a_broken_bundle_answers_400(client, superuser):
    sign_in_officer(client, superuser)
    upload = StringIO("[]")
    upload.name = "bundle.json"

    response = client.post(reverse("admin:quizzes_import"), {"bundle": upload})

    assert response.status_code == 400
    assert "This bundle cannot be imported. Nothing was written" in response.content.decode()


def test_admin_export_downloads_one_lesson(client, superuser, lesson):
    LessonFactory(slug="other")
    QuestionFactory(lesson=lesson, slug="extra", position=5)
    sign_in_officer(client, superuser)

    response = client.get(reverse("admin:quizzes_export") + "?lesson=fake-courier")

    data = json.loads(response.content)
    assert [item["slug"] for item in data["lessons"]] == ["fake-courier"]
    assert "attachment" in response["Content-Disposition"]
