"""Fold reposts of the same report into one canonical document that keeps the list of its sources.

Near-duplicates are found by MinHash over character shingles of the search key (``fold``: simplified, width
folded, no whitespace), so a WeChat repost, a copy with a different page template and a traditional-character
mirror all look alike. Reports of one congress in different years share boilerplate but far less than the
threshold (an estimated Jaccard similarity of 0.85 of 5-character shingles).
"""
from __future__ import annotations

from indexer.model import Document
from indexer.normalize import fold
from indexer.settings import SETTINGS, Settings

NUM_PERM = 128


def signature(text: str, settings: Settings = SETTINGS):
    """The MinHash of a text's shingles. datasketch (and scipy under it) is imported here, not at start-up."""
    from datasketch import MinHash
    key = fold(text)
    k = settings.shingle_size
    shingles = {key[i:i + k].encode() for i in range(max(1, len(key) - k + 1))}
    m = MinHash(num_perm=NUM_PERM)
    m.update_batch(list(shingles))
    return m


def _preference(doc: Document) -> tuple:
    """Which copy of a report to keep: simplified, then the earliest published, then the fuller one."""
    return (doc.traditional, doc.pub_date or "9999", -len(doc.text), doc.source)


def fold_duplicates(docs: list[Document], settings: Settings = SETTINGS) -> list[Document]:
    """Return the documents with each group of near-duplicates folded into its preferred copy.

    The kept copy's ``sources`` lists every source of the group, its own first. Order follows the input.
    """
    from datasketch import MinHashLSH
    lsh = MinHashLSH(threshold=settings.duplicate_threshold, num_perm=NUM_PERM)
    sigs = [signature(d.text, settings) for d in docs]
    group_of: dict[int, int] = {}
    for i, sig in enumerate(sigs):
        matches = [int(j) for j in lsh.query(sig)]
        # LSH gives candidates; confirm with the estimated Jaccard before folding.
        same = [j for j in matches if sigs[j].jaccard(sig) >= settings.duplicate_threshold]
        group_of[i] = group_of[min(same)] if same else i
        lsh.insert(str(i), sig)
    groups: dict[int, list[int]] = {}
    for i, g in group_of.items():
        groups.setdefault(g, []).append(i)
    out = []
    for i in range(len(docs)):
        members = groups.get(i)
        if members is None:
            continue
        keep = min((docs[j] for j in members), key=_preference)
        sources = [keep.source] + [s for j in members for s in docs[j].sources if s != keep.source]
        keep.sources = list(dict.fromkeys(sources))
        out.append(keep)
    return out
