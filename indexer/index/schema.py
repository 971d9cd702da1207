"""THE Whoosh schema of a passage index (single source of truth, versioned).

Fields: the passage (stored: its id, its report's id and its place in the report — ordinal, start and end
offsets into the report's text, which the segment's documents hold once, in the original script), ``words`` (jieba words of the folded
text with ordinal positions, for ranking and proximity), ``grams`` (the set of character unigrams and bigrams of
the folded text, for exact substrings), ``head`` (words of the passage's heading and its report's title, boosted
in ranking), and the facets and the year as columns (what a report says of itself is stored once per report,
in the segment's documents, not once per passage). Document numbers equal sidecar rows (``row`` is stored to
check it). The index records ``SCHEMA_VERSION``; a reader refuses an index of another version instead of
misreading it.
"""
from __future__ import annotations

from whoosh.analysis import Token, Tokenizer
from whoosh.columns import NumericColumn, RefBytesColumn
from whoosh.fields import COLUMN, ID, STORED, FieldType, Schema
from whoosh.formats import Existence, Positions

from indexer.facets import FACETS
from indexer.index.analysis import words_with_offsets
from indexer.normalize import fold

SCHEMA_VERSION = 8      # 2: a passage's folded text holds the headings before it (``lead``); 3: the schema classes moved
                        # to indexer.index.schema (Whoosh pickles them by module path); 4: segments and commits;
                        # 5: facets and year as columns only, the report's metadata stored per report; 6: gram
                        # postings and positions read from Whoosh's blocks, documents stored compressed; 7: a
                        # passage's text read from its report (stored once), blocks pickled without a memo;
                        # 8: the sidecar's edge grams (grams a row holds only in the headings around its passage)


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


def gram_code(gram: str) -> int:
    """A unigram or bigram as one integer: the first code point, shifted, and the second (0 for none).

    Code points never exceed 21 bits and folded text holds no NUL, so codes sort as the grams' UTF-8 strings
    do, which is the order Whoosh writes terms in.
    """
    return (ord(gram[0]) << 21) | (ord(gram[1]) if len(gram) > 1 else 0)


def gram_string(code: int) -> str:
    return chr(code >> 21) + (chr(code & 0x1FFFFF) if code & 0x1FFFFF else "")


def grams_of(folded: str) -> set[str]:
    """Character unigrams and bigrams: every substring of a passage is found through them."""
    return set(folded) | {folded[i:i + 2] for i in range(len(folded) - 1)}


class WordsField(FieldType):
    """jieba words with positions. Accepts the words already cut (the builder segments each text once) or a
    string, which is then analysed."""

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
        doc_id=STORED(),
        row=STORED(),
        words=WordsField(),
        grams=GramsField(),
        head=WordsField(),
        ordinal=STORED(),
        start=STORED(),
        end=STORED(),
        year=COLUMN(NumericColumn("h", default=0)),
        **{f.name: COLUMN(RefBytesColumn()) for f in FACETS},
    )
