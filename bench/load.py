"""Virtual users and the endpoints they drive, and one timed phase of load.

A phase runs N virtual users (threads) in a closed loop: each sends its next operation
as soon as the previous one is answered, with no think time, until the phase's duration
is up or its operation budget is spent. Nothing is sent before all users are ready.

An operation is one GET for every endpoint but ``answer``, where it is the stateful flow
a browser without JavaScript goes through: POST a choice from the page in hand, follow
the redirect to the feedback. The feedback page carries the run's next question and its
form, so the next answer is posted from it: two requests per answer (a conversation takes
two per turn). Only a run's first question is a GET of its own. Its latency is the POST
plus the feedback GET, what the learner waits for after pressing "Check my answer". Each
user starts its own run (POST /en/lessons/<slug>/quiz/) and starts a new one when
finished. ``bare-answer`` is GET form + POST + GET on bare Django, the answer flow's
ceiling (its page does not carry the next form).
"""

import random
import threading
import time
from dataclasses import dataclass, field

from .client import CHOICE_RE, RUN_SIZE_RE, HTTPError, Session, answer_fields
from .conversation import op_conversation

ERROR_PAUSE = 0.01  # seconds a user waits after a failed operation, so errors cannot spin
BARRIER_TIMEOUT = 120  # seconds the users may take to set up before a phase


@dataclass
class Run:
    """A quiz run a virtual user owns: where its questions live and how many it has."""

    prefix: str  # /en/runs/<uuid>/
    size: int | None = None
    position: int = 1
    page: object = None  # the last feedback page, which carries the next question's form

    def question(self, position=None):
        return f"{self.prefix}{position or self.position}/"


class VirtualUser:
    """One browser. Keeps two sessions: an anonymous first-time visitor for the home and
    lesson pages (no cookies are sent back), and a learner whose session holds the runs
    for the question, answer and progress pages."""

    def __init__(self, host, port, index, lesson, seed=1, transport=None, proxy=False):
        self.index = index
        self.lesson = lesson
        self.host, self.port, self.transport, self.proxy = host, port, transport, proxy
        self.learner = Session(host, port, transport=transport, proxy=proxy)
        self.visitor_requests = 0
        self.rng = random.Random(seed * 1000 + index)
        self.browse_run = None  # unanswered questions, for the question page
        self.answer_run = None  # the run being answered
        self.cycle = 0
        self.bare_question = 0  # the bare answer flow's question number
        self.answers = 0  # answers recorded so far: the progress page's cost grows with it

    @property
    def requests(self):
        return self.learner.requests + self.visitor_requests

    def visit(self, path):
        """GET as a first-time visitor: a fresh cookie jar every time."""
        session = Session(self.host, self.port, transport=self.transport, proxy=self.proxy)
        try:
            return session.get(path)
        finally:
            self.visitor_requests += session.requests

    def start_run(self):
        """POST the lesson's "start" form; returns the new Run."""
        lesson_path = f"/en/lessons/{self.lesson}/"
        if self.learner.csrf_token is None or "csrftoken" not in self.learner.cookies:
            self.learner.get(lesson_path)
        if self.learner.csrf_token is None:
            raise HTTPError(f"no CSRF token on {lesson_path}")
        response = self.learner.post(
            f"{lesson_path}quiz/", {"csrfmiddlewaretoken": self.learner.csrf_token}
        )
        target = self.learner.location(response)
        prefix, _, position = target.rstrip("/").rpartition("/")
        if position != "1" or "/runs/" not in prefix:
            raise HTTPError(f"starting a run redirected to {target}")
        return Run(prefix + "/")

    def ensure_learner(self):
        """Set-up before a timed phase: a session with a run to browse."""
        if self.browse_run is None:
            self.browse_run = self.start_run()
            page = self.learner.get(self.browse_run.question(1))
            self.browse_run.size = run_size(page)


