"""Crawl the simulated webs with discovery — ours (tests/fetch/simweb.py) and the one written without looking at
the crawler (tests/fetch/simweb_blind.py), six congress sites each in the styles of China's government CMS
families — and print report recall, distractors stored, requests per report found, and disallowed or off-site
fetches, per site and in all.

usage: python -m tests.tools.simweb [--seeds 0,1,2]
"""
from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from tests.fetch import simweb, simweb_blind


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="0,1,2", help="which shuffles of the fixture documents to crawl")
    args = parser.parse_args()
    for name, build in (("simweb", simweb.build), ("simweb_blind", simweb_blind.build)):
        for seed in (int(s) for s in args.seeds.split(",")):
            with simweb.SimWeb(build(seed)) as web, tempfile.TemporaryDirectory() as tmp:
                figures = simweb.measure(web, Path(tmp) / "crawl")
            print(f"{name}, seed {seed} (load average {os.getloadavg()[0]:.2f}):")
            print("\n".join("  " + line for line in figures.lines()))


if __name__ == "__main__":
    main()
