"""Text -> token ids, exactly as @fleet/model does (packages/model/src/tokenize.ts).

Tokens are the runs of Unicode letters and digits of the lowercased text, at most MAX_TOKENS;
a token's id is 1 + FNV-1a-32(UTF-8 bytes) mod (VOCAB_SIZE - 1), 0 is padding.

Python's own Unicode data is older than the Node that runs fleet (3.11: Unicode 14.0), so the
letter/digit ranges, the lowercase mapping and the two properties of the Final_Sigma rule come
from Node (bench/seed-stack/src/unicode-tables.ts writes dist/unicode-tables.json); str.lower()
and unicodedata are never used.
"""
import bisect
import json
import re
from itertools import islice

MAX_TOKENS = 512
VOCAB_SIZE = 32768
FNV_OFFSET = 0x811C9DC5
FNV_PRIME = 0x01000193
CAPITAL_SIGMA = "\u03a3"
SMALL_SIGMA = "\u03c3"
FINAL_SIGMA = "\u03c2"


def fnv1a32(data: bytes) -> int:
    h = FNV_OFFSET
    for byte in data:
        h = ((h ^ byte) * FNV_PRIME) & 0xFFFFFFFF
    return h


def token_id(token: str) -> int:
    return 1 + fnv1a32(token.encode("utf-8")) % (VOCAB_SIZE - 1)


def _char_class(ranges) -> str:
    parts = []
    for first, last in ranges:
        parts.append("\\U%08x" % first if first == last else "\\U%08x-\\U%08x" % (first, last))
    return "[" + "".join(parts) + "]+"


class _RangeSet:
    """Membership in sorted inclusive ranges, by bisection."""

    def __init__(self, ranges):
        self._starts = [first for first, _ in ranges]
        self._ends = [last for _, last in ranges]

    def __contains__(self, cp: int) -> bool:
        i = bisect.bisect_right(self._starts, cp) - 1
        return i >= 0 and cp <= self._ends[i]


class Tokenizer:
    def __init__(self, tables: dict):
        self.unicode = tables["unicode"]
        self._lower = {cp: lower for cp, lower in tables["lower"]}
        self._token_re = re.compile(_char_class(tables["letterDigit"]))
        self._cased = _RangeSet(tables["cased"])
        self._ignorable = _RangeSet(tables["caseIgnorable"])

    @classmethod
    def from_file(cls, path: str) -> "Tokenizer":
        with open(path, encoding="utf-8") as f:
            return cls(json.load(f))

    def lower(self, text: str) -> str:
        """String.prototype.toLowerCase of the Node that wrote the tables."""
        if CAPITAL_SIGMA in text:
            text = re.sub(CAPITAL_SIGMA, lambda m: self._sigma(text, m.start()), text)
        return text.translate(self._lower)

    def tokens(self, text: str, max_tokens: int = MAX_TOKENS) -> list:
        if max_tokens <= 0:
            return []
        return [m.group(0) for m in islice(self._token_re.finditer(self.lower(text)), max_tokens)]

    def ids(self, text: str, max_tokens: int = MAX_TOKENS) -> list:
        return [token_id(t) for t in self.tokens(text, max_tokens)]

    def _sigma(self, text: str, at: int) -> str:
        # Unicode Final_Sigma as ICU applies it: skip case-ignorable characters (they win over
        # Cased), then look for a cased letter before and none after.
        final = self._cased_next(text, at, -1) and not self._cased_next(text, at, 1)
        return FINAL_SIGMA if final else SMALL_SIGMA

    def _cased_next(self, text: str, at: int, step: int) -> bool:
        i = at + step
        while 0 <= i < len(text):
            cp = ord(text[i])
            if cp not in self._ignorable:
                return cp in self._cased
            i += step
        return False
