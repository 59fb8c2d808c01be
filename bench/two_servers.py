"""Two app servers, one database, one Redis: a learner whose every request goes to the
other server than the one before.

    .venv/bin/python -m bench.two_servers      # what `make two-servers` runs

Starts two gunicorn instances (2 sync workers each, DEBUG off) on 127.0.0.1:8101 and
127.0.0.1:8102, sharing the fresh database ``antifraud_two_servers``, Redis db 15 (cache,
rate limits, cached sessions), the SECRET_KEY and the RELEASE. One scripted browser (one
cookie jar: cookies belong to the host, not the port) alternates every request between
them: takes a quiz as an anonymous visitor, checks its progress on both servers, signs
up, checks the account and the completed lesson on the other server, logs out and in,
and takes a second quiz as the account holder. The database is checked after each part.
Prints PASS or FAIL for each step; exits 1 on any failure. See README.md, "Reliability
checks".
"""

import argparse
import random
import re
import sys
import uuid

from . import servers
from .client import (
    CHOICE_RE,
    LESSON_LINK_RE,
    RUN_SIZE_RE,
    HTTPError,
    Session,
    answer_fields,
    check_loopback,
)
from .servers import DATA, HOST, PG_ADMIN_URL, REDIS_URL, ROOT, Gunicorn, Target

DATABASE = "antifraud_two_servers"
DATABASE_URL = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + DATABASE
PASSWORD = "Correct-horse-battery-2024!"
STATUS_RE = r'href="/en/lessons/{slug}/">[^<]*</a>\s*<span class="status status-(\w+)">'
DONE_RE = re.compile(r"You have completed (\d+) lessons?\.")
SCORE_RE = re.compile(r"You got (\d+) of (\d+) right\.")


class StepFailed(Exception):
    pass


def require(condition, message):
    if not condition:
        raise StepFailed(message)


def short(path):
    """A path with its run id cut to 8 characters, for the trail."""
    return re.sub(r"(/runs/[0-9a-f]{8})[0-9a-f-]{28}/", r"\1../", path)


class Browser:
    """One cookie jar; every request goes to the next server in turn."""

    def __init__(self, ports, names="AB"):
        self.ports, self.names = ports, names
        self.session = Session(HOST, ports[0])
        self.turn = 0
        self.trail = []  # "A GET /en/" for the current step

    def _next(self):
        index = self.turn % len(self.ports)
        self.turn += 1
        self.session.port = self.ports[index]
        return self.names[index]

    def get(self, path, expect=200, headers=()):
        name = self._next()
        response = self.session.get(path, expect=None, headers=headers)
        self.trail.append(f"{name} GET {short(path)} {response.status}")
        require(
            expect is None or response.status == expect,
            f"GET {path} on {name}: {response.status}, expected {expect}",
        )
        return response

    def post(self, path, fields, expect=302, headers=()):
        name = self._next()
        fields = {"csrfmiddlewaretoken": self.session.csrf_token, **fields}
        response = self.session.post(path, fields, expect=None, headers=headers)
        self.trail.append(f"{name} POST {short(path)} {response.status}")
        require(
            expect is None or response.status == expect,
            f"POST {path} on {name}: {response.status}, expected {expect}",
        )
        return response

    def redirect(self, response):
        return self.session.location(response)


