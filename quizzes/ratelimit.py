"""Fixed-window rate limits counted in the cache (Redis when REDIS_URL is set)."""

import time

from django.conf import settings
from django.core.cache import cache

LIMITS = {
    # name: (setting with the allowed count, window in seconds)
    "answer": ("RATE_LIMIT_ANSWERS_PER_MINUTE", 60),
    "answer-address": ("RATE_LIMIT_ANSWERS_PER_ADDRESS_PER_MINUTE", 60),
    "signup": ("RATE_LIMIT_SIGNUPS_PER_HOUR", 3600),
}


def client_address(request):
    """The client's address; behind NUM_PROXIES proxies, read from X-Forwarded-For."""
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def exceeded(request, name, who=None):
    """Count one more use of ``name`` by ``who`` (by default the client's address);
    True once over the limit."""
    setting, window = LIMITS[name]
    allowed = getattr(settings, setting)
    who = client_address(request) if who is None else who
    key = f"rl:{name}:{who}:{int(time.time() // window)}"
    # Counting up first: one round trip to Redis, except for the window's first use.
    try:
        return cache.incr(key) > allowed
    except ValueError:  # the window's first use
        pass
    if cache.add(key, 1, timeout=window):
        return allowed < 1
    try:
        return cache.incr(key) > allowed  # another request added it meanwhile
    except ValueError:  # and it expired since
        return False