def run_size(response):
    match = RUN_SIZE_RE.search(response.text)
    if not match:
        raise HTTPError("question page without its progress bar")
    return int(match.group(1))


# Operations: each returns (latency in seconds) or raises.


def op_bare(user):
    return user.visit("/bare/").seconds


def op_floor(user):
    return user.learner.get("/floor/").seconds


def op_bare_answer(user):
    """The answer flow on bare Django (bench/bare/urls.py): the same three requests."""
    user.bare_question += 1
    path = f"/bare/answer/{user.bare_question}/"
    page = user.learner.get(path)
    choices = CHOICE_RE.findall(page.text)
    if not choices or user.learner.csrf_token is None:
        raise HTTPError(f"{path}: no answer form")
    posted = user.learner.post(
        path,
        {"csrfmiddlewaretoken": user.learner.csrf_token, "choice": user.rng.choice(choices)},
    )
    if user.learner.location(posted) != path:
        raise HTTPError(f"answer redirected to {posted.header('location')}")
    feedback = user.learner.get(path)
    if b'id="feedback"' not in feedback.body:
        raise HTTPError(f"{path}: no feedback after answering")
    return posted.seconds + feedback.seconds


def op_home(user):
    return user.visit("/en/").seconds


def op_lesson(user):
    return user.visit(f"/en/lessons/{user.lesson}/").seconds


def op_question(user):
    run = user.browse_run
    position = user.cycle % run.size + 1
    user.cycle += 1
    response = user.learner.get(run.question(position))
    if b'id="answer-area"' not in response.body:
        raise HTTPError("question page without its answer form")
    return response.seconds


def op_answer(user):
    """Answer the run's next question from the page in hand: the last feedback page,
    which carries it (a run's first question is fetched). Returns the POST and feedback
    GET's latency."""
    run = user.answer_run
    if run is None or (run.size is not None and run.position > run.size):
        run = user.answer_run = user.start_run()
    path = run.question()
    page = run.page
    if page is None or f'action="{path}"'.encode() not in page.body:
        page = user.learner.get(path)
        run.size = run_size(page)
    seconds = 0.0
    # A conversation takes one POST and one GET per turn until an ending; the last
    # pair is timed.
    for _turn in range(13):
        fields = answer_fields(user.rng, page.text)
        if fields is None or user.learner.csrf_token is None:
            user.answer_run = None
            raise HTTPError(f"{path}: no answer form (already answered?)")
        posted = user.learner.post(
            path, {"csrfmiddlewaretoken": user.learner.csrf_token, **fields}
        )
        if user.learner.location(posted) != path:
            user.answer_run = None
            raise HTTPError(f"answer redirected to {posted.header('location')}")
        page = user.learner.get(path)
        seconds = posted.seconds + page.seconds
        if b'id="feedback"' in page.body:
            break
    else:
        user.answer_run = None
        raise HTTPError(f"{path}: no feedback after answering")
    run.page = page
    run.position += 1
    user.answers += 1
    return seconds


def op_progress(user):
    response = user.learner.get("/en/progress/")
    return response.seconds


def op_review(user):
    """Today's review and the mastery page: both read the learner's summaries (the due
    count, the red flags), whatever the history the answer phases left."""
    review = user.learner.get("/en/review/")
    if b"<h1>" not in review.body:
        raise HTTPError("review page without its heading")
    mastery = user.learner.get("/en/what-you-spot/")
    return review.seconds + mastery.seconds


