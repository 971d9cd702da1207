"""The `lrsearch` command: the one composition root of the write side (crawl, ingest, index …) and the read
side (search, kwic, similar, stats, trends), and of the web server (serve)."""
from search_app.cli.main import main

__all__ = ["main"]
