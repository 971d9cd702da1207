"""Named limits and settings, defaults in code, overridable by environment variables.

Every limit that protects the pipeline from bad input lives here so that it is documented in one place
and can be lowered for tests. An environment variable ``LRSEARCH_<NAME>`` overrides a default.
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
    max_html_nodes: int = 200_000            # pages with more elements are refused (tag soup, bombs)
    passage_max_chars: int = 300             # long paragraphs are split at sentence ends near this size
    passage_min_chars: int = 40              # a tail shorter than this joins the previous piece
    duplicate_threshold: float = 0.85        # estimated Jaccard of character shingles for a repost
    shingle_size: int = 5


def load_settings(**overrides) -> Settings:
    """Return settings with environment overrides (LRSEARCH_MAX_FILE_BYTES, …) and explicit ones applied."""
    values = {}
    for f in fields(Settings):
        env = os.environ.get("LRSEARCH_" + f.name.upper())
        if env is not None:
            values[f.name] = parse_bool(env) if f.type == "bool" else type(f.default)(env)
    values.update(overrides)
    return Settings(**values)


SETTINGS = load_settings()