ENDPOINTS = {
    # name: (operation, needs a learner session, what it is)
    "bare": (op_bare, False, "GET /bare/ (1 KB, no middleware)"),
    "bare-answer": (
        op_bare_answer,
        False,
        "GET form + POST choice + GET feedback on bare Django (signed-cookie session, CSRF)",
    ),
    "floor": (op_floor, True, "GET /floor/: the app's middleware, session and CSRF token"),
    "home": (op_home, False, "GET /en/ as a first-time visitor"),
    "lesson": (op_lesson, False, "GET /en/lessons/<slug>/ as a first-time visitor"),
    "question": (op_question, True, "GET /en/runs/<uuid>/<n>/, unanswered, own session"),
    "answer": (
        op_answer,
        True,
        "POST answer + GET feedback (which carries the next question's form)",
    ),
    "conversation": (
        op_conversation,
        False,
        "a conversation played to its ending: POST reply + GET next turn, each turn "
        "(bench/conversation.py)",
    ),
    "progress": (op_progress, True, "GET /en/progress/ with the learner's session"),
    "review": (op_review, True, "GET /en/review/ + GET /en/what-you-spot/, same session"),
}


@dataclass
class PhaseResult:
    endpoint: str
    seconds: float
    ops: int
    requests: int
    errors: int
    latencies: list = field(repr=False)
    error_samples: list = field(default_factory=list)
    setup_errors: int = 0


def run_phase(users, endpoint, duration, max_ops, on_start=None, on_stop=None):
    """Drive ``endpoint`` with every user for ``duration`` seconds or until ``max_ops``
    operations in all, whichever comes first. ``on_start``/``on_stop`` are called right
    before the users are released and right after the last one stopped (CPU readings)."""
    operation, needs_learner, _ = ENDPOINTS[endpoint]
    per_user = max(1, max_ops // len(users))
    ready = threading.Barrier(len(users) + 1, timeout=BARRIER_TIMEOUT)
    go = threading.Barrier(len(users) + 1, timeout=BARRIER_TIMEOUT)
    clock = {}
    stats = [
        {"ops": 0, "errors": 0, "lat": [], "samples": [], "setup": 0, "req0": 0} for _ in users
    ]

    def work(user, stat):
        if needs_learner:
            try:
                user.ensure_learner()
            except Exception as exc:
                stat["setup"] += 1
                stat["samples"].append(f"set-up: {exc}")
        stat["req0"] = user.requests
        ready.wait()
        go.wait()
        deadline = clock["deadline"]
        while stat["ops"] + stat["errors"] < per_user and time.perf_counter() < deadline:
            try:
                stat["lat"].append(operation(user))
                stat["ops"] += 1
            except Exception as exc:  # any failure is counted, none stops the user
                stat["errors"] += 1
                if len(stat["samples"]) < 3:
                    stat["samples"].append(f"{type(exc).__name__}: {exc}")
                time.sleep(ERROR_PAUSE)
        stat["requests"] = user.requests - stat["req0"]

    threads = [
        threading.Thread(target=work, args=(u, s), daemon=True, name=f"vu{u.index}")
        for u, s in zip(users, stats, strict=True)
    ]
    for thread in threads:
        thread.start()
    # Set-up (sessions, runs) happens before ``ready``; it is not measured.
    ready.wait()
    if on_start:
        on_start()
    start = time.perf_counter()
    clock["deadline"] = start + duration
    go.wait()
    for thread in threads:
        # A request is bounded by the client timeout, so the users end soon after.
        thread.join(duration + 60)
    elapsed = time.perf_counter() - start
    if on_stop:
        on_stop()
    latencies = [lat for s in stats for lat in s["lat"]]
    return PhaseResult(
        endpoint=endpoint,
        seconds=elapsed,
        ops=sum(s["ops"] for s in stats),
        requests=sum(s.get("requests", 0) for s in stats),
        errors=sum(s["errors"] for s in stats),
        latencies=latencies,
        error_samples=[m for s in stats for m in s["samples"]][:5],
        setup_errors=sum(s["setup"] for s in stats),
    )


def percentile(sorted_values, q):
    """Nearest-rank percentile of an already sorted list; None when empty."""
    if not sorted_values:
        return None
    rank = max(1, int(-(-q * len(sorted_values) // 100)))  # ceil(q/100 * n)
    return sorted_values[min(rank, len(sorted_values)) - 1]
