"""Vietnamese administrative text -> the spoken form a commune announcer reads (rule-based, offline).

The package: `engine` runs the rules of `rules` (in priority order) over a text; the rules live by
domain (`documents`, `dates`, `phones`, `quantities`, `roman`, `places`, `web`, `text`); `unspeakable`
checks what an engine would still misread. `explain` returns what each rule claimed.
"""

from broadcast.speech.normalise.base import Change
from broadcast.speech.normalise.engine import explain, normalise
from broadcast.speech.normalise.checker import suggestion, unspeakable

__all__ = ["Change", "explain", "normalise", "suggestion", "unspeakable"]
