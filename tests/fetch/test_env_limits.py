"""Environment variables can make the crawler stricter, never looser: a deployment's environment must not lower
the politeness floor or lift a fetch cap. Code and tests that need other values pass them to load_settings."""
from __future__ import annotations

import re

import pytest

from indexer.settings import ENV_ONLY_DOWN, ENV_ONLY_UP, Settings, load_settings

DEFAULTS = Settings()

LOOSER = [
    ("crawl_delay_s", "0"), ("min_crawl_delay_s", "0.5"), ("retry_backoff_s", "0"), ("max_retry_after_s", "1"),
    ("max_retries", "10"), ("robots_ttl_s", "1e9"), ("max_robots_bytes", "10000000"), ("connect_timeout_s", "600"),
    ("read_timeout_s", "600"), ("fetch_timeout_s", "3600"), ("fetch_timeout_s", "inf"),
    ("max_fetch_bytes", str(10 ** 10)), ("max_header_bytes", str(10 ** 8)), ("max_redirects", "50"),
    ("crawl_delay_s", "nan"), ("fetch_timeout_s", "nan"), ("max_fetch_bytes", "-1"),
]


@pytest.mark.parametrize("name, value", LOOSER, ids=[f"{n}={v}" for n, v in LOOSER])
def test_an_environment_variable_cannot_loosen_a_crawler_limit(monkeypatch, name, value):
    var = f"LRSEARCH_{name.upper()}"
    monkeypatch.setenv(var, value)
    with pytest.raises(ValueError, match=f"^{var}={re.escape(repr(value))}: ") as info:
        load_settings()
    assert str(getattr(DEFAULTS, name)) in str(info.value)      # the bound it may not pass


STRICTER = {"crawl_delay_s": 2.5, "min_crawl_delay_s": 3.0, "retry_backoff_s": 5.0, "max_retry_after_s": 600.0,
            "max_retries": 0, "robots_ttl_s": 3600.0, "max_robots_bytes": 1000, "connect_timeout_s": 2.0,
            "read_timeout_s": 2.0, "fetch_timeout_s": 5.0, "max_fetch_bytes": 1000, "max_header_bytes": 1000,
            "max_redirects": 0}


def test_every_guarded_setting_is_tried_both_ways():
    assert {name for name, _ in LOOSER} == set(STRICTER) == ENV_ONLY_UP | ENV_ONLY_DOWN
    assert all(isinstance(getattr(DEFAULTS, name), (int, float)) for name in STRICTER)


def test_the_environment_can_make_every_one_stricter(monkeypatch):
    for name, value in STRICTER.items():
        monkeypatch.setenv(f"LRSEARCH_{name.upper()}", str(value))
    settings = load_settings()
    assert {name: getattr(settings, name) for name in STRICTER} == STRICTER


def test_the_environment_may_restate_a_default(monkeypatch):
    monkeypatch.setenv("LRSEARCH_MAX_REDIRECTS", str(DEFAULTS.max_redirects))
    monkeypatch.setenv("LRSEARCH_CRAWL_DELAY_S", str(DEFAULTS.crawl_delay_s))
    settings = load_settings()
    assert (settings.max_redirects, settings.crawl_delay_s) == (DEFAULTS.max_redirects, DEFAULTS.crawl_delay_s)


def test_explicit_overrides_are_not_limited(monkeypatch):
    monkeypatch.setenv("LRSEARCH_MAX_REDIRECTS", "2")
    settings = load_settings(max_redirects=50, crawl_delay_s=0.0, max_fetch_bytes=10 ** 10)
    assert (settings.max_redirects, settings.crawl_delay_s, settings.max_fetch_bytes) == (50, 0.0, 10 ** 10)


def test_other_settings_still_follow_the_environment_both_ways(monkeypatch):
    monkeypatch.setenv("LRSEARCH_PARSE_TIMEOUT_S", "600")
    monkeypatch.setenv("LRSEARCH_MAX_QUERY_CHARS", "16")
    settings = load_settings()
    assert (settings.parse_timeout_s, settings.max_query_chars) == (600.0, 16)
