"""`lrsearch serve`: the app under gunicorn, several worker processes (CPU-bound Python cannot use a second
core from threads), each with a few threads, each opening the memory-mapped index itself after the fork.

gunicorn answers some malformed requests itself (a request line over its limit, bad headers) before the app
sees them; those answers carry the app's security headers too. A worker silent for ``timeout`` seconds is
killed and replaced, a backstop behind the app's own request deadline.
"""
from __future__ import annotations

import html

from gunicorn import util
from gunicorn.app.base import BaseApplication

from search_app.web.app import SECURITY_HEADERS, create_app


def write_error(sock, status_int, reason, mesg):
    """gunicorn's own error answer (``gunicorn.util.write_error``), in Chinese-neutral HTML, with the headers."""
    body = (f"<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{html.escape(reason)}"
            f"</title></head><body><h1>{status_int} {html.escape(reason)}</h1><p>请求有误。</p></body></html>")
    data = body.encode("utf-8")
    head = [f"HTTP/1.1 {status_int} {reason}", "Connection: close", "Content-Type: text/html; charset=utf-8",
            f"Content-Length: {len(data)}", *(f"{k}: {v}" for k, v in SECURITY_HEADERS.items())]
    util.write_nonblock(sock, ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + data)


class Server(BaseApplication):
    def __init__(self, index_dir: str, options: dict):
        self.index_dir, self.options = index_dir, options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return create_app({"INDEX_DIR": self.index_dir})


def serve(index_dir: str, host: str, port: int, workers: int, threads: int, timeout: float) -> None:
    util.write_error = write_error
    Server(index_dir, {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
                       "worker_class": "gthread", "timeout": max(1, round(timeout)), "graceful_timeout": 10,
                       "accesslog": None, "errorlog": "-", "loglevel": "warning",
                       "proc_name": "lrsearch", "preload_app": False}).run()
