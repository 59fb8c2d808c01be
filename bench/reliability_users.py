"""Reliability run: the virtual users, and the record of every request they make."""

import random
import time
import uuid
from dataclasses import dataclass, field

from .client import CHOICE_RE, RUN_SIZE_RE, HTTPError, Session
from .client import request as http_request
from .servers import HOST

FRIENDLY_503 = b"The site is busy for a moment"
BACKOFF = (0.1, 0.3)  # seconds a user waits after a 503 or a connection error
# Pages that read the database whatever the cache holds: the first 200 of one of these
# after the restart is when the site is back for learners.
DB_KINDS = {"question", "answer", "answer-htmx", "feedback", "progress", "results", "start"}


@dataclass
class Record:
    start: float  # seconds since the load started
    end: float
    method: str
    kind: str
    path: str
    status: int | None  # None: connection error, time-out or unreadable reply
    friendly: bool = False  # a 503 with the friendly text and Retry-After
    error: str | None = None

    @property
    def seconds(self):
        return self.end - self.start


class Recorder:
    """A transport for client.Session that notes every request and its outcome."""

    def __init__(self, t0, records):
        self.t0, self.records, self.kind = t0, records, "?"

    def __call__(self, host, port, method, path, headers, body=b""):
        start = time.perf_counter() - self.t0
        try:
            response = http_request(host, port, method, path, headers, body)
        except (OSError, HTTPError) as exc:
            end = time.perf_counter() - self.t0
            error = f"{type(exc).__name__}: {exc}"
            self.records.append(Record(start, end, method, self.kind, path, None, error=error))
            raise
        end = time.perf_counter() - self.t0
        friendly = (
            response.status == 503
            and FRIENDLY_503 in response.body
            and response.header("retry-after") is not None
        )
        self.records.append(Record(start, end, method, self.kind, path, response.status, friendly))
        return response


# Virtual users -----------------------------------------------------------------------------


@dataclass
class QuizState:
    public_id: str
    prefix: str  # /en/runs/<uuid>/
    size: int | None = None
    position: int = 1
    pending: tuple | None = None  # (choice, htmx): a POST that got no answer, to send again


@dataclass
class Ack:
    public_id: str
    position: int
    choice: int
    htmx: bool
    at: float  # seconds since the load started
    sent: float  # wall clock (time.time()) when the acknowledged POST was sent
    retry: bool  # the same choice sent again after a 503 or a lost reply


