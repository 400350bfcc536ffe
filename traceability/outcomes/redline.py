"""Word-level differences between two texts, for showing what changed in a clause (a redline)."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

__all__ = ["MAX_TOKEN_PRODUCT", "word_diff"]

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")
# Sentence ends (and line breaks) where long texts are cut into segments before diffing word by word.
_SEGMENT_END = re.compile(r"[.;:!?]|\s*\n\s*")
# Above this product of token counts a word-level SequenceMatcher is too slow (autojunk off, the
# whitespace tokens repeat): the texts are first compared sentence by sentence, and a changed stretch
# still that large becomes one delete plus one insert.
MAX_TOKEN_PRODUCT = 1_500_000

Op = tuple[str, str]


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """[(op, text)] with op in {"equal", "insert", "delete"}; texts keep their whitespace so that joining all
    equal+delete parts gives `old` and all equal+insert gives `new`."""
    a = _TOKENS.findall(old)
    b = _TOKENS.findall(new)
    ops: list[Op] = []
    # Common head and tail first: cheap, and usually most of a long clause.
    head = 0
    limit = min(len(a), len(b))
    while head < limit and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < limit - head and a[len(a) - 1 - tail] == b[len(b) - 1 - tail]:
        tail += 1
    ops.append(("equal", "".join(a[:head])))
    middle_a, middle_b = a[head : len(a) - tail], b[head : len(b) - tail]
    if len(middle_a) * len(middle_b) <= MAX_TOKEN_PRODUCT:
        _diff_tokens(middle_a, middle_b, ops)
    else:
        _diff_segments(middle_a, middle_b, ops)
    ops.append(("equal", "".join(a[len(a) - tail :])))
    return _coalesce(_merge(ops))


def _diff_tokens(a: list[str], b: list[str], ops: list[Op]) -> None:
    if not a or not b:
        ops.append(("delete", "".join(a)))
        ops.append(("insert", "".join(b)))
        return
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(("equal", "".join(a[i1:i2])))
        else:
            ops.append(("delete", "".join(a[i1:i2])))
            ops.append(("insert", "".join(b[j1:j2])))


def _segments(tokens: list[str]) -> list[str]:
    segments: list[str] = []
    current: list[str] = []
    for token in tokens:
        current.append(token)
        if _SEGMENT_END.fullmatch(token):
            segments.append("".join(current))
            current = []
    if current:
        segments.append("".join(current))
    return segments


def _diff_segments(a: list[str], b: list[str], ops: list[Op]) -> None:
    segments_a, segments_b = _segments(a), _segments(b)
    if len(segments_a) * len(segments_b) > MAX_TOKEN_PRODUCT:
        ops.append(("delete", "".join(a)))
        ops.append(("insert", "".join(b)))
        return
    matcher = SequenceMatcher(None, segments_a, segments_b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(("equal", "".join(segments_a[i1:i2])))
            continue
        tokens_a = _TOKENS.findall("".join(segments_a[i1:i2]))
        tokens_b = _TOKENS.findall("".join(segments_b[j1:j2]))
        if len(tokens_a) * len(tokens_b) <= MAX_TOKEN_PRODUCT:
            _diff_tokens(tokens_a, tokens_b, ops)
        else:
            ops.append(("delete", "".join(tokens_a)))
            ops.append(("insert", "".join(tokens_b)))


def _merge(ops: list[Op]) -> list[Op]:
    """Drop empty parts and join neighbours of the same kind."""
    merged: list[Op] = []
    for op, text in ops:
        if not text:
            continue
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + text)
        else:
            merged.append((op, text))
    return merged


def _coalesce(ops: list[Op]) -> list[Op]:
    """Read changes as phrases, not interleaved words: changes separated only by blanks become one deletion
    followed by one insertion ("at least yearly" -> "every six months", not at/every least/six ...)."""
    out: list[Op] = []
    deleted, inserted = "", ""
    for index, (op, text) in enumerate(ops):
        if op == "delete":
            deleted += text
        elif op == "insert":
            inserted += text
        elif (deleted or inserted) and not text.strip() and index + 1 < len(ops):
            # A blank between two changes belongs to both sides of the phrase.
            deleted += text
            inserted += text
        else:
            out.extend(part for part in (("delete", deleted), ("insert", inserted)) if part[1])
            deleted, inserted = "", ""
            out.append((op, text))
    out.extend(part for part in (("delete", deleted), ("insert", inserted)) if part[1])
    return out
