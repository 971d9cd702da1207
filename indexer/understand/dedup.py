"""Fold reposts of the same report into one canonical document that keeps the list of its sources, and link
the other versions of a report (its 摘要, a copy with a text of its own) without folding them.

Near-duplicates are found by MinHash over character shingles of the search key (``fold``: simplified, width
folded, no whitespace), so a WeChat repost, a copy with a different page template and a traditional-character
mirror all look alike. A repost has the same text: an estimated Jaccard similarity of 5-character shingles of
``duplicate_threshold`` (0.95) or more; the same report republished with an intro of the reporter's and a
paragraph left out measured 0.86-0.93, and is a version, not a repost: folding it would lose the text that
differs. Reports of one congress in different years share boilerplate but far less. Candidates come from
banding the signatures (16 bands of 8 values: a pair at 0.95 is a candidate with probability 1.000), and each
is confirmed by its estimated similarity.

The same rules fold a batch of new documents (``fold_duplicates``) and new documents into an index that
already holds documents (``fold_into``): there, a held document is represented by its catalog entry and its
signature, so nothing held is read or signed again. Versions (``link_versions``) are read whole, and only
those of the same congress and year.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from indexer.arrays import distinct
from indexer.model import Document
from indexer.normalize import fold
from indexer.settings import SETTINGS, Settings
from indexer.store import CatalogEntry

NUM_PERM = 128                   # values in a signature
BANDS, BAND_ROWS = 16, 8
_MIX = np.random.default_rng(20240601).integers(1, 2**63, size=BAND_ROWS, dtype=np.uint64) | np.uint64(1)
_BIN_SHIFT = np.uint64(64 - 7)   # the top 7 bits of a shingle's hash choose one of the 128 values it may set
_VALUE = np.uint64((1 << 57) - 1)
_EMPTY = np.uint64(2**64 - 1)


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a well-spread 64-bit hash of each value."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def signatures(texts: Sequence[str], settings: Settings = SETTINGS) -> np.ndarray:
    """MinHash signatures of the texts' character shingles, one row of ``NUM_PERM`` uint64 values each.

    One-permutation hashing (Li et al. 2012) with densification (Shrivastava 2017): each shingle is hashed
    once, its top bits pick one of ``NUM_PERM`` bins and each bin keeps its smallest value; an empty bin takes
    the next full one's. Two texts agree in a share of the values that estimates the Jaccard similarity of their
    shingle sets, as k independent permutations would, for one hash per shingle instead of k (datasketch's
    SHA-1 per shingle and permutation took 7.3 ms for a 4,400-character report, this 1.0 ms).
    """
    out = np.empty((len(texts), NUM_PERM), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i, text in enumerate(texts):
            shingles = shingle_hashes(text, settings.shingle_size)
            sig = np.full(NUM_PERM, _EMPTY, dtype=np.uint64)
            bins = (shingles >> _BIN_SHIFT).astype(np.intp)
            first = np.flatnonzero(np.diff(bins, prepend=-1))     # sorted: a bin's first value is its least
            sig[bins[first]] = shingles[first] & _VALUE
            full = np.flatnonzero(sig != _EMPTY)
            if len(full) < NUM_PERM:
                nearest = full[np.searchsorted(full, np.arange(NUM_PERM)) % len(full)]
                sig = sig[nearest]
            out[i] = sig
    return out


def shingle_hashes(text: str, k: int) -> np.ndarray:
    """The distinct 64-bit hashes of the folded text's k-character shingles, ascending."""
    powers = np.array([pow(1_000_003, j, 2**64) for j in range(k)], dtype=np.uint64)
    cps = np.frombuffer(fold(text).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(cps) < k:
        cps = np.concatenate([cps, np.zeros(k - len(cps), dtype=np.uint64)])
    hashes = np.zeros(len(cps) - k + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):          # the k-character windows' polynomial hashes, a column at a time
            hashes += cps[j:len(cps) - k + 1 + j] * powers[j]
        return distinct(_mix64(hashes))


def band_keys(sigs: np.ndarray) -> np.ndarray:
    """One key per band of each signature: equal bands give equal keys (a collision only adds a candidate)."""
    bands = sigs.reshape(len(sigs), BANDS, BAND_ROWS)
    with np.errstate(over="ignore"):
        return (bands * _MIX).sum(axis=2, dtype=np.uint64)


def similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of signature ``a`` with each row of ``b``."""
    return (b == a).mean(axis=-1)


def _preference(traditional: bool, pub_date: str | None, text_len: int, source: str) -> tuple:
    """Which copy of a report to keep: simplified, then the earliest published, then the fuller one."""
    return (traditional, pub_date or "9999", -text_len, source)


def _groups(held_keys: np.ndarray, held_sigs: np.ndarray, new_sigs: np.ndarray, threshold: float) -> list[int]:
    """For each new signature, in order, the item its group is named after: a held item (index < len(held)) or an
    earlier new one (len(held) + j), the first that it matches; itself when it matches none. Held items are
    never grouped with each other: the index holds them folded already."""
    n_held = len(held_sigs)
    new_keys = band_keys(new_sigs) if len(new_sigs) else np.zeros((0, BANDS), dtype=np.uint64)
    seen: dict[tuple[int, int], list[int]] = {}
    for i, keys in enumerate(new_keys.tolist()):
        for b, k in enumerate(keys):
            seen.setdefault((b, k), []).append(n_held + i)
    colliding = np.zeros(n_held, dtype=bool)
    for b in range(BANDS if n_held else 0):
        colliding |= np.isin(held_keys[:, b], new_keys[:, b])
    held_candidates = np.flatnonzero(colliding)
    group = list(range(n_held + len(new_sigs)))
    for i, keys in enumerate(new_keys.tolist()):
        me = n_held + i
        earlier = sorted({j for b, k in enumerate(keys) for j in seen[(b, k)] if j < me})
        held = held_candidates[(held_keys[held_candidates] == new_keys[i]).any(axis=1)] if len(held_candidates) \
            else held_candidates
        candidates = held.tolist() + earlier
        sigs = [held_sigs[j] if j < n_held else new_sigs[j - n_held] for j in candidates]
        same = [j for j, s in zip(candidates, sigs) if similarity(new_sigs[i], s) >= threshold]
        group[me] = group[min(same)] if same else me
    return group


@dataclass
class Folding:
    """What folding new documents into held ones decided."""
    add: list[Document] = field(default_factory=list)             # new documents to write, sources merged
    add_signatures: list[np.ndarray] = field(default_factory=list)
    drop: list[int] = field(default_factory=list)                  # held documents a new copy replaces
    extend: dict[int, list[str]] = field(default_factory=dict)     # held documents kept, with more sources


def fold_into(held: Sequence[CatalogEntry], held_sigs: np.ndarray, new: list[Document], new_sigs: np.ndarray,
              settings: Settings = SETTINGS) -> Folding:
    """Fold ``new`` documents (in order) into each other and into the ``held`` ones.

    Each group keeps its preferred copy, whose sources list every source of the group, its own first. A held
    copy that stays gains the new copies' sources (``extend``); one that a new copy beats is dropped and the new
    copy carries its sources (``drop``).
    """
    n_held = len(held)
    held_keys = band_keys(held_sigs) if n_held else np.zeros((0, BANDS), dtype=np.uint64)
    group = _groups(held_keys, held_sigs, new_sigs, settings.duplicate_threshold)
    members: dict[int, list[int]] = {}
    for i in range(n_held, n_held + len(new)):
        members.setdefault(group[i], []).append(i)
    out = Folding()
    heads = []                # the first new member of each group that writes a new copy: the output's order
    for head, items in members.items():
        items = ([head] if head < n_held else []) + items
        prefs = [_preference(held[i].traditional, held[i].pub_date, held[i].text_len, held[i].source) if i < n_held
                 else _preference(new[i - n_held].traditional, new[i - n_held].pub_date, len(new[i - n_held].text),
                                  new[i - n_held].source) for i in items]
        keep = items[prefs.index(min(prefs))]
        sources_of = [held[i].sources if i < n_held else new[i - n_held].sources for i in items]
        own = held[keep].source if keep < n_held else new[keep - n_held].source
        sources = list(dict.fromkeys([own] + [s for ss in sources_of for s in ss if s != own]))
        if keep < n_held:
            out.extend[keep] = sources
            continue
        doc = new[keep - n_held]
        doc.sources = sources
        out.add.append(doc)
        out.add_signatures.append(new_sigs[keep - n_held])
        out.drop += [i for i in items if i < n_held]
        heads.append(min(i for i in items if i >= n_held))
    ranked = sorted(range(len(out.add)), key=heads.__getitem__)
    out.add = [out.add[k] for k in ranked]
    out.add_signatures = [out.add_signatures[k] for k in ranked]
    return out


def fold_duplicates(docs: list[Document], settings: Settings = SETTINGS) -> list[Document]:
    """Return the documents with each group of near-duplicates folded into its preferred copy.

    The kept copy's ``sources`` lists every source of the group, its own first. Order follows the input.
    """
    return fold_into([], np.zeros((0, NUM_PERM), dtype=np.uint64), docs, signatures([d.text for d in docs], settings),
                     settings).add


def link_versions(new: list[Document], held: Sequence[Document] = (), settings: Settings = SETTINGS) -> None:
    """Note in each new document's ``versions`` the other versions of the same report among the new documents
    before it and the ``held`` ones: a 摘要 of it, or a copy on another site whose text differs (an intro added,
    a paragraph dropped), which folding leaves apart since their texts are not near-duplicates.

    Versions are the same congress's report of one year (``Document.version_key``) where most of the shorter
    one's shingles (``version_containment``) are in the longer. Links point back only; read together they make
    each report's versions one group (``Index.report_groups``), counted once in trends.
    """
    keyed = [(d, d.version_key()) for d in new]
    if not any(key for _, key in keyed):
        return
    shingles: dict[int, np.ndarray] = {}

    def of(d: Document) -> np.ndarray:
        if id(d) not in shingles:
            shingles[id(d)] = shingle_hashes(d.text, settings.shingle_size)
        return shingles[id(d)]

    earlier: dict[tuple, list[Document]] = {}       # by version key: only those can be versions of each other
    for d in held:
        if (key := d.version_key()) is not None:
            earlier.setdefault(tuple(key), []).append(d)
    for d, key in keyed:
        if key is None:
            continue
        for other in earlier.get(tuple(key), []):
            if other.doc_id != d.doc_id and other.doc_id not in d.versions:
                a, b = of(d), of(other)
                shared = len(np.intersect1d(a, b, assume_unique=True))
                if shared >= settings.version_containment * min(len(a), len(b)):
                    d.versions.append(other.doc_id)
        earlier.setdefault(tuple(key), []).append(d)