@dataclass
class User:
    index: int
    port: int
    lessons: list
    t0: float
    stop_at: float
    max_requests: int
    seed: int
    records: list = field(default_factory=list)
    acks: list = field(default_factory=list)
    runs: dict = field(default_factory=dict)  # public id -> size
    quiz: QuizState | None = None
    retries: int = 0  # answers sent again after a 503 or a connection error
    answered_unacknowledged: int = 0  # question pages showing feedback we got no ack for
    failures: list = field(default_factory=list)  # client-side surprises, for the report

    def __post_init__(self):
        self.rng = random.Random(self.seed * 1000 + self.index)
        self.recorder = Recorder(self.t0, self.records)
        self.session = Session(HOST, self.port, transport=self.recorder)

    # -- helpers

    def done(self):
        return time.perf_counter() >= self.stop_at or len(self.records) >= self.max_requests

    def backoff(self):
        time.sleep(self.rng.uniform(*BACKOFF))

    def note(self, message):
        if len(self.failures) < 20:
            self.failures.append(f"t={time.perf_counter() - self.t0:.2f}s {message}")

    def get(self, kind, path, session=None, headers=()):
        self.recorder.kind = kind
        return (session or self.session).get(path, expect=None, headers=headers)

    def post(self, kind, path, fields, headers=()):
        self.recorder.kind = kind
        return self.session.post(path, fields, expect=None, headers=headers)

    # -- the loop

    def run(self):
        actions = [
            (self.quiz_step, 6),
            (self.browse, 2),
            (self.progress, 1),
            (self.results, 1),
        ]
        steps, weights = zip(*actions, strict=True)
        while not self.done():
            step = self.rng.choices(steps, weights)[0]
            try:
                step()
            except (OSError, HTTPError) as exc:  # recorded by the transport
                self.note(f"{type(exc).__name__}: {exc}")
                self.backoff()

    def browse(self):
        slug = self.rng.choice(self.lessons)
        path = self.rng.choice(["/en/", f"/en/lessons/{slug}/", "/en/reminders/"])
        kind = {"/en/": "home", "/en/reminders/": "reminders"}.get(path, "lesson")
        if self.rng.random() < 0.5:  # a first-time visitor: no cookies
            visitor = Session(HOST, self.port, transport=self.recorder)
            response = self.get(kind, path, session=visitor)
        else:
            response = self.get(kind, path)
        self.after(response)

    def progress(self):
        self.after(self.get("progress", "/en/progress/"))

    def results(self):
        if not self.runs:
            return self.progress()
        public_id = self.rng.choice(list(self.runs))
        self.after(self.get("results", f"/en/runs/{public_id}/results/"))

    def after(self, response):
        """Back off after a 503 (Retry-After is 10 s; learners press reload sooner)."""
        if response.status >= 500:
            self.backoff()
        elif response.status >= 400:
            self.note(f"{response.status} on {self.recorder.kind}")

    def start_quiz(self):
        if self.rng.random() < 0.15:
            page_path = post_path = "/en/practice/"
        else:
            page_path = f"/en/lessons/{self.rng.choice(self.lessons)}/"
            post_path = f"{page_path}quiz/"
        page = self.get("lesson" if post_path != page_path else "practice", page_path)
        if page.status != 200 or self.session.csrf_token is None:
            return self.after(page)
        response = self.post("start", post_path, {"csrfmiddlewaretoken": self.session.csrf_token})
        if response.status != 302:
            return self.after(response)
        target = self.session.location(response)
        prefix, _, position = target.rstrip("/").rpartition("/")
        if position != "1" or "/runs/" not in prefix:
            self.note(f"starting a quiz redirected to {target}")
            return None
        public_id = prefix.rsplit("/", 1)[1]
        self.quiz = QuizState(str(uuid.UUID(public_id)), prefix + "/")
        return None

    def quiz_step(self):
        """One step of the current quiz: open the question (unless an answer is to be sent
        again), post a choice, plain or htmx, and read the feedback."""
        quiz = self.quiz
        if quiz is None:
            return self.start_quiz()
        path = f"{quiz.prefix}{quiz.position}/"
        if quiz.pending is None:
            page = self.get("question", path)
            if page.status != 200:
                return self.after(page)
            if quiz.size is None:
                match = RUN_SIZE_RE.search(page.text)
                if not match:
                    self.note(f"{path}: no progress bar")
                    return None
                quiz.size = int(match.group(1))
                self.runs[quiz.public_id] = quiz.size
            if b'id="feedback"' in page.body:
                # Stored by a request whose reply we did not get (a 503 after the INSERT,
                # or a lost connection): not acknowledged, so not counted.
                self.answered_unacknowledged += 1
                return self.next_question()
            choices = CHOICE_RE.findall(page.text)
            if not choices and (b'name="spot"' in page.body or b'name="reply"' in page.body):
                # Tap the red flags and conversations are answered otherwise: this harness
                # checks chosen answers, so it leaves them (their run stays unfinished).
                return self.next_question()
            if not choices or self.session.csrf_token is None:
                self.note(f"{path}: no answer form")
                self.quiz = None
                return None
            quiz.pending = (int(self.rng.choice(choices)), self.rng.random() < 0.5)
            retry = False
        else:
            self.retries += 1
            retry = True
        choice, htmx = quiz.pending
        sent = time.time()
        fields = {"csrfmiddlewaretoken": self.session.csrf_token, "choice": str(choice)}
        if htmx:
            headers = ["HX-Request: true", f"HX-Current-URL: {self.session.origin}{path}"]
            response = self.post("answer-htmx", path, fields, headers)
            acknowledged = response.status == 200 and b'id="feedback"' in response.body
        else:
            response = self.post("answer", path, fields)
            acknowledged = response.status == 302 and self.session.location(response) == path
        if not acknowledged:
            if response.status < 500:
                # 4xx (or an unexpected 2xx/3xx): not an outage; the checks report it.
                self.note(f"answer {path} -> {response.status}")
                quiz.pending = None
                self.quiz = None
            return self.after(response)
        at = time.perf_counter() - self.t0
        self.acks.append(Ack(quiz.public_id, quiz.position, choice, htmx, at, sent, retry))
        quiz.pending = None
        if not htmx and not self.done():
            feedback = self.get("feedback", path)
            if feedback.status == 200 and b'id="feedback"' not in feedback.body:
                self.note(f"{path}: no feedback after an acknowledged answer")
        return self.next_question()

    def next_question(self):
        quiz = self.quiz
        quiz.position += 1
        if quiz.position > quiz.size:
            self.quiz = None
            # Half the learners look at their results; the others leave (the results page
            # would mark a run finished that its last answer did not).
            if self.rng.random() < 0.5 and not self.done():
                self.after(self.get("results", f"{quiz.prefix}results/"))