class Scenario:
    def __init__(self, ports):
        self.browser = Browser(ports)
        self.results = []  # (ok, name, detail)
        self.failed = False
        self.username = f"learner-{uuid.uuid4().hex[:8]}"
        self.lessons = []
        self.runs = {}  # name -> public id

    def step(self, name, function):
        if self.failed:
            self.results.append((None, name, "skipped after a failure"))
            print(f"SKIP  {name}", flush=True)
            return
        self.browser.trail = []
        try:
            detail = function() or ""
            ok = True
        except (StepFailed, HTTPError, OSError) as exc:
            detail, ok = f"{type(exc).__name__}: {exc}", False
            self.failed = True
        trail = "; ".join(self.browser.trail)
        self.results.append((ok, name, detail))
        print(
            f"{'PASS' if ok else 'FAIL'}  {name}" + (f": {detail}" if detail else ""), flush=True
        )
        if trail:
            print(f"      via {trail}", flush=True)

    # -- pages

    def progress(self, slug=None):
        """(lessons completed, this lesson's status, signed in) from the progress page."""
        page = self.browser.get("/en/progress/").text
        done = DONE_RE.search(page)
        status = None
        if slug:
            match = re.search(STATUS_RE.format(slug=re.escape(slug)), page)
            status = match.group(1) if match else None
        signed_in = 'href="/en/accounts/">' in page
        return (int(done.group(1)) if done else 0), status, signed_in, page

    def take_quiz(self, slug):
        """Start a quiz and answer every question, alternating plain and htmx posts."""
        b = self.browser
        b.get(f"/en/lessons/{slug}/")
        require(b.session.csrf_token, "no CSRF token on the lesson page")
        target = b.redirect(b.post(f"/en/lessons/{slug}/quiz/", {}))
        require(re.fullmatch(r"/en/runs/[0-9a-f-]{36}/1/", target), f"start went to {target}")
        prefix = target[: -len("1/")]
        session_id = b.session.cookies.get("sessionid")
        require(session_id, "no session cookie after starting a quiz")
        position, size = 1, None
        while size is None or position <= size:
            path = f"{prefix}{position}/"
            page = b.get(path)
            size = size or int(RUN_SIZE_RE.search(page.text).group(1))
            choices = CHOICE_RE.findall(page.text)
            if not choices:
                # Tap the red flags or a conversation: plain posts until the feedback.
                for _turn in range(13):
                    fields = answer_fields(random.Random(position), page.text)
                    require(fields, f"{path}: no answer form")
                    response = b.post(path, fields)
                    require(b.redirect(response) == path, f"answer went to {b.redirect(response)}")
                    page = b.get(path)
                    if b'id="feedback"' in page.body:
                        break
                require(b'id="feedback"' in page.body, f"{path}: no feedback")
                position += 1
                continue
            if position % 2:
                response = b.post(path, {"choice": choices[0]})
                require(b.redirect(response) == path, f"answer went to {b.redirect(response)}")
                require(b'id="feedback"' in b.get(path).body, f"{path}: no feedback")
            else:
                response = b.post(
                    path, {"choice": choices[0]}, expect=200, headers=["HX-Request: true"]
                )
                require(b'id="feedback"' in response.body, f"{path}: no htmx feedback")
                require(b"<html" not in response.body, f"{path}: a whole page for htmx")
            position += 1
        results = b.get(f"{prefix}results/").text
        score = SCORE_RE.search(results)
        require(score and int(score.group(2)) == size, "results page without the score")
        require(
            b.session.cookies.get("sessionid") == session_id,
            "the session cookie changed while alternating servers",
        )
        public_id = prefix.rstrip("/").rsplit("/", 1)[1]
        return public_id, size, int(score.group(1))

    # -- steps

    def home(self):
        page = self.browser.get("/en/")
        self.lessons = list(dict.fromkeys(LESSON_LINK_RE.findall(page.text)))
        require(len(self.lessons) >= 2, "fewer than two lessons on the home page")
        return f"{len(self.lessons)} lessons"

    def anonymous_quiz(self):
        slug = self.lessons[0]
        public_id, size, score = self.take_quiz(slug)
        self.runs["anonymous"] = public_id
        return f"run {public_id}: {size} questions on both servers in turn, {score} right"

    def anonymous_progress(self):
        slug = self.lessons[0]
        seen = []
        for _ in range(2):  # one page from each server
            done, status, signed_in, page = self.progress(slug)
            require(not signed_in, "progress shows an account before sign-up")
            require(done == 1, f"progress shows {done} lessons completed, expected 1")
            require(status in ("completed", "mastered"), f"{slug} is {status}")
            require("Create an account" in page, "no sign-up hint for the visitor")
            seen.append(status)
        require(seen[0] == seen[1], f"the servers disagree: {seen}")
        return f"{slug} {seen[0]} on A and B"

    def check_anonymous_database(self):
        rows = query(
            """
            SELECT r.size, r.finished_at IS NOT NULL, l.user_id,
                   count(a.id), count(DISTINCT a.learner_id), bool_and(a.learner_id = r.learner_id)
            FROM quizzes_quizrun r JOIN quizzes_learner l ON l.id = r.learner_id
            LEFT JOIN quizzes_answer a ON a.run_id = r.id
            WHERE r.public_id = %s GROUP BY r.id, l.user_id
            """,
            self.runs["anonymous"],
        )
        require(rows, "the run is not in the database")
        size, finished, user, answers, learners, same = rows[0]
        require(finished, "the run is not finished")
        require(answers == size, f"{answers} answers stored for {size} questions")
        require(user is None, "the anonymous learner has an account")
        require(learners == 1 and same, "answers belong to another learner than the run")
        return f"{answers} answers, one anonymous learner, run finished"

    def signup(self):
        b = self.browser
        b.get("/en/accounts/signup/")
        response = b.post(
            "/en/accounts/signup/",
            {"username": self.username, "password1": PASSWORD, "password2": PASSWORD},
        )
        require(b.redirect(response) == "/en/progress/", f"sign-up went to {b.redirect(response)}")
        return self.username

    def account_progress(self, lessons_done=1):
        done, _, signed_in, page = self.progress()
        require(signed_in, "progress does not show the account")
        require("Create an account" not in page, "progress still offers to create an account")
        require(done == lessons_done, f"{done} lessons completed, expected {lessons_done}")
        statuses = []
        for slug in self.lessons[:lessons_done]:
            match = re.search(STATUS_RE.format(slug=re.escape(slug)), page)
            status = match.group(1) if match else None
            require(status in ("completed", "mastered"), f"{slug} is {status}")
            statuses.append(f"{slug} {status}")
        account = self.browser.get("/en/accounts/").text
        require(f"You are logged in as {self.username}." in account, "account page: wrong user")
        return f"{self.username}, {done} completed: {', '.join(statuses)}"

    def check_account_database(self, runs=("anonymous",)):
        rows = query(
            """
            SELECT r.public_id::text, r.finished_at IS NOT NULL, r.size, count(a.id),
                   bool_and(a.learner_id = r.learner_id)
            FROM auth_user u JOIN quizzes_learner l ON l.user_id = u.id
            JOIN quizzes_quizrun r ON r.learner_id = l.id
            LEFT JOIN quizzes_answer a ON a.run_id = r.id
            WHERE u.username = %s GROUP BY r.id
            """,
            self.username,
        )
        owned = {
            public_id: (finished, size, answers, same)
            for public_id, finished, size, answers, same in rows
        }
        for name in runs:
            public_id = self.runs[name]
            require(public_id in owned, f"the {name} run is not the account's")
            finished, size, answers, same = owned[public_id]
            require(finished and answers == size, f"the {name} run is incomplete")
            require(same, f"answers of the {name} run belong to another learner")
        leftovers = query(
            "SELECT count(*) FROM quizzes_learner l WHERE l.user_id IS NULL AND EXISTS "
            "(SELECT 1 FROM quizzes_quizrun r WHERE r.learner_id = l.id)"
        )[0][0]
        require(leftovers == 0, f"{leftovers} anonymous learners still own runs")
        return f"runs owned by {self.username}: {len(owned)}, answers moved with them"

    def logout(self):
        b = self.browser
        b.get("/en/accounts/")
        response = b.post("/en/accounts/logout/", {})
        require(b.redirect(response) == "/en/", f"log-out went to {b.redirect(response)}")
        page = b.get("/en/progress/").text
        require("You have not taken a quiz yet." in page, "progress after log-out shows data")
        require('href="/en/accounts/login/">' in page, "no log-in link after log-out")
        return "progress is empty on the other server"

    def login(self):
        b = self.browser
        b.get("/en/accounts/login/")
        response = b.post(
            "/en/accounts/login/", {"username": self.username, "password": PASSWORD, "next": ""}
        )
        require(b.redirect(response) == "/en/progress/", f"log-in went to {b.redirect(response)}")
        return self.username

    def account_quiz(self):
        public_id, size, score = self.take_quiz(self.lessons[1])
        self.runs["account"] = public_id
        return f"run {public_id}: {size} questions, {score} right"

    def run(self):
        self.step("home page", self.home)
        self.step("anonymous quiz, every request on the other server", self.anonymous_quiz)
        self.step("anonymous progress on both servers", self.anonymous_progress)
        self.step("database: the anonymous run and its answers", self.check_anonymous_database)
        self.step("sign up (form on one server, post on the other)", self.signup)
        self.step("progress and account page show the account", self.account_progress)
        self.step(
            "database: the anonymous run moved into the account", self.check_account_database
        )
        self.step("log out, progress empty on the other server", self.logout)
        self.step("log in on the other server", self.login)
        self.step("progress after log-in shows the account", self.account_progress)
        self.step("a quiz as the account holder, alternating", self.account_quiz)
        self.step("progress shows both lessons", lambda: self.account_progress(lessons_done=2))
        self.step(
            "database: both runs are the account's",
            lambda: self.check_account_database(("anonymous", "account")),
        )
        return self.results


