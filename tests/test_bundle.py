"""Export and import of the curriculum as a versioned bundle."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from quizzes.curriculum.bundle import BundleError, export_bundle, import_bundle, read_bundle
from quizzes.curriculum.items import split
from quizzes.models import (
    Action,
    Choice,
    Ending,
    Import,
    LegalReference,
    Lesson,
    LessonStep,
    Question,
    RedFlag,
    Reminder,
    Reply,
    Revision,
    Source,
    Spot,
    Status,
    Turn,
    WorkflowError,
)

from .conftest import sign_in_officer
from .factories import LessonFactory, QuestionFactory, UserFactory

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


def approve_everything(reviewer):
    """A second officer approves every revision and every lesson in review."""
    for revision in Revision.objects.open():
        revision.approve(reviewer)
    for lesson in Lesson.objects.filter(status=Status.REVIEW):
        lesson.transition(Action.APPROVE, reviewer)


def test_round_trip_into_an_empty_database_reproduces_everything(
    curriculum, author_user, reviewer_user
):
    before, bundle = split(export_bundle()), export_bundle()
    empty_database()

    summary, _ = import_bundle(read_bundle(json.dumps(bundle)), author_user)

    # New general reminders reach citizens at once, so they arrive as revisions.
    general = len(bundle["vocabulary"]["reminders"])
    assert summary["unchanged"] == 0 and summary["changed"] == summary["for review"] == general
    assert not Lesson.objects.published().exists()  # all of it waits for review
    approve_everything(reviewer_user)
    assert split(export_bundle()) == before
    assert not Lesson.objects.exclude(status=Status.PUBLISHED).exists()


def test_importing_the_same_bundle_again_changes_nothing(curriculum, author_user):
    bundle = json.dumps(export_bundle())

    summary, _ = import_bundle(read_bundle(bundle), author_user)

    assert summary["created"] == 0 and summary["changed"] == 0
    assert not Revision.objects.exists()


def test_one_lesson_exports_alone(curriculum):
    bundle = export_bundle(Lesson.objects.filter(slug="fake-boss"))

    assert [lesson["slug"] for lesson in bundle["lessons"]] == ["fake-boss"]
    assert bundle["format"] == "antifraud-curriculum" and bundle["version"] == 1


def test_dry_run_reports_and_writes_nothing(curriculum, author_user):
    bundle = export_bundle()
    bundle["lessons"][0]["title"]["en"] = "A new title"
    empty_before = snapshot()

    summary, counts = import_bundle(read_bundle(json.dumps(bundle)), author_user, dry_run=True)

    assert summary["changed"] == 1
    assert counts[("lesson", "for review")] == 1
    assert snapshot() == empty_before
    assert not Revision.objects.exists()


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
def test_a_bundle_with_an_error_leaves_the_database_unchanged(
    curriculum, author_user, mutate, problem
):
    bundle = export_bundle()
    bundle["lessons"][0]["title"]["en"] = "Would change if imported"
    mutate(bundle)
    before = snapshot()

    with pytest.raises(BundleError) as error:
        import_bundle(read_bundle(json.dumps(bundle)), author_user)

    assert any(problem in p for p in error.value.problems), error.value.problems
    assert snapshot() == before


def test_a_database_error_mid_import_rolls_everything_back(curriculum, author_user):
    bundle = export_bundle(Lesson.objects.filter(slug__in=["qr-code-trojans", "fake-boss"]))
    bundle["lessons"][0]["title"]["en"] = "Would change if imported"
    # A new lesson in the place of a lesson the bundle does not hold: the database refuses.
    bundle["lessons"][1]["slug"] = "renamed-lesson"
    bundle["lessons"][1]["position"] = Lesson.objects.get(slug="guess-who-i-am").position
    before = snapshot()

    with pytest.raises(BundleError, match="The database refused the bundle"):
        import_bundle(read_bundle(json.dumps(bundle)), author_user)

    assert snapshot() == before


def test_not_json_is_refused():
    with pytest.raises(BundleError, match="not a JSON document"):
        read_bundle(b"\xff\xfe not json")


def test_commands_export_then_import_for_review(curriculum, tmp_path, reviewer_user):
    path = tmp_path / "bundle.json"
    lesson = Lesson.objects.get(slug="qr-code-trojans")
    call_command("export_curriculum", "--lesson", lesson.slug, "-o", str(path), stderr=StringIO())
    Lesson.objects.filter(pk=lesson.pk).update(title_en="Changed")

    out = StringIO()
    call_command("import_curriculum", str(path), "--as", reviewer_user.username, stdout=out)
    assert "Dry run: 0 created, 1 changed" in out.getvalue()
    assert not Revision.objects.exists()

    call_command("import_curriculum", str(path), "--yes", "--as", "officer-reviewer", stdout=out)
    assert Lesson.objects.get(pk=lesson.pk).title_en == "Changed"  # nothing published
    revision = Revision.objects.get()
    with pytest.raises(WorkflowError, match="Another reviewer must approve it"):
        revision.approve(reviewer_user)
    revision.approve(UserFactory(username="chief", is_superuser=True, is_staff=True))
    assert Lesson.objects.get(pk=lesson.pk).title_en == "QR codes that plant trojans"


def test_import_command_reports_problems(tmp_path, reviewer_user):
    path = tmp_path / "bad.json"
    path.write_text('{"format": "antifraud-curriculum", "version": 1}')

    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_curriculum", str(path), "--as", reviewer_user.username)


def test_import_command_needs_an_officer_who_may_import(tmp_path, author_user):
    with pytest.raises(CommandError, match="not an officer who may import"):
        call_command("import_curriculum", str(tmp_path / "x.json"), "--as", "officer-author")


def upload(client, bundle):
    file = StringIO(json.dumps(bundle))
    file.name = "bundle.json"
    return client.post(reverse("admin:quizzes_import"), {"bundle": file})


def test_admin_upload_shows_a_dry_run_then_imports_for_review(client, reviewer_user, lesson):
    sign_in_officer(client, reviewer_user)
    bundle = export_bundle()
    bundle["lessons"][0]["title"]["en"] = "Imported title"

    response = upload(client, bundle)

    content = response.content.decode()
    assert "Importing will create 0, change 1 and leave" in content
    assert Lesson.objects.get(pk=lesson.pk).title_en == "Fake courier claims"
    signed = response.context["signed"]

    response = client.post(reverse("admin:quizzes_import"), {"signed": signed})

    assert response.status_code == 302
    assert Lesson.objects.get(pk=lesson.pk).title_en == "Fake courier claims"
    revision = Revision.objects.get(key="fake-courier")
    assert revision.data["title"]["en"] == "Imported title" and revision.imported
    assert list(revision.authors.all()) == [reviewer_user]
    assert client.get(lesson.get_absolute_url()).content.decode().count("Imported title") == 0


def test_an_import_of_published_content_publishes_nothing(client, reviewer_user, lesson):
    sign_in_officer(client, reviewer_user)
    bundle = export_bundle()
    new = {**bundle["lessons"][0], "slug": "imported", "position": 77, "status": "published"}
    new["reminders"] = [{**new["reminders"][0], "slug": "imported-1"}]
    bundle["lessons"].append(new)
    bundle["lessons"][0]["questions"][0]["body"]["en"] = "Imported scenario text."

    signed = upload(client, bundle).context["signed"]
    client.post(reverse("admin:quizzes_import"), {"signed": signed})

    imported = Lesson.objects.get(slug="imported")
    assert imported.status == Status.REVIEW
    assert imported.questions.exclude(status=Status.REVIEW).count() == 0
    assert imported.transitions.get().action == Action.IMPORTED
    assert client.get(imported.get_absolute_url()).status_code == 404
    assert lesson.questions.get(slug="q1").body_en == "Scenario number 1: add our claims account."
    with pytest.raises(WorkflowError, match="Another reviewer must approve it"):
        imported.transition(Action.APPROVE, reviewer_user)


def test_a_confirmation_works_once_and_only_for_its_officer(client, reviewer_user, lesson):
    sign_in_officer(client, reviewer_user)
    bundle = export_bundle()
    bundle["lessons"][0]["title"]["en"] = "Imported title"
    signed = upload(client, bundle).context["signed"]
    other = UserFactory(username="chief", is_superuser=True, is_staff=True)

    sign_in_officer(client, other)
    refused = client.post(reverse("admin:quizzes_import"), {"signed": signed}, follow=True)
    assert "The import could not be confirmed" in refused.content.decode()
    assert not Revision.objects.exists()

    sign_in_officer(client, reviewer_user)
    client.post(reverse("admin:quizzes_import"), {"signed": signed})
    record = Import.objects.get()
    assert (record.user, record.summary["changed"]) == (reviewer_user, 1)
    listing = client.get(reverse("admin:quizzes_import_changelist")).content.decode()
    assert "officer-reviewer" in listing
    Revision.objects.all().delete()
    replay = client.post(reverse("admin:quizzes_import"), {"signed": signed}, follow=True)
    assert "The import could not be confirmed" in replay.content.decode()
    assert not Revision.objects.exists()


def test_an_import_missing_chinese_text_is_refused(client, reviewer_user, lesson):
    sign_in_officer(client, reviewer_user)
    bundle = export_bundle()
    bundle["lessons"][0]["title"]["zh_hans"] = ""

    response = upload(client, bundle)

    assert response.status_code == 400
    assert "lessons[fake-courier].title: no text in zh_hans" in response.content.decode()


def test_admin_refuses_a_tampered_confirmation(client, superuser, lesson):
    sign_in_officer(client, superuser)

    client.post(reverse("admin:quizzes_import"), {"signed": "forged:data"})

    assert Lesson.objects.get(pk=lesson.pk).title_en == "Fake courier claims"


def test_admin_upload_of_a_broken_bundle_answers_400(client, superuser):
    sign_in_officer(client, superuser)

    response = upload(client, [])

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
