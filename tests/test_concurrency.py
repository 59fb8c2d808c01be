"""Many answers at once for the same learner (PostgreSQL only: SQLite serialises writes)."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from quizzes.models import Answer, QuizRun

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real concurrent transactions")


def test_fifty_simultaneous_submissions_store_one_answer_per_question(
    postgres_only, lesson, settings
):
    settings.RATE_LIMIT_ANSWERS_PER_MINUTE = 10_000
    client = Client()
    client.post(reverse("quizzes:start-quiz", args=[lesson.slug]))
    run = QuizRun.objects.get()
    cookie = client.cookies["sessionid"].value
    targets = []
    for rq in run.run_questions.select_related("question").order_by("position"):
        url = reverse("quizzes:run-question", args=[run.public_id, rq.position])
        targets.append((url, list(rq.question.choices.order_by("position"))))
    start = threading.Barrier(50)
    statuses = []

    def submit(n):
        url, choices = targets[n % len(targets)]
        browser = Client()
        browser.cookies["sessionid"] = cookie
        start.wait()
        try:
            response = browser.post(url, {"choice": choices[n // len(targets) % 2].pk})
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert set(statuses) <= {302, 409}
    assert statuses.count(302) >= len(targets)
    assert Answer.objects.filter(run=run).count() == len(targets)
    assert Answer.objects.filter(run=run).values("question").distinct().count() == len(targets)
    run.refresh_from_db()
    assert run.finished_at is not None
    progress = run.learner.progress_by_lesson()[0]
    assert progress.status in ("completed", "mastered")
    stored_right = Answer.objects.filter(run=run, is_correct=True).count()
    assert progress.latest == stored_right / len(targets)
