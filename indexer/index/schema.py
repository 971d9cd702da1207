"""THE Whoosh schema of a passage index (single source of truth, versioned).

Fields: the passage text (stored, original script), ``words`` (jieba words of the folded text with ordinal
positions, for ranking and proximity), ``grams`` (the set of character unigrams and bigrams of the folded
text, for exact substrings), ``head`` (words of the passage's heading and its report's title, boosted in
ranking), ``lead`` (the headings between the previous passage and this one, as written), and facet columns. Document numbers equal sidecar rows (``row`` is stored to check it). The index records
``SCHEMA_VERSION``; a reader refuses an index of another version instead of misreading it.
"""
from __future__ import annotations

from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, NUMERIC, STORED, FieldType, Schema
from whoosh.formats import Existence, Positions

from indexer.index.analysis import words_with_offsets
from indexer.normalize import fold

SCHEMA_VERSION = 4      # 2: a passage's folded text holds the headings before it (``lead``); 3: the schema classes moved
                        # to indexer.index.schema (Whoosh pickles them by module path); 4: segments and commits


class JiebaTokenizer(Tokenizer):
    """jieba words with *ordinal* positions (0, 1, 2 …) and character offsets into the folded text."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True, start_pos=0,
                 start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for i, (word, start, end) in enumerate(words_with_offsets(fold(value))):
            token.text = word
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = start_pos + i
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token


def grams_of(folded: str) -> set[str]:
    """Character unigrams and bigrams: every substring of a passage is found through them."""
    return set(folded) | {folded[i:i + 2] for i in range(len(folded) - 1)}


class WordsField(FieldType):
    """jieba words with positions. Accepts the words already cut (the builder segments each text once,
    in worker processes) or a string, which is then analysed."""

    def __init__(self, stored: bool = False):
        super().__init__(Positions(), JiebaTokenizer(), scorable=True, stored=stored)

    def index(self, value, **kwargs):
        if isinstance(value, str):
            yield from super().index(value, **kwargs)
            return
        positions: dict[str, list[int]] = {}
        for i, word in enumerate(value):
            positions.setdefault(word, []).append(i)
        for word, poslist in positions.items():
            yield word.encode("utf-8"), len(poslist), float(len(poslist)), self.format.encode(poslist)


class GramsField(FieldType):
    """Character n-grams of the folded text. Existence only: candidates are verified against the text."""

    def __init__(self):
        super().__init__(Existence(), JiebaTokenizer(), scorable=True, stored=False)

    def index(self, value, **kwargs):
        return [(g.encode("utf-8"), 1, 1.0, b"") for g in sorted(grams_of(fold(value)))]


def passage_schema() -> Schema:
    return Schema(
        passage_id=ID(stored=True, unique=True),
        doc_id=ID(stored=True),
        row=STORED(),
        text=STORED(),
        words=WordsField(),
        grams=GramsField(),
        head=WordsField(),
        title_text=STORED(),
        heading_text=STORED(),
        lead=STORED(),
        body=STORED(),
        category=STORED(),
        region=ID(stored=True, sortable=True),
        province=ID(stored=True, sortable=True),
        level=ID(stored=True, sortable=True),
        year=NUMERIC(int, bits=16, stored=True, sortable=True),
        section=ID(stored=True, sortable=True),
        doc_type=ID(stored=True, sortable=True),
        ordinal=STORED(),
        start=STORED(),
        end=STORED(),
    )
