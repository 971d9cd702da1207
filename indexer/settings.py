"""The one settings system: named limits with defaults in code, overridden by environment variables.

Every limit that protects the pipeline, the crawler, the search core or the web from bad input or heavy use
lives here, documented in one place. An environment variable ``LRSEARCH_<NAME>`` overrides a default (read
at import for ``SETTINGS``, and again by ``create_app``); the web app takes these as its configuration
(upper-case names) with ``create_app``'s ``test_config`` on top. The core applies the settings themselves, so
an app's configuration can lower a limit of its pages, never raise one of the core's.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def parse_bool(value: str) -> bool:
    """Parse a boolean strictly: "False", "0" and "no" all mean False; anything unknown is an error."""
    v = value.strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise ValueError(f"not a boolean: {value!r}")


@dataclass(frozen=True)
class Settings:
    max_file_bytes: int = 20 * 1024 * 1024   # a larger input file is refused with a clear error
    parse_timeout_s: float = 60.0            # wall-clock cap for one file in `ingest`
    parse_memory_bytes: int = 3 * 1024 ** 3  # address space of a parsing worker: a file that needs more fails alone
    max_html_nodes: int = 200_000            # pages with more elements are refused (tag soup, bombs)
    max_unpacked_bytes: int = 16 * 1024 ** 2  # XML a DOCX may unpack to (its pictures are not unpacked): zip bombs
    passage_max_chars: int = 300             # long paragraphs are split at sentence ends near this size
    passage_min_chars: int = 40              # a tail shorter than this joins the previous piece
    duplicate_threshold: float = 0.95        # estimated Jaccard of character shingles for a repost (below: a version)
    shingle_size: int = 5
    version_containment: float = 0.6         # share of the shorter text's shingles in the longer: a version of it
    # crawler: politeness
    user_agent: str = "lrsearch/0.1 (people's congress report search; polite crawler, obeys robots.txt)"
    crawl_delay_s: float = 1.0               # gap between two requests to one host when the site sets none
    min_crawl_delay_s: float = 1.0           # a non-local site may not ask for less (sources.toml delay_s)
    max_crawl_delay_s: float = 60.0          # a robots.txt Crawl-delay above this stops the crawl of the host
    max_retries: int = 3                     # extra attempts after a 429, a 5xx or a timeout
    retry_backoff_s: float = 2.0             # first wait before a retry, doubled each time
    max_retry_after_s: float = 120.0         # a longer Retry-After is not waited for: the URL stays queued
    robots_ttl_s: float = 86_400.0           # a fetched robots.txt is reused for this long (RFC 9309: 24 h)
    max_robots_bytes: int = 500 * 1024       # robots.txt is parsed up to this size only (RFC 9309 minimum)
    revisit_after_s: float = 30 * 86_400.0   # a stored report page is revalidated after this long
    max_pages: int = 5_000                   # requests per site and run unless the site or --max-pages says less
    # crawler: one fetch
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 20.0             # longest silence while reading
    fetch_timeout_s: float = 60.0            # wall clock for one fetch, redirects included
    max_fetch_bytes: int = 20 * 1024 * 1024  # decoded body size (a gzip bomb stops here)
    max_header_bytes: int = 64 * 1024        # all response headers together
    max_redirects: int = 5
    # the index, the search core
    index_dir: str = "data/index"            # where the CLI and the web look for the index unless told
    max_segment_passages: int = 56_000       # passages written into one segment: bounds a build's memory (2.71 GB at 1.5M)
    merge_factor: int = 8                    # this many segments of one size tier are merged into one
    max_query_chars: int = 256               # a longer query is refused
    max_terms: int = 32                      # words and phrases in one query
    max_chunk_words: int = 64                # distinct words an unquoted run of text is cut into
    max_or_terms: int = 16                   # alternatives joined by OR
    max_hits: int = 10_000                   # hits one search returns (pages ask for far fewer)
    max_offset: int = 100_000                # deepest hit a search may start at
    facet_size: int = 50                     # values listed per facet, most frequent first
    max_similar_chars: int = 5_000           # longest pasted paragraph for precedents
    max_similar: int = 100                   # precedents one request may ask for
    row_cache_bytes: int = 64 * 1024 ** 2    # matching rows of words and phrases kept per opened index
    result_cache_entries: int = 256          # whole search results kept per opened index (0: none)
    # the web pages
    per_page: int = 20
    max_per_page: int = 50
    max_page: int = 500
    kwic_hits: int = 100                     # passages whose keyword-in-context lines the KWIC page lists
    kwic_width: int = 30                     # characters of context each side of a KWIC line unless `width` says
    kwic_max_width: int = 200                # widest context a KWIC request may ask for
    kwic_read_passages: int = 1_000          # passages (best first) a KWIC sample or the collocates read at most
    kwic_max_sample: int = 1_000             # lines one random KWIC sample may ask for
    collocate_window: int = 5                # words each side of a match counted as its collocates unless told
    collocate_max_window: int = 10           # widest collocate window a request may ask for
    collocates_listed: int = 100             # collocates one table lists, strongest first
    similar_limit: int = 20                  # precedents listed by /similar unless `limit` says
    export_rows: int = 100_000               # rows one export streams at most
    request_timeout_s: float = 5.0           # a search past this answers with what it has, or 503


ALIASES = {"index_dir": "LRSEARCH_INDEX"}     # names the environment used before this settings system


# The environment may only make the crawler stricter than its defaults: whoever sets a deployment's variables
# must not be able to lower the politeness floor or lift a fetch cap. Code and tests that need other values
# pass them to load_settings explicitly.
ENV_ONLY_UP = frozenset({      # delays and waits owed to a host (max_retry_after_s: the stay-away after 429s)
    "crawl_delay_s", "min_crawl_delay_s", "retry_backoff_s", "max_retry_after_s"})
ENV_ONLY_DOWN = frozenset({    # what one fetch may cost, how often a URL is retried, how old robots.txt may be
    "connect_timeout_s", "read_timeout_s", "fetch_timeout_s", "max_fetch_bytes", "max_header_bytes",
    "max_redirects", "max_robots_bytes", "max_retries", "robots_ttl_s"})


def _env_stricter_only(name: str, var: str, raw: str, value, default) -> None:
    """Refuse an environment value that would loosen a crawler limit (NaN compares false, so it fails too)."""
    if name in ENV_ONLY_UP and not value >= default:
        raise ValueError(f"{var}={raw!r}: the environment may only raise {name}, to at least {default} "
                         "(the crawler's politeness floor)")
    if name in ENV_ONLY_DOWN and not 0 <= value <= default:
        raise ValueError(f"{var}={raw!r}: the environment may only lower {name}, to between 0 and {default} "
                         "(the crawler's cap)")


def load_settings(**overrides) -> Settings:
    """Return settings with environment overrides (LRSEARCH_MAX_FILE_BYTES, …) and explicit ones applied.

    :raises ValueError: an environment value that is not of the setting's type, or that loosens a crawler limit.
    """
    values = {}
    for f in fields(Settings):
        var = "LRSEARCH_" + f.name.upper()
        env = os.environ.get(var, os.environ.get(ALIASES.get(f.name, "")))
        if env is not None:
            values[f.name] = parse_bool(env) if f.type == "bool" else type(f.default)(env)
            _env_stricter_only(f.name, var, env, values[f.name], f.default)
    values.update(overrides)
    return Settings(**values)


def web_config(settings: Settings) -> dict:
    """The settings as a Flask configuration: upper-case names."""
    return {f.name.upper(): getattr(settings, f.name) for f in fields(Settings)}


SETTINGS = load_settings()
