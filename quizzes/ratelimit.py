"""Fixed-window rate limits counted in the cache (Redis when REDIS_URL is set), and the
one function that decides a request's client address (for these limits and for
django-axes alike, see ``AXES_CLIENT_IP_CALLABLE``)."""

import contextlib
import ipaddress
import time

from django.conf import settings
from django.core.cache import cache

LIMITS = {
    # name: (setting with the allowed count, window in seconds)
    "answer": ("RATE_LIMIT_ANSWERS_PER_MINUTE", 60),
    "answer-address": ("RATE_LIMIT_ANSWERS_PER_ADDRESS_PER_MINUTE", 60),
    "signup": ("RATE_LIMIT_SIGNUPS_PER_HOUR", 3600),
    # Failed log-ins and second-factor codes from one address, whatever the username: one
    # address trying a password against many accounts.
    "login-failure": ("RATE_LIMIT_LOGIN_FAILURES_PER_ADDRESS_PER_HOUR", 3600),
    # Wrong second-factor or recovery codes for one account, from any address.
    "code-failure": ("RATE_LIMIT_CODE_FAILURES_PER_ACCOUNT_PER_HOUR", 3600),
    "run": ("RATE_LIMIT_RUNS_PER_LEARNER_PER_HOUR", 3600),
    "run-address": ("RATE_LIMIT_RUNS_PER_ADDRESS_PER_MINUTE", 60),
    # A hall of phones on one Wi-Fi joins a campaign from one public address.
    "campaign-join-address": ("RATE_LIMIT_CAMPAIGN_JOINS_PER_ADDRESS_PER_MINUTE", 60),
}


def _address(value):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request):
    """The client's address (no query).

    Behind ``NUM_PROXIES`` proxies, each proxy appends the address it saw to
    X-Forwarded-For, so the client's is the ``NUM_PROXIES``-th entry from the right;
    entries left of it come from the client and are ignored, so a forged X-Forwarded-For
    changes nothing. A request with fewer entries did not pass every proxy: its own peer
    address counts.
    """
    proxies = settings.NUM_PROXIES
    if proxies:
        hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if len(hops) >= proxies:
            address = _address(hops[-proxies])
            if address is not None:
                return address
    return request.META.get("REMOTE_ADDR", "")


def _key(request, name, who):
    setting, window = LIMITS[name]
    who = client_address(request) if who is None else who
    return f"rl:{name}:{who}:{int(time.time() // window)}", getattr(settings, setting), window


def exceeded(request, name, who=None):
    """Count one more use of ``name`` by ``who`` (by default the client's address);
    True once over the limit."""
    return exceeded_any(request, (name, who))


def exceeded_any(request, *limits):
    """Count one more use of each (name, who) of ``limits``; True once any is over its
    limit. One round trip to Redis however many limits (``count_uses``)."""
    keys = [_key(request, name, who) for name, who in limits]
    windows = {key: window for key, _allowed, window in keys}
    counter = getattr(cache, "count_uses", None)  # quizzes.rediscache.RedisCache's
    counts = counter(windows) if counter else count_uses(cache, windows)
    return any(count > allowed for count, (_, allowed, _) in zip(counts, keys, strict=True))


def answer_counters(request):
    """The two counters an answer counts (the learner's, with ``OWNER`` where the learner's
    id goes, and the address's), each (key, window): for a count made while the run's
    facts are read with the session (``RedisCache.get_many_and_fields``), which names the
    learner from the run's owner."""
    from .rediscache import OWNER

    learner_key, _allowed, learner_window = _key(request, "answer", OWNER)
    address_key, _allowed, address_window = _key(request, "answer-address", None)
    return (learner_key, learner_window), (address_key, address_window)


def answering_too_fast(request, learner_id):
    """One more answer by ``learner_id`` from the client's address: True once over either
    limit. Counted already when the session was read with the run's facts
    (``answer_counters``) for this learner, in that round trip; else counted now."""
    counted = getattr(getattr(request, "session", None), "counted", None)
    if counted is None or counted[0] != learner_id:
        return exceeded_any(request, ("answer", learner_id), ("answer-address", None))
    allowed = [getattr(settings, LIMITS[name][0]) for name in ("answer", "answer-address")]
    return any(count > most for count, most in zip(counted[1], allowed, strict=True))


def give_back_if_not_theirs(request, learner_id):
    """Undo the count made with the run's facts (``answer_counters``) when the run is not
    ``learner_id``'s: a foreign run's id, or facts that still name the owner from before
    learners merged. The run's owner is not charged for someone else's request, and the
    address is counted once, by ``answering_too_fast`` if the request gets that far."""
    session = getattr(request, "session", None)
    counted = getattr(session, "counted", None)
    if counted is None or counted[0] == learner_id:
        return
    session.counted = None
    for name, who in (("answer", counted[0]), ("answer-address", None)):
        key, _allowed, _window = _key(request, name, who)
        with contextlib.suppress(ValueError):  # its window ended meanwhile
            cache.decr(key)


def count_uses(backend, windows):
    """One more use of each key of ``windows`` ({key: seconds}) on ``backend``, a missing
    key starting its window; the counts, in order. Redis does the same in one round trip
    (``quizzes.rediscache.RedisCache.count_uses``); other caches count one key at a time,
    one call each (two for a window's first use)."""
    counts = []
    for key, window in windows.items():
        try:
            counts.append(backend.incr(key))
            continue
        except ValueError:  # the window's first use
            pass
        if backend.add(key, 1, timeout=window):
            counts.append(1)
            continue
        try:
            counts.append(backend.incr(key))  # another request added it meanwhile
        except ValueError:  # and it expired since
            counts.append(0)
    return counts


def reached(request, name, who=None):
    """True when ``who`` has used up ``name`` in this window; counts nothing (for limits
    that count only failures or only successes)."""
    key, allowed, _window = _key(request, name, who)
    return (cache.get(key) or 0) >= allowed


def count_login_failure(sender, credentials, request=None, **kwargs):
    """Receiver of ``user_login_failed``: one more failed log-in from this address."""
    if request is not None:
        exceeded(request, "login-failure")
