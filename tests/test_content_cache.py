"""The content cache: values stored per content generation and per local day."""

import datetime

import pytest

from quizzes import caching


@pytest.fixture
def clock(monkeypatch):
    """The local date as the content cache reads it, and how often it was read."""

    class Clock:
        day = datetime.date(2026, 12, 4)
        readings = 0

        def localdate(self):
            self.readings += 1
            return self.day

    clock = Clock()
    monkeypatch.setattr(caching.timezone, "localdate", clock.localdate)
    return clock


def test_a_request_reads_the_local_date_once_however_often_it_reads_the_cache(clock):
    caching.request_begins()
    try:
        values = [caching.cached(name, lambda: "built") for name in ("a", "b", "c", "a")]
    finally:
        caching.request_ends()

    assert values == ["built"] * 4
    assert clock.readings == 1


def test_what_was_cached_one_day_is_built_again_the_next(clock):
    built = []

    def build():
        built.append(clock.day)
        return f"for {clock.day}"

    caching.request_begins()
    first = caching.cached("alerts", build)
    caching.request_ends()
    clock.day += datetime.timedelta(days=1)
    caching.request_begins()
    second = caching.cached("alerts", build)
    caching.request_ends()

    assert (first, second) == ("for 2026-12-04", "for 2026-12-05")
    assert built == [datetime.date(2026, 12, 4), datetime.date(2026, 12, 5)]
