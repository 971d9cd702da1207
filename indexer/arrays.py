"""Array helpers shared by the index builder and the search core.

``np.unique`` (numpy 2.4) hashes before it sorts and takes ten times as long as sorting: 0.9 s against 0.09 s
for two million integers. The build and the queries call it on millions of postings.
"""
from __future__ import annotations

import numpy as np


def distinct(a: np.ndarray) -> np.ndarray:
    """The distinct values of ``a``, ascending (``np.unique`` of a 1-d array, by sorting)."""
    a = np.sort(a)
    return a[np.concatenate(([True], a[1:] != a[:-1]))] if len(a) else a
