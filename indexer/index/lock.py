"""The write lock of an index directory: one writing process at a time, readers never wait.

The lock is ``flock`` on ``write.lock``: the kernel drops it when the holding process dies, so a crashed
writer never leaves the index locked. The risk it leaves open: a child process that inherited the
descriptor (a forked worker still running) holds the lock too, until it exits.
"""
from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

LOCK = "write.lock"


class IndexBusy(RuntimeError):
    """Another process is writing the index."""


class WriteLock:
    """An exclusive lock on an index directory, waited for up to ``timeout_s``."""

    def __init__(self, index_dir: str | os.PathLike, timeout_s: float = 0.0):
        self.path = Path(index_dir) / LOCK
        self.timeout_s = timeout_s
        self.fd: int | None = None

    def __enter__(self) -> "WriteLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        deadline = time.monotonic() + self.timeout_s
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(self.fd)
                    raise IndexBusy(f"index is busy: another process is writing {self.path.parent}") from None
                time.sleep(0.1)

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
