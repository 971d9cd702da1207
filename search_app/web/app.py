"""The app factory: configuration, the blueprints of the pages, security headers and errors in Chinese.

Configuration is the one settings system (``indexer.settings``: defaults in code, ``LRSEARCH_*`` from the
environment) as upper-case keys, with ``test_config`` on top.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from indexer.index.commits import IndexMismatch, IndexMissing
from indexer.settings import load_settings, web_config
from search_app.core import deadline
from search_app.core.deadline import TimedOut
from search_app.core.query import QueryError
from search_app.saved import NAME_MAX, SavedUnavailable
from search_app.web import advanced, analysis, concordance, diff, params, reader, render, saved, search, similar, spread
from search_app.web import figures as figures_page
from search_app.web.context import index
from search_app.web.params import BadRequest

PACKAGE = Path(__file__).resolve().parent.parent
# a wheel carries the templates inside the package (pyproject.toml); a checkout keeps them at its top level
TEMPLATES = PACKAGE / "templates" if (PACKAGE / "templates").is_dir() else PACKAGE.parent / "templates"
# Chinese for the errors Werkzeug raises itself; an error raised with its own description keeps it.
HTTP_MESSAGES = {400: "请求有误。", 404: "找不到这个页面。", 405: "这个地址不接受这种请求方式。",
                 413: "请求太大。", 500: "服务器出错，请求没有完成。"}


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app. Configuration: the settings (defaults, then LRSEARCH_* variables), then ``test_config``."""
    app = Flask(__name__, template_folder=str(TEMPLATES), static_folder=str(PACKAGE / "static"))
    app.config.update(web_config(load_settings()))
    if test_config:
        app.config.update(test_config)
    app.debug = False          # never the interactive debugger, whatever the configuration says
    app.config["DEBUG"] = False
    app.json.ensure_ascii = False   # the same JSON as `lrsearch search --json`: Chinese as is, keys in order
    app.json.sort_keys = False
    for module in (search, reader, analysis, concordance, similar, diff, advanced):
        app.register_blueprint(module.bp)
    app.register_blueprint(saved.bp)        # saved searches and feeds
    app.register_blueprint(spread.bp)       # how a wording spread
    app.register_blueprint(figures_page.bp)     # the work-figures table
    app.add_url_rule("/-/health.json", "health", health)
    app.before_request(lambda: deadline.start(current_app.config["REQUEST_TIMEOUT_S"]))
    app.teardown_request(lambda _e: deadline.start(None))
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(BadRequest, lambda e: error(str(e), 400))
    app.register_error_handler(QueryError, lambda e: error(f"查询无法执行：{e}", 400))
    app.register_error_handler(SavedUnavailable, lambda e: error(str(e), 503))
    app.register_error_handler(TimedOut, _timed_out)
    app.register_error_handler(IndexMissing, _index_unavailable)
    app.register_error_handler(IndexMismatch, _index_unavailable)
    app.register_error_handler(Exception, _internal_error)
    app.jinja_env.globals.update(render.TEMPLATE_GLOBALS, **params.TEMPLATE_GLOBALS, saved_name_max=NAME_MAX)
    return app


def health():
    ix = index()
    return jsonify({"ok": True, "generation": ix.generation, "passages": ix.n})


SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def _security_headers(resp):
    resp.headers.update(SECURITY_HEADERS)
    return resp


def error(message: str, status: int):
    """The one error shape: ``{"ok": false, "error", "status"}`` under /api/, the error page elsewhere."""
    if request.path.startswith("/api/"):
        return jsonify({"ok": False, "error": message, "status": status}), status
    return render_template("error.html", message=message, status=status), status


def _http_error(e: HTTPException):
    code = e.code or 500
    own = e.description and e.description != type(e).description
    resp, status = error(e.description if own else HTTP_MESSAGES.get(code, f"请求无法完成（{code}）。"), code)
    if getattr(e, "valid_methods", None):
        resp = current_app.make_response(resp)
        resp.headers["Allow"] = ", ".join(e.valid_methods)
    return resp, status


def _index_unavailable(e: Exception):
    """The index's own message names server paths: it goes to the log, the user gets a plain sentence."""
    current_app.logger.error("index unavailable: %s", e)
    return error("检索服务暂不可用：索引尚未建立，或版本与本程序不符，需要重建。", 503)


def _timed_out(e: TimedOut):
    """A search that ran past ``request_timeout_s`` before its hits were known: a 503 the client may retry."""
    current_app.logger.warning("timed out after %ss: %s", e.seconds, request.full_path)
    resp = current_app.make_response(error(str(e), 503))
    resp.headers["Retry-After"] = "10"
    return resp


def _internal_error(e: Exception):
    if isinstance(e, OSError) and "index" in g and not g.index.is_current():
        # the request's commit was replaced twice while it ran, and the writer after that removed its files
        current_app.logger.warning("index files gone under a request: %s", e)
        resp = current_app.make_response(error("索引刚刚更新，这次请求没有完成，请重试。", 503))
        resp.headers["Retry-After"] = "1"
        return resp
    current_app.logger.exception("unhandled error")
    return error("服务器出错，请求没有完成。", 500)
