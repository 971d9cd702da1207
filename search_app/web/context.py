"""The index of a request: opened (or reused) once per request, so that every part of a page, and its
citations and links, come from the same generation even while a rebuild swaps in a new one."""
from __future__ import annotations

from flask import current_app, g

from indexer.index.reader import Index, open_index


def index() -> Index:
    if "index" not in g:
        g.index = open_index(current_app.config["INDEX_DIR"])
    return g.index
