"""The write lock of an index directory: one writing process at a time, readers never wait.

The lock is ``flock`` on ``write.lock``: the kernel drops it when the holding process dies, so a crashed
writer never leaves the index locked, and the writer's workers close their copy of the descriptor and die with
it (``indexer.workers``). The file names the holder (its pid and since when), so "busy" says who is writing.
"""
from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from indexer.workers import hold_lock, release_lock

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
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(self.fd)
                    raise IndexBusy(f"index is busy: another process is writing {self.path.parent}"
                                    f"{self._holder()}") from None
                time.sleep(0.1)
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, f"{os.getpid()} {time.strftime('%Y-%m-%dT%H:%M:%S')}\n".encode(), 0)
        hold_lock(self.fd)
        return self

    def _holder(self) -> str:
        try:
            pid, since = self.path.read_text(encoding="ascii").split()
        except (OSError, ValueError):
            return ""
        return f" (process {pid}, since {since})"

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            release_lock(self.fd)
            os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