def query(sql, *params):
    import psycopg

    with psycopg.connect(DATABASE_URL, connect_timeout=10) as conn:
        return conn.execute(sql, params).fetchall()


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m bench.two_servers", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--ports", default="8101,8102", help="two ports on 127.0.0.1")
    parser.add_argument("--no-setup", action="store_true", help="reuse the database as it is")
    args = parser.parse_args(argv)
    try:
        args.ports = [int(p) for p in args.ports.split(",")]
    except ValueError:
        parser.error("--ports takes two port numbers, e.g. 8101,8102")
    if len(args.ports) != 2 or args.ports[0] == args.ports[1]:
        parser.error("--ports takes two different port numbers")
    return args


def main(argv=None):
    args = parse_args(argv)
    check_loopback(HOST)
    DATA.mkdir(parents=True, exist_ok=True)
    target = Target(
        "two-servers",
        "antifraud.wsgi",
        [],
        database_url=DATABASE_URL,
        redis_url=REDIS_URL,
        extra_env={
            # One release for both servers, as README.md asks of every server of a deploy;
            # new for each run, so nothing an earlier run cached is read back.
            "RELEASE": f"two-servers-{uuid.uuid4().hex[:12]}",
            # Every run signs up one account from 127.0.0.1.
            "RATE_LIMIT_SIGNUPS_PER_HOUR": "1000000000",
        },
    )
    print(
        f"Two servers on {HOST}:{args.ports[0]} (A) and {HOST}:{args.ports[1]} (B), database "
        f"{DATABASE}, Redis {REDIS_URL}",
        flush=True,
    )
    servers.check_postgres()
    if not args.no_setup:
        print("fresh database, migrate, load_curriculum, collectstatic ...", flush=True)
        with open(DATA / "two-servers-setup.log", "w") as log:
            servers.reset_database(target, log)
            servers.collectstatic(target, log)
    pair = [
        Gunicorn(target, DATA / f"gunicorn-two-servers-{name}.log", port=port)
        for name, port in zip("ab", args.ports, strict=True)
    ]
    try:
        for server in pair:
            server.start("/en/")
            print(f"gunicorn on {HOST}:{server.port}: master {server.process.pid}", flush=True)
        print()
        results = Scenario(args.ports).run()
    finally:
        for server in pair:
            server.stop()
    problems = [(s.log_path, line) for s in pair for line in s.log_problems()]
    ok = not problems
    print(f"{'PASS' if ok else 'FAIL'}  no errors in the server logs ({len(problems)} lines)")
    if problems:
        print(f"      first in {problems[0][0].relative_to(ROOT)}: {problems[0][1]}")
    passed = sum(1 for r in results if r[0]) + ok
    total = len(results) + 1
    print(f"\n{'PASS' if passed == total else 'FAIL'}: {passed} of {total} steps passed")
    return 0 if passed == total else 1


if __name__ == "__main__":
    sys.exit(main())
