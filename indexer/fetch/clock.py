"""The crawler's time: what time it is, and waiting.

Every politeness wait (site delay, Crawl-delay, Retry-After, backoff) and every time the crawl state
stamps or compares (robots.txt age, ``revisit_after_s``, a pause a server asked for) goes through one
:class:`Clock`, so a test can run a crawl with many seconds of politeness without waiting for them.
The caps inside one fetch (:mod:`indexer.fetch.http`) stay on real time: they bound a slow server, not us.
"""
from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Wall-clock seconds since the epoch: stored in the crawl state, so other processes and runs compare
        against it (a monotonic clock would not survive a restart)."""

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``."""


class SystemClock:
    """The real clock, for real crawls."""

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


SYSTEM_CLOCK = SystemClock()
