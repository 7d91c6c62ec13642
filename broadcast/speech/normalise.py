"""Vietnamese administrative text -> the spoken form an announcer reads (placeholder: identity)."""

from __future__ import annotations


def normalise(text: str, lexicon=None) -> str:
    return text
