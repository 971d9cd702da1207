"""Sections and passages of a document: paragraphs, long ones split at sentence ends, with stable ids.

A passage id is a hash of the document id, the passage's folded text and how many identical passages came
before it, so re-ingesting the same file gives the same ids and editing one paragraph changes only its id.
"""
from __future__ import annotations

import hashlib
import re

from indexer.model import Passage, Section
from indexer.normalize import fold
from indexer.settings import SETTINGS, Settings
from indexer.understand.sections import Item, categorize

_SENTENCE_END = re.compile(r"[^。！？!?；;]*[。！？!?；;]+[”’」』）)\"']*|[^。！？!?；;]+$")
_CLAUSE_END = re.compile(r"[^，,、：:]*[，,、：:]+|[^，,、：:]+$")


def _pack(pieces: list[str], limit: int) -> list[str]:
    chunks: list[str] = []
    for piece in pieces:
        if chunks and len(chunks[-1]) + len(piece) <= limit:
            chunks[-1] += piece
        else:
            chunks.append(piece)
    return chunks


def split_paragraph(text: str, settings: Settings = SETTINGS) -> list[str]:
    """Split a paragraph into pieces of at most about ``passage_max_chars``, at sentence ends if possible."""
    limit = settings.passage_max_chars
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    for sentence in _SENTENCE_END.findall(text):
        if len(sentence) <= limit:
            pieces.append(sentence)
            continue
        for clause in _pack(_CLAUSE_END.findall(sentence), limit):
            pieces.extend(clause[i:i + limit] for i in range(0, len(clause), limit))
    chunks = _pack(pieces, limit)
    if len(chunks) > 1 and len(chunks[-1]) < settings.passage_min_chars:
        tail = chunks.pop()
        chunks[-1] += tail
    return chunks


def passage_id(doc_id: str, text: str, occurrence: int) -> str:
    key = f"{doc_id}\x00{fold(text)}\x00{occurrence}".encode()
    return hashlib.blake2b(key, digest_size=8).hexdigest()


def build_sections(doc_id: str, items: list[Item], settings: Settings = SETTINGS, congress: bool = True) \
        -> tuple[str, list[Section]]:
    """Lay the items out as the document text (one paragraph per line) and cut it into sections and passages.

    :param congress: whether it is a congress's report (see ``sections.categorize``).

    :returns: the document text and its sections, a level-0 preamble section first when text precedes the
        first heading.
    """
    categories = {id(it): (cat, own) for it, cat, own in categorize(items, congress)}
    sections: list[Section] = []
    lines: list[str] = []
    offset = 0
    seen: dict[str, int] = {}
    ordinal = 0
    for it in items:
        start = offset
        lines.append(it.text)
        offset += len(it.text) + 1
        if it.heading:
            cat, own = categories[id(it)]
            sections.append(Section(heading=it.heading, level=it.level, category=cat, own_category=own))
            if not it.rest:
                continue      # a heading line on its own is not a passage
        if not sections:
            sections.append(Section(heading="", level=0, category="综述"))
        section = sections[-1]
        pos = start
        for piece in split_paragraph(it.text, settings):
            key = fold(piece)
            occurrence = seen.get(key, 0)
            seen[key] = occurrence + 1
            section.passages.append(Passage(passage_id=passage_id(doc_id, piece, occurrence), ordinal=ordinal,
                                            text=piece, start=pos, end=pos + len(piece), heading=section.heading,
                                            category=section.category))
            ordinal += 1
            pos += len(piece)
    return "\n".join(lines), sections
