"""The crawler tests' clock: politeness waits pass on a fake clock, and waiting for real fails the test."""
from __future__ import annotations

import time

import pytest

from indexer.fetch.clock import SystemClock


class FakeClock:
    """A clock whose time moves only when it is slept on: a wait costs nothing and lasts exactly as asked.

    It starts at the real time, so times that a real crawl (a subprocess) stored in the same directory are
    seconds from it, not years.
    """

    def __init__(self):
        self._now = time.time()

    def now(self) -> float:
        return self._now

    def sleep(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")     # as time.sleep says
        self._now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _no_real_waits(self, seconds: float) -> None:
    raise AssertionError(f"the crawler waited {seconds:g} s in real time: give its CrawlState the test's FakeClock")


@pytest.fixture(autouse=True, scope="module")
def no_real_politeness_waits():
    """A crawl in these tests that is not on a fake clock fails instead of sleeping (module scope, so that a
    module-scoped crawl fixture is covered too)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(SystemClock, "sleep", _no_real_waits)
        yield


@pytest.fixture
def command_clock(clock, monkeypatch):
    """`lrsearch crawl` opens its own CrawlState: make it one on the test's clock."""
    from indexer.fetch.state import CrawlState

    class OnTheTestClock(CrawlState):
        def __init__(self, root):
            super().__init__(root, clock)
    monkeypatch.setattr("indexer.fetch.state.CrawlState", OnTheTestClock)
    return clock
