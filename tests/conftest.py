import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import translation

from .factories import (
    CampaignFactory,
    LessonFactory,
    QuestionFactory,
    RedFlagFactory,
    ReminderFactory,
    SpotFactory,
    UserFactory,
)

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session", autouse=True)
def collected_static():
    """Tests run with DEBUG off, so pages need the static manifest."""
    if not (settings.STATIC_ROOT / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Hashing is slow on purpose; tests create many accounts."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def one_rate_limit_window(monkeypatch):
    """Each test counts its rate limits in one fixed window: a test that crosses a
    minute's end would otherwise start counting afresh half-way and pass or fail by the
    clock."""
    import types

    from quizzes import ratelimit

    now = ratelimit.time.time()
    monkeypatch.setattr(ratelimit, "time", types.SimpleNamespace(time=lambda: now))


@pytest.fixture(autouse=True, scope="session")
def own_generation_file(tmp_path_factory):
    """Each test process keeps its own content generation file (without REDIS_URL, see
    quizzes/caching.py): another worker's change must not empty this one's cache
    between a test's warm-up and its count of queries."""
    from django.conf import settings

    if settings.CONTENT_GENERATION_FILE:
        settings.CONTENT_GENERATION_FILE = str(tmp_path_factory.mktemp("content") / "generation")


@pytest.fixture(autouse=True)
def fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# --- Personas -------------------------------------------------------------------------


@pytest.fixture
def visitor(client):
    """An anonymous visitor: no account, maybe no session yet."""
    return client


@pytest.fixture
def citizen_user(db):
    return UserFactory(username="meiling")


@pytest.fixture
def citizen(client, citizen_user):
    """A learner with an account, logged in."""
    client.force_login(citizen_user)
    return client


@pytest.fixture
def outsider_user(db):
    return UserFactory(username="outsider")


def _staff(username, group_name):
    user = UserFactory(username=username, is_staff=True)
    group = Group.objects.filter(name=group_name).first()
    if group is not None:
        user.groups.add(group)
    return user


@pytest.fixture
def author_user(db):
    return _staff("officer-author", "Authors")


@pytest.fixture
def reviewer_user(db):
    return _staff("officer-reviewer", "Reviewers")


@pytest.fixture
def superuser(db):
    return UserFactory(username="chief", is_staff=True, is_superuser=True)


# --- Content --------------------------------------------------------------------------


@pytest.fixture
def red_flag(db):
    return RedFlagFactory(
        slug="off-platform",
        title_en="Moves you off the official platform",
        title_zh_hans="让你离开官方平台",
    )


@pytest.fixture
def lesson(db, red_flag):
    """A published lesson with three published questions, its red flag and a reminder."""
    lesson = LessonFactory(
        slug="fake-courier",
        title_en="Fake courier claims",
        title_zh_hans="冒充快递理赔",
        red_flags=[red_flag],
    )
    reminder = ReminderFactory(lesson=lesson, slug="fake-courier-1")
    for n in range(1, 4):
        QuestionFactory(
            lesson=lesson,
            slug=f"q{n}",
            position=n,
            red_flags=[red_flag],
            reminder=reminder,
            body_en=f"Scenario number {n}: add our claims account.",
        )
    return lesson


@pytest.fixture
def campaign(lesson, red_flag):
    """A published, running campaign on ``lesson``, which gets three more questions so
    that the before and after checks have three pairs."""
    for n in range(4, 7):
        QuestionFactory(
            lesson=lesson,
            slug=f"q{n}",
            position=n,
            red_flags=[red_flag],
            body_en=f"Scenario number {n}: add our claims account.",
        )
    return CampaignFactory(code="riverside", lessons=[lesson])


@pytest.fixture
def client_factory():
    """Make further browsers: other visitors with their own sessions."""
    from django.test import Client

    return Client


# --- Browser tests ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser(live_server):
    """One Chromium for the whole session; Playwright's sync API allows only one.

    It asks for the live server so that it closes first: Chromium keeps connections
    alive, and the live server's thread for each one closes the database connection when
    it ends. Once the server has stopped, that connection is no longer shared with those
    threads, and each one would fail ("DatabaseWrapper objects created in a thread can
    only be used in that same thread") after an otherwise green run.
    """
    import os
    import threading

    from playwright.sync_api import sync_playwright

    from .browser import CHROMIUM, CHROMIUM_ARGS

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests
    # make around it are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout=10)


@pytest.fixture(autouse=True)
def unhashed_static(request, settings):
    """The live server serves static files through Django's finders, which know the
    original names only; whitenoise's hashed files are tested without a browser."""
    if request.node.get_closest_marker("browser") is None:
        return
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


# --- Police sign-in -------------------------------------------------------------------


def sign_in_officer(client, user):
    """Log a police account in as after its second step: an enrolled authenticator app
    and a session that passed it. Tests of the police pages log officers in with this."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(
        user=user, confirmed=True
    ).first() or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


BODY_EN = (
    "Dear customer, your parcel is held. Pay within 24 hours at http://parcel-fee.example/pay"
)
BODY_ZH = "尊敬的客户，您的包裹被扣留。请在24小时内到http://parcel-fee.example/pay缴费"


@pytest.fixture
def spot_lesson(db, red_flag):
    """A lesson whose only question is a text with two warning signs and a harmless part."""
    hurry = RedFlagFactory(slug="time-pressure", title_en="Hurries you")
    lesson = LessonFactory(slug="parcel-spots", red_flags=[red_flag, hurry])
    question = QuestionFactory(
        lesson=lesson,
        slug="spot-the-signs",
        kind="spot",
        choices=False,
        body_en=BODY_EN,
        body_zh_hans=BODY_ZH,
        prompt_en="Mark every part of this message that is a warning sign.",
        red_flags=[red_flag, hurry],
    )
    SpotFactory(question=question, position=1)  # "Dear customer": harmless
    SpotFactory(
        question=question,
        position=2,
        text_en="within 24 hours",
        text_zh_hans="24小时内",
        red_flag=hurry,
        explanation_en="A deadline is there to hurry you.",
    )
    SpotFactory(
        question=question,
        position=3,
        text_en="http://parcel-fee.example/pay",
        text_zh_hans="http://parcel-fee.example/pay",
        red_flag=red_flag,
        explanation_en="Couriers never collect fees through a link in a text.",
    )
    return lesson


def add_conversation(lesson, red_flag, **fields):
    """A conversation question in ``lesson``: hang up at once (safe), or talk on to a
    second turn, then hang up (safe) or pay (lost). ``fields`` for the question."""
    from quizzes.models import Ending, Reply, Turn

    question = QuestionFactory(
        lesson=lesson,
        kind="conversation",
        choices=False,
        prompt_en="What do you say?",
        red_flags=[red_flag],
        **fields,
    )
    opening = Turn.objects.create(
        question=question,
        key="opening",
        position=1,
        says_en="Your account is involved in a case.",
        tactic=red_flag,
        note_en="An official title is the first prop.",
    )
    safe_account = Turn.objects.create(
        question=question,
        key="safe-account",
        position=2,
        says_en="Move your savings to our safe account.",
        tactic=red_flag,
        note_en="There is no safe account.",
    )
    hung_up = Ending.objects.create(
        question=question, key="hung-up", position=1, outcome="safe", text_en="You hung up."
    )
    paid = Ending.objects.create(
        question=question,
        key="paid",
        position=2,
        outcome="lost",
        loss=50000,
        text_en="The money was gone.",
    )
    Reply.objects.create(turn=opening, position=1, text_en="What case?", next_turn=safe_account)
    Reply.objects.create(turn=opening, position=2, text_en="I will call 110.", next_ending=hung_up)
    Reply.objects.create(turn=safe_account, position=1, text_en="I'll pay.", next_ending=paid)
    Reply.objects.create(
        turn=safe_account, position=2, text_en="I am hanging up.", next_ending=hung_up
    )
    return question


@pytest.fixture
def conversation_lesson(db, red_flag):
    """A lesson whose only question is a call: hang up at once (safe), or talk on to a
    second turn, then hang up (safe) or pay (lost)."""
    lesson = LessonFactory(slug="safe-account", red_flags=[red_flag])
    add_conversation(
        lesson,
        red_flag,
        slug="safe-account-call",
        channel="call",
        sender_number="110",
        body_en="Officer Ma: Hello, is that Liu Shufen?",
    )
    return lesson


@pytest.fixture
def chat_lesson(db, red_flag):
    """A lesson of two questions: a choice, then the same conversation in a chat."""
    lesson = LessonFactory(slug="chat-after-choice", red_flags=[red_flag])
    QuestionFactory(lesson=lesson, slug="parcel-claim", position=1, red_flags=[red_flag])
    add_conversation(
        lesson,
        red_flag,
        slug="safe-account-chat",
        position=2,
        channel="chat",
        sender_name="SunnyDays88",
        body_en="A private message from a stranger.",
    )
    return lesson


@pytest.fixture
def code_reply(conversation_lesson):
    """The call of ``conversation_lesson`` with a third reply at the safe-account turn:
    reading out the code the bank just sent, which leaves the learner partly exposed."""
    from quizzes.models import Ending, Reply, Turn

    turn = Turn.objects.get(key="safe-account")
    gave_code = Ending.objects.create(
        question=turn.question,
        key="gave-code",
        position=3,
        outcome="exposed",
        text_en="With the code, they could sign in to your bank.",
    )
    return Reply.objects.create(
        turn=turn, position=3, text_en="The code is 402193.", next_ending=gave_code
    )
