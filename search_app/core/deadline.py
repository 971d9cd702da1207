"""A request's deadline: the costly steps of a search check it between units of work, so that no query, however
hostile, holds a server worker past ``request_timeout_s``. The web sets one per request; the CLI runs without.

The deadline is a context variable, so each thread (and each request a server thread serves) has its own.
"""
from __future__ import annotations

import time
from contextvars import ContextVar

_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("lrsearch_deadline", default=None)  # (when, seconds)


class TimedOut(Exception):
    """The request ran past its deadline before it had anything to answer with."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(f"检索超过了 {seconds:g} 秒的时限，没有完成：请缩小范围（加筛选条件、给词加引号）或去掉一些词后再试")


def start(seconds: float | None) -> None:
    """Give what runs next in this thread (or context) ``seconds`` from now; None or 0: no deadline."""
    _DEADLINE.set((time.monotonic() + seconds, seconds) if seconds else None)


def expired() -> bool:
    deadline = _DEADLINE.get()
    return deadline is not None and time.monotonic() > deadline[0]


def check() -> None:
    """:raises TimedOut: when the deadline has passed."""
    if expired():
        raise TimedOut(_DEADLINE.get()[1])
