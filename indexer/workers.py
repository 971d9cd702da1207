"""What every worker process of the write side does first: die with the process that started it, and let go of
the index's write lock, which it inherited with its parent's descriptors.

Without this, killing ``lrsearch ingest`` left its workers running, holding ``write.lock`` (an ``flock`` stays
held while any process has the descriptor open), so every later writer was refused as "busy". The risk it
leaves open: ``PR_SET_PDEATHSIG`` is Linux's; elsewhere a worker outlives a killed parent until its job ends.
"""
from __future__ import annotations

import ctypes
import os
import resource
import signal

PR_SET_PDEATHSIG = 1
_inherited_locks: set[int] = set()        # descriptors of locks this process holds; a worker closes its copies


def hold_lock(fd: int) -> None:
    _inherited_locks.add(fd)


def release_lock(fd: int) -> None:
    _inherited_locks.discard(fd)


def started(memory_bytes: int | None = None) -> None:
    """Run first in a worker: die with the parent, close the inherited lock descriptors, and cap memory."""
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:        # the parent died before the signal was asked for
        os._exit(1)
    for fd in list(_inherited_locks):
        try:
            os.close(fd)
        except OSError:
            pass
    _inherited_locks.clear()
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
